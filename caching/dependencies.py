"""What makes cached responses stale: declared by the app that owns each model, in its ready().

Every model of ours, and every library model a public surface shows (taggit's Tag), is declared
once, so that a new public model cannot be forgotten (tests/caching/test_dependencies.py walks
them all):

    declare(Article, article_tags)          # a save or delete makes article_tags(article) stale
    declare_relation(Article.authors.through)  # an m2m change: the tags of the instance changed
    declare_unpublished(WebhookDelivery)    # no public response shows it: changes make nothing stale

`tags(instance)` names what a change of that row can make stale ("article:12", "section:3"); an
empty answer (a draft that was never public) makes nothing stale. Today every non-empty answer
moves the one content version (caching.freshness); the names say which responses a finer cache
could keep.

The signals are connected here, once per model, so an app never wires them by hand.
"""

from collections.abc import Callable, Iterable

from django.db.models import Model
from django.db.models.signals import m2m_changed, post_delete, post_save

from caching.freshness import content_changed

Tags = Callable[[Model], Iterable[str]]

_declared: dict[type[Model], Tags | None] = {}
_relations: set[type[Model]] = set()


def declare(model: type[Model], tags: Tags) -> None:
    """A save or delete of `model` makes what `tags(instance)` names stale."""
    _declared[model] = tags
    uid = model._meta.label_lower
    post_save.connect(_on_save, sender=model, dispatch_uid=f"caching-save-{uid}", weak=False)
    post_delete.connect(_on_delete, sender=model, dispatch_uid=f"caching-del-{uid}", weak=False)


def declare_relation(through: type[Model]) -> None:
    """Adding or removing rows of a many-to-many relation changes the instance it was made
    through (an article's byline, a tag's articles): what that instance's tags name is stale."""
    _relations.add(through)
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


def _on_m2m(sender, instance, *, action, using=None, **kwargs):
    if action.startswith("post_"):
        _changed(instance, using)
