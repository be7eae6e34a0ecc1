"""Partners hear of content changes: each one a webhook delivery, written in the change's own
transaction (partners.webhooks.events). Connected in PartnersConfig.ready()."""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from articles import tasks as content_tasks
from articles.models import Article, Correction, LiveEntry
from articles.touching import articles_touched
from partners import tasks
from partners.models import PublicationAnnouncement
from partners.webhooks import events


@receiver(post_delete, sender=Article)
def tell_partners_of_a_deleted_live_article(sender, instance, **kwargs):
    if instance.is_live:
        events.record("deleted", withdrawal=instance.withdrawal)


@receiver(post_save, sender=Article)
def tell_partners_of_a_saved_article(sender, instance, raw=False, **kwargs):
    """withdrawn, published (now, or at its time when scheduled) or updated."""
    if raw:
        return
    if instance.went_offline:
        events.record("withdrawn", withdrawal=instance.withdrawal)
        # Going live again, even at the same time, is announced again.
        PublicationAnnouncement.objects.filter(article_id=instance.pk).delete()
    if instance.status != Article.Status.PUBLISHED:
        return
    if not instance.is_live:  # scheduled, or under embargo
        events.announce_when_live(instance)
    elif instance.was_live_before_save:
        events.record("updated", instance)
    else:
        content_tasks.enqueue(tasks.announce, instance.pk)


def deleting_articles(origin) -> bool:
    """Whether a deletion started from an article (or a queryset of articles)."""
    return isinstance(origin, Article) or getattr(origin, "model", None) is Article


@receiver(post_save, sender=Correction)
@receiver(post_save, sender=LiveEntry)
@receiver(post_delete, sender=Correction)
@receiver(post_delete, sender=LiveEntry)
def tell_partners_of_notes_and_entries(sender, instance, raw=False, origin=None, **kwargs):
    if deleting_articles(origin):
        return  # removed with its article: the article's own `deleted` says it
    article = Article.objects.live().filter(pk=instance.article_id).first()
    if not raw and article is not None:
        events.record("updated", article)


@receiver(articles_touched)
def tell_partners_of_touched_articles(sender, article_ids, **kwargs):
    """Live articles changed without a save of their own (a renamed or deleted section, tag or
    author; new renditions of the hero image): each is `updated`, as the changes feed says."""
    events.record_updates(article_ids)
