"""Articles changed without a save of their own: a section, tag or author renamed or deleted,
new renditions of the hero image. Their update time moves, so the changes feed reports them, what
shows them is stale, and other apps hear of it (`articles_touched`: partners' webhooks)."""

from django.dispatch import Signal
from django.utils import timezone

from articles.dependencies import everywhere_it_shows
from articles.models import Article
from caching.freshness import content_changed

# Sent with article_ids, the live articles touched, inside the transaction that touched them.
articles_touched = Signal()


def touch(article_ids: list[int]) -> list[int]:
    if article_ids:
        Article.objects.filter(pk__in=article_ids).update(updated_at=timezone.now())
        # update() sends no signal: what shows these articles is stale.
        content_changed(tags=everywhere_it_shows(article_ids))
        articles_touched.send(sender=Article, article_ids=article_ids)
    return article_ids
