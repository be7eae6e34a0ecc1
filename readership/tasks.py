"""Folding the cache's read counts into the database: every minute with celery beat; without a
broker, whoever next builds the most-read ranking folds them (readership.ranking)."""

from celery import shared_task

from readership.counting import fold


@shared_task
def fold_reads() -> int:
    """How many minutes were folded (counts older than the longest window go once an hour)."""
    return fold()
