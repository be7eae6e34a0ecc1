"""What makes cached responses stale: declared by the app that owns each model, in its ready().

Every model of ours, and every library model a public surface shows (taggit's Tag), is declared
once, so that a new public model cannot be forgotten (tests/caching/test_dependencies.py walks
them all):

    declare(Article, article_tags)          # a save or delete makes article_tags(article) stale
    declare_relation(TaggedArticle, relation_tags)  # relation_tags(article, Tag, pks)
    declare_unpublished(WebhookDelivery)    # no public response shows it: changes make nothing stale

`tags(instance)` names what a change of that row makes stale ("article:12", "list:section:3"): the
responses that named those tags while they were built (caching.tags) are rebuilt, and nothing
else; an empty answer (a draft that was never public) makes nothing stale.

The signals are connected here, once per model, so an app never wires them by hand.
"""

from collections.abc import Callable, Iterable

from django.db.models import Model
from django.db.models.signals import m2m_changed, post_delete, post_save

from caching.freshness import content_changed

Tags = Callable[[Model], Iterable[str]]
RelationTags = Callable[[Model, type[Model], set | None], Iterable[str]]

_declared: dict[type[Model], Tags | None] = {}
_relations: dict[type[Model], RelationTags] = {}


def declare(model: type[Model], tags: Tags) -> None:
    """A save or delete of `model` makes what `tags(instance)` names stale."""
    _declared[model] = tags
    uid = model._meta.label_lower
    post_save.connect(_on_save, sender=model, dispatch_uid=f"caching-save-{uid}", weak=False)
    post_delete.connect(_on_delete, sender=model, dispatch_uid=f"caching-del-{uid}", weak=False)


def declare_relation(through: type[Model], tags: RelationTags) -> None:
    """Adding or removing rows of a many-to-many relation: `tags(instance, related model, pks)`
    names what is stale (an article's byline changed, or a tag's articles)."""
    _relations[through] = tags
    uid = through._meta.label_lower
    m2m_changed.connect(_on_m2m, sender=through, dispatch_uid=f"caching-m2m-{uid}", weak=False)


def declare_unpublished(*models: type[Model]) -> None:
    """No public response shows these models: their changes make nothing stale."""
    for model in models:
        _declared[model] = None


def is_declared(model: type[Model]) -> bool:
    return model in _declared or model in _relations


def tags_for(instance: Model) -> set[str]:
    """What a change of `instance` makes stale (nothing for an undeclared or unpublished model)."""
    tags = _declared.get(type(instance))
    return set(tags(instance)) if tags else set()


def _changed(instance: Model, using: str | None) -> None:
    tags = tags_for(instance)
    if tags:
        content_changed(using=using, tags=tags)


def _on_save(sender, instance, *, raw=False, using=None, **kwargs):
    _changed(instance, using)


def _on_delete(sender, instance, *, using=None, **kwargs):
    _changed(instance, using)


def _on_m2m(sender, instance, *, action, model, pk_set, using=None, **kwargs):
    if action.startswith("post_"):
        tags = set(_relations[sender](instance, model, pk_set))
        if tags:
            content_changed(using=using, tags=tags)
