from django.db.models.signals import post_delete
from django.dispatch import receiver

from articles.models import Article, ArticleWithdrawal


@receiver(post_delete, sender=Article)
def record_deleted_live_article(sender, instance, **kwargs):
    # A signal, not delete(): the admin's bulk delete and queryset.delete() skip Model.delete().
    if instance.is_live:
        ArticleWithdrawal.record(instance, reason=ArticleWithdrawal.Reason.DELETED)
