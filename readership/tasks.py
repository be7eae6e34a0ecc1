"""Folding the cache's read counts into the database: every minute with celery beat; without a
broker, whoever next builds the most-read ranking folds them (readership.ranking)."""

from celery import shared_task

from readership.counting import fold, forget_before


@shared_task
def fold_reads() -> int:
    folded = fold()
    forget_before()
    return folded
