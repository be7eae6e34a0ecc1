from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver

from articles import tasks, webhook_events
from articles.models import (
    Article,
    ArticleWithdrawal,
    Correction,
    LiveEntry,
    TaggedArticle,
    touch_article,
)
from articles.tasks import enqueue


@receiver(post_delete, sender=Article)
def record_deleted_live_article(sender, instance, **kwargs):
    # A signal, not delete(): the admin's bulk delete and queryset.delete() skip Model.delete().
    if instance.is_live:
        ArticleWithdrawal.record(instance, reason=ArticleWithdrawal.Reason.DELETED)
        webhook_events.record("deleted", None, article_id=instance.pk, slug=instance.slug)


@receiver(post_save, sender=Article)
def record_unpublished_live_article(sender, instance, raw=False, **kwargs):
    if not raw and instance.went_offline:
        ArticleWithdrawal.record(instance, reason=ArticleWithdrawal.Reason.UNPUBLISHED)
        webhook_events.record("withdrawn", None, article_id=instance.pk, slug=instance.slug)


def deleting_articles(origin) -> bool:
    """Whether a deletion started from an article (or a queryset of articles)."""
    return isinstance(origin, Article) or getattr(origin, "model", None) is Article


@receiver(post_save, sender=Article)
def tell_partners_webhooks(sender, instance, raw=False, **kwargs):
    """published (now, or at its time when scheduled) or updated."""
    if raw or instance.status != Article.Status.PUBLISHED:
        return
    if not instance.is_live:
        webhook_events.announce_when_live(instance)
    elif instance.was_live_before_save:
        webhook_events.record("updated", instance, article_id=instance.pk, slug=instance.slug)
    else:
        enqueue(tasks.announce, instance.pk)


@receiver(post_save, sender=Article)
def refresh_search_after_save(sender, instance, raw=False, **kwargs):
    if not raw:
        enqueue(tasks.refresh_search_vector, instance.pk)


@receiver(m2m_changed, sender=TaggedArticle)
def refresh_search_after_tagging(sender, instance, action, **kwargs):
    # Tags are saved after the article (the admin saves them with the form's m2m data).
    if isinstance(instance, Article) and action in {"post_add", "post_remove", "post_clear"}:
        enqueue(tasks.refresh_search_vector, instance.pk)


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


@receiver(post_save, sender=Correction)
@receiver(post_save, sender=LiveEntry)
@receiver(post_delete, sender=Correction)
@receiver(post_delete, sender=LiveEntry)
def tell_partners_of_notes_and_entries(sender, instance, raw=False, origin=None, **kwargs):
    if deleting_articles(origin):
        return  # removed with its article: the article's own `deleted` says it
    article = Article.objects.live().filter(pk=instance.article_id).first()
    if not raw and article is not None:
        webhook_events.record("updated", article, article_id=article.pk, slug=article.slug)
