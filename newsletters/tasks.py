"""Sending editions in batches: by Celery workers with a broker, else in this process."""

from smtplib import SMTPException

from celery import shared_task
from django.conf import settings

from articles.tasks import enqueue
from newsletters.editions import claimed_elsewhere, not_sent_yet, send_batch

# A batch asked to try later comes back this many times at most.
TRY_LATER_ATTEMPTS = 10
TRY_LATER_SECONDS = 60


# The mail server away for a while: the batch is tried again (its sent addresses are skipped).
@shared_task(autoretry_for=(OSError, SMTPException), retry_backoff=30, max_retries=8)
def send_edition_batch(edition_id: int, emails: list[str], attempt: int = 1) -> int:
    sent = send_batch(edition_id, emails)
    if settings.CELERY_TASK_ALWAYS_EAGER or attempt >= TRY_LATER_ATTEMPTS:
        return sent  # without a broker, the next run of the send takes whoever is left
    later = not_sent_yet(edition_id, emails)
    if later:  # the server asked to try these later
        send_edition_batch.apply_async(
            (edition_id, later, attempt + 1), countdown=TRY_LATER_SECONDS
        )
    waiting = claimed_elsewhere(edition_id, emails)
    if waiting:
        # Claimed by a worker that may have died mid-send (this batch came back to the queue):
        # ask again once such a claim is stale; if that worker lives, they are sent by then.
        send_edition_batch.apply_async(
            (edition_id, waiting, attempt + 1),
            countdown=settings.NEWSLETTER_STALE_CLAIM_SECONDS + 1,
        )
    return sent


def enqueue_batch(edition_id: int, emails: list[str]):
    return enqueue(send_edition_batch, edition_id, emails)


@shared_task
def build_daily_edition() -> int | None:
    """Celery beat, NEWSROOM_NEWSLETTER_REVIEW_MINUTES before the daily send: today's edition,
    waiting for editors (None if nothing went live since the last one)."""
    from newsletters.editions import build_daily, send_time

    edition = build_daily(send_at=send_time())
    return edition.pk if edition else None


@shared_task
def send_daily_edition() -> int | None:
    """Celery beat's daily task (NEWSROOM_NEWSLETTER_DAILY_AT): send today's edition as editors
    left it, or built now; None if nothing went live or it was skipped."""
    from newsletters.editions import send_daily

    edition = send_daily()
    return edition.pk if edition else None
