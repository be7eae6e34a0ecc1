"""What follows from saving content, inside the content app: withdrawal tombstones, the search
index, hero renditions, a note's article moving its update time. Connected in ArticlesConfig.ready()
(importing this module); other apps listen to these models in their own ready()."""

from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver

from articles import tasks
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


@receiver(post_save, sender=Article)
def record_unpublished_live_article(sender, instance, raw=False, **kwargs):
    if not raw and instance.went_offline:
        ArticleWithdrawal.record(instance, reason=ArticleWithdrawal.Reason.UNPUBLISHED)


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
