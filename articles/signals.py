"""What follows from saving content, inside the content app: withdrawal tombstones, the search
index, hero renditions, a note's article moving its update time. Connected in ArticlesConfig.ready()
(importing this module); other apps listen to these models in their own ready()."""

from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete, pre_save
from django.dispatch import receiver
from taggit.models import Tag

from articles import tasks
from articles.models import (
    Article,
    ArticleWithdrawal,
    Author,
    Category,
    Correction,
    LiveEntry,
    TaggedArticle,
    touch_article,
)
from articles.tasks import enqueue
from articles.touching import touch


@receiver(post_delete, sender=Article)
def record_deleted_live_article(sender, instance, **kwargs):
    # A signal, not delete(): the admin's bulk delete and queryset.delete() skip Model.delete().
    Audience = ArticleWithdrawal.Audience
    audience = (
        Audience.EVERYONE
        if instance.is_live
        else Audience.EMBARGOED_COPY
        if instance.is_embargoed_copy
        else None
    )
    if audience:
        ArticleWithdrawal.record(
            instance, reason=ArticleWithdrawal.Reason.DELETED, audience=audience
        )


@receiver(post_save, sender=Article)
def record_unpublished_live_article(sender, instance, raw=False, **kwargs):
    audience = None if raw else instance.withdrawn_from
    if audience:
        ArticleWithdrawal.record(
            instance, reason=ArticleWithdrawal.Reason.UNPUBLISHED, audience=audience
        )


@receiver(post_save, sender=Article)
def refresh_search_after_save(sender, instance, raw=False, **kwargs):
    if not raw:
        enqueue(tasks.refresh_search_vector, instance.pk)


@receiver(m2m_changed, sender=TaggedArticle)
def refresh_search_after_tagging(sender, instance, action, **kwargs):
    # Tags are saved after the article (the admin saves them with the form's m2m data).
    if isinstance(instance, Article) and action in {"post_add", "post_remove", "post_clear"}:
        enqueue(tasks.refresh_search_vector, instance.pk)


@receiver(m2m_changed, sender=TaggedArticle)
@receiver(m2m_changed, sender=Article.authors.through)
def touch_live_articles_after_relabelling(sender, instance, action, pk_set=None, **kwargs):
    """Tags and bylines are saved after the article (the admin saves the form's many-to-many
    data last), so what the article's own save told partners lacked them: a live article whose
    labels changed is touched, and partners get it again with its labels."""
    if action not in {"post_add", "post_remove", "post_clear"}:
        return
    ids = [instance.pk] if isinstance(instance, Article) else list(pk_set or ())
    touch(list(Article.objects.live().filter(pk__in=ids).values_list("pk", flat=True)))


@receiver(post_save, sender=Article)
def make_renditions_of_a_new_image(sender, instance, raw=False, **kwargs):
    # save() left them empty for a new image: a worker makes them once this save commits.
    if raw or not instance.hero_image or instance.hero_renditions:
        return
    made = enqueue(tasks.build_hero_renditions, instance.pk, instance.hero_image.name)
    if made is not None:  # made here and now (no broker): the instance shows them too
        instance.hero_renditions = made


@receiver(post_delete, sender=Correction)
@receiver(post_delete, sender=LiveEntry)
def touch_article_after_removal(sender, instance, **kwargs):
    # A removed note or entry changes the article as readers and partners see it.
    touch_article(instance.article_id)


# A section, tag or author is part of each article that shows it (its name in the article's
# JSON, cards and byline): renaming or deleting one changes those articles as partners and
# readers see them. Their update time moves, so the changes feed reports them, and the articles
# touched are kept on the instance for other apps' receivers (partners' webhooks).


def live_articles_showing(term) -> list[int]:
    field = {Category: "category", Author: "authors", Tag: "tags"}[type(term)]
    return list(Article.objects.live().filter(**{field: term}).values_list("pk", flat=True))


@receiver(pre_save, sender=Category)
@receiver(pre_save, sender=Author)
@receiver(pre_save, sender=Tag)
def remember_the_name(sender, instance, raw=False, **kwargs):
    instance.shown_before = None
    if not raw and instance.pk:
        instance.shown_before = sender.objects.filter(pk=instance.pk).values("name", "slug").first()


@receiver(post_save, sender=Category)
@receiver(post_save, sender=Author)
@receiver(post_save, sender=Tag)
def touch_articles_after_a_rename(sender, instance, raw=False, **kwargs):
    before = getattr(instance, "shown_before", None)
    renamed = before is not None and before != {"name": instance.name, "slug": instance.slug}
    instance.articles_touched = touch(live_articles_showing(instance)) if renamed else []


@receiver(pre_delete, sender=Author)
@receiver(pre_delete, sender=Tag)
def find_articles_before_a_deletion(sender, instance, **kwargs):
    instance.articles_touched = live_articles_showing(instance)


@receiver(post_delete, sender=Author)
@receiver(post_delete, sender=Tag)
def touch_articles_after_a_deletion(sender, instance, **kwargs):
    touch(getattr(instance, "articles_touched", []))
