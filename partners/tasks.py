"""Partners' background work: webhook deliveries, `published` at an article's go-live time, and
the sweep that catches up on both.

The task names are those they had in articles.tasks: tasks already queued (a scheduled
article's announcement days ahead) still find their code after an upgrade.
"""

from celery import shared_task
from django.conf import settings

from partners.webhooks import events


@shared_task(name="articles.tasks.deliver_webhook")
def deliver_webhook(delivery_id: int) -> None:
    """One attempt of a webhook delivery; a failure schedules the next (partners.webhooks.events)."""
    events.attempt(delivery_id)


@shared_task(name="articles.tasks.announce")
def announce(article_id: int) -> None:
    """`published` for an article that has just gone live (at its time, when scheduled)."""
    events.announce_publication(article_id)


@shared_task(name="articles.tasks.webhooks_sweep")
def webhooks_sweep() -> dict:
    """The safety net, every minute (celery beat): go-lives whose timed task did not run, and
    deliveries whose retry is due."""
    announced = sum(events.announce_publication(pk) for pk in events.due_publications())
    due = events.due_deliveries()
    for delivery_id in due:
        if settings.CELERY_TASK_ALWAYS_EAGER:
            events.attempt(delivery_id)
        else:
            deliver_webhook.delay(delivery_id)
    return {"announced": announced, "due": len(due)}
