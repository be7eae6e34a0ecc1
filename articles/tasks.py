"""Background work: what used to run inside the editor's request, now run by a Celery worker
after the transaction commits (never before: a worker must find the data it is told about).

Without a broker (the embedded default, CELERY_TASK_ALWAYS_EAGER) `enqueue` runs the task at
once, in the caller's transaction: what the request did before there were workers, on the same
database connection, so it reads the rows just written and is undone with them if the save fails.
"""

from functools import partial
from smtplib import SMTPException

from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction

from articles.images import STORAGE_ERRORS
from articles.models import Article
from articles.renditions import build_renditions
from articles.touching import touch
from caching.freshness import content_changed


def enqueue(task, *args):
    """Have `task(*args)` run: by a worker once the current transaction commits, or here and
    now without a broker (then its result is returned)."""
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return task.apply(args=args, throw=True).get()
    transaction.on_commit(partial(task.delay, *args))
    return None


# An object store that is briefly unreachable: try again, waiting longer each time (about 15
# minutes in all); meanwhile pages show the original image at its size.
@shared_task(autoretry_for=STORAGE_ERRORS, retry_backoff=15, retry_backoff_max=300, max_retries=6)
def build_hero_renditions(article_id: int, source_name: str) -> dict | None:
    """Make the renditions of the hero image `source_name` of an article, unless it has
    another image by now or they exist already."""

    article = Article.objects.filter(pk=article_id).only("hero_image", "hero_renditions").first()
    if article is None or article.hero_image.name != source_name:
        return None  # deleted, or the image changed since: that image has its own task
    if article.hero_renditions.get("source") == source_name:
        return article.hero_renditions
    renditions = build_renditions(article.hero_image)
    with transaction.atomic():
        rows = Article.objects.filter(pk=article_id, hero_image=source_name)
        # update() sends no signal: the article's page, card and rows show the image.
        made = rows.update(hero_renditions=renditions, hero_digest=renditions["digest"])
        if made and Article.objects.live().filter(pk=article_id):
            # The API's hero_image is a rendition: partners hear of it as of any other change.
            touch([article_id])
    return renditions


@shared_task(autoretry_for=(Exception,), retry_backoff=5, max_retries=5)
def refresh_search_vector(article_id: int) -> None:
    """Index the article's words for search (PostgreSQL; nothing to do on SQLite)."""
    article = Article.objects.live().filter(pk=article_id).only("pk").first()
    # Only a live article's words are found: a draft's index changes no public answer.
    if article is not None and article.refresh_search_vector():
        content_changed(tags={"search"})


# A mail server that is briefly away: try again for about ten minutes.
@shared_task(autoretry_for=(OSError, SMTPException), retry_backoff=10, max_retries=5)
def send_desk_mail(subject: str, body: str, recipients: list[str]) -> None:
    """One of the desk's e-mails (articles.notifications), through Django's e-mail backend."""
    send_mail(subject, body, None, recipients)
