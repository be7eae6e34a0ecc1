"""Sending editions in batches: by Celery workers with a broker, else in this process."""

from smtplib import SMTPException

from celery import shared_task

from articles.tasks import enqueue
from newsletters.editions import send_batch


# The mail server away for a while: the batch is tried again (its sent addresses are skipped).
@shared_task(autoretry_for=(OSError, SMTPException), retry_backoff=30, max_retries=8)
def send_edition_batch(edition_id: int, emails: list[str]) -> int:
    return send_batch(edition_id, emails)


def enqueue_batch(edition_id: int, emails: list[str]):
    return enqueue(send_edition_batch, edition_id, emails)


@shared_task
def send_daily_edition() -> int | None:
    """Celery beat's daily task (NEWSROOM_NEWSLETTER_DAILY_AT): build today's edition and send
    it; None if nothing went live since the last one."""
    from newsletters.editions import build_daily, send

    edition = build_daily()
    if edition is None:
        return None
    send(edition)
    return edition.pk
