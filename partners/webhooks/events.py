"""Which webhook deliveries a change makes, and how each is attempted (see partners.webhooks for
the network rules and signing; partners.tasks runs this in workers).

Deliveries are rows written in the transaction of the change; they are sent once it commits.
"""

import json
import logging
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from functools import partial

from django.conf import settings
from django.db import connections, transaction
from django.utils import timezone
from rest_framework.renderers import JSONRenderer

from articles.labels import attach_labels
from articles.models import Article
from articles.visibility import goes_live_at
from partners.api.serializers import ChangeSerializer
from partners.changes import Change, updated_rows
from partners.models import PartnerKey, PublicationAnnouncement, WebhookDelivery, WebhookEndpoint
from partners.webhooks.client import post
from partners.webhooks.retries import retry_delay

logger = logging.getLogger(__name__)

# The sweep announces go-lives its timed task missed (a worker was down) up to this far back.
SWEEP_WINDOW = timedelta(hours=1)
# Without a broker, a process keeps a timer for go-lives this close; later ones are the sweep's.
TIMER_WINDOW = timedelta(hours=6)


def listening(event: str) -> list[WebhookEndpoint]:
    usable_keys = PartnerKey.objects.get_usable_keys()
    endpoints = WebhookEndpoint.objects.filter(is_active=True, key__in=usable_keys)
    # A JSON list's membership, tested here: SQLite has no JSON containment lookup.
    return [endpoint for endpoint in endpoints.select_related("key") if event in endpoint.events]


def change_entry(event: str, article: Article | None, *, withdrawal=None) -> dict:
    """The delivery's `change`: an entry exactly as /api/v1/changes/ gives it (a tombstone is
    the ArticleWithdrawal row the feed gives)."""
    if article is None:
        change = Change.withdrawn(withdrawal)
    else:
        change = Change.updated(attach_labels([updated_rows().get(pk=article.pk)])[0])
    return as_json(change)


def as_json(change: Change) -> dict:
    data = ChangeSerializer(change, context={"origin": settings.SITE_URL}).data
    return json.loads(JSONRenderer().render(data))


def record(event: str, article: Article | None = None, *, withdrawal=None) -> list:
    """Write the deliveries of one event (of a live article, or of its tombstone) for every
    endpoint that listens; send them after the commit."""
    endpoints = listening(event)
    if not endpoints:
        return []
    change = change_entry(event, article, withdrawal=withdrawal)
    article_id = article.pk if article is not None else withdrawal.article_id
    return deliver(endpoints, event, [(article_id, change)])


def record_updates(article_ids: list[int]) -> list:
    """`updated` for many live articles at once (those showing a renamed section, tag or
    author): their rows in one query, their deliveries in one insert."""
    endpoints = listening("updated")
    if not endpoints or not article_ids:
        return []
    rows = attach_labels(list(updated_rows().filter(pk__in=article_ids)))
    return deliver(
        endpoints, "updated", [(row["id"], as_json(Change.updated(row))) for row in rows]
    )


def deliver(endpoints: list, event: str, changes: list[tuple[int, dict]]) -> list:
    now = timezone.now()
    deliveries = []
    for article_id, change in changes:
        for endpoint in endpoints:
            delivery = WebhookDelivery(
                endpoint=endpoint, event=event, article_id=article_id, next_attempt_at=now
            )
            delivery.payload = {
                "id": str(delivery.idempotency_id),
                "event": event,
                "created_at": now.isoformat().replace("+00:00", "Z"),
                "change": change,
            }
            deliveries.append(delivery)
    WebhookDelivery.objects.bulk_create(deliveries)
    for delivery in deliveries:
        send_after_commit(delivery.pk)
    return deliveries


def send_after_commit(delivery_id: int, *, countdown: float = 0) -> None:
    """Have the delivery attempted once the transaction commits: by a worker, or without a broker
    by a thread of this process, never inside the request that made the change."""
    from partners.tasks import deliver_webhook  # tasks import this module

    if settings.CELERY_TASK_ALWAYS_EAGER:
        if not countdown:  # a retry waits for the sweep (`manage.py webhooks_sweep`)
            transaction.on_commit(partial(off_the_request, attempt, delivery_id))
        return
    send = partial(deliver_webhook.apply_async, (delivery_id,), countdown=countdown or None)
    transaction.on_commit(send)


_threads: dict = {}


def off_the_request(work, *args) -> None:
    """Without a broker: `work(*args)` in one of this process's delivery threads, so no editor
    waits for a partner's receiver. What a process takes with it when it stops (a delivery not
    yet attempted, a go-live not yet announced) stays pending in the database, and the sweep
    sends it (`manage.py webhooks_sweep`, every minute from cron: the bound)."""
    threads = settings.WEBHOOK_DELIVERY_THREADS
    if not threads:  # tests that want it done before they look
        work(*args)
        return
    pool = _threads.get("pool")
    if pool is None:
        pool = _threads["pool"] = ThreadPoolExecutor(threads, thread_name_prefix="webhooks")
    pool.submit(in_own_connection, work, *args)


def in_own_connection(work, *args) -> None:
    try:
        work(*args)
    except Exception:
        logger.exception("Webhook work failed in its thread; the sweep tries again")
    finally:
        connections.close_all()  # this thread's own


def announce_publication(article_id: int) -> bool:
    """Send `published` for an article that is live now, once per going live."""
    article = (
        Article.objects.live().annotate(went_live_at=goes_live_at()).filter(pk=article_id).first()
    )
    if article is None or not listening("published"):
        return False
    with transaction.atomic():
        _, created = PublicationAnnouncement.objects.get_or_create(
            article_id=article.pk, went_live_at=article.went_live_at
        )
        if created:
            record("published", article)
    return created


def announce_when_live(article: Article) -> None:
    """A scheduled (or embargoed) article: announce it at its go-live time, by a worker's timed
    task, or without a broker by a timer in this process (for go-lives within TIMER_WINDOW). The
    sweep is the safety net if neither is there then."""
    from partners.tasks import announce

    if not listening("published"):
        return
    if settings.CELERY_TASK_ALWAYS_EAGER:
        delay = (article.goes_live_at - timezone.now()).total_seconds()
        if 0 < delay <= TIMER_WINDOW.total_seconds():
            timer = threading.Timer(delay, off_the_request, (announce_publication, article.pk))
            timer.daemon = True  # a process that stops leaves it to the sweep
            transaction.on_commit(timer.start)
        return
    send = partial(announce.apply_async, (article.pk,), eta=article.goes_live_at)
    transaction.on_commit(send)


def due_publications() -> list[int]:
    """Articles that went live within SWEEP_WINDOW and were not announced."""
    now = timezone.now()
    recent = (
        Article.objects.live(now=now)
        .annotate(went_live_at=goes_live_at())
        .filter(went_live_at__gte=now - SWEEP_WINDOW)
    )
    announced = set(
        PublicationAnnouncement.objects.filter(went_live_at__gte=now - SWEEP_WINDOW).values_list(
            "article_id", "went_live_at"
        )
    )
    return [a.pk for a in recent.only("pk") if (a.pk, a.went_live_at) not in announced]


def attempt(delivery_id: int) -> WebhookDelivery | None:
    """One attempt of a pending delivery (skipped if another worker holds it, or if its endpoint
    is paused or switched off: it stays pending for a redelivery)."""
    with transaction.atomic():
        delivery = (
            WebhookDelivery.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("endpoint", "endpoint__key")
            .filter(
                pk=delivery_id,
                status=WebhookDelivery.Status.PENDING,
                # Not before it is due: a timed retry and the sweep may both ask.
                next_attempt_at__lte=timezone.now() + timedelta(seconds=1),
            )
            .first()
        )
        if delivery is None or not delivery.endpoint.receives:
            return delivery
        code, latency, error = post(delivery)
        now = timezone.now()
        delivery.attempts += 1
        delivery.response_code, delivery.latency_ms, delivery.last_error = code, latency, error
        delivery.first_attempt_at = delivery.first_attempt_at or now
        if not error:
            delivery.status, delivery.delivered_at, delivery.next_attempt_at = (
                "succeeded",
                now,
                None,
            )
        elif (delay := retry_delay(delivery.attempts)) is not None:
            delivery.next_attempt_at = now + delay
            send_after_commit(delivery.pk, countdown=delay.total_seconds())
        else:
            delivery.status, delivery.next_attempt_at = "failed", None
            hours = (now - delivery.first_attempt_at).total_seconds() / 3600
            delivery.endpoint.pause(
                f"A delivery ({delivery.event} of article {delivery.article_id}) failed "
                f"{delivery.attempts} times over {hours:.0f} h; the last: {error}"
            )
        delivery.save()
        return delivery


def due_deliveries() -> list[int]:
    return list(
        WebhookDelivery.objects.filter(
            status=WebhookDelivery.Status.PENDING,
            next_attempt_at__lte=timezone.now(),
            endpoint__is_active=True,
            endpoint__paused_at__isnull=True,
        ).values_list("pk", flat=True)[:500]
    )


def redeliver(delivery: WebhookDelivery) -> None:
    """Staff's redelivery: the same event, idempotency id and payload, attempted again now."""
    delivery.status, delivery.next_attempt_at = WebhookDelivery.Status.PENDING, timezone.now()
    delivery.save(update_fields=["status", "next_attempt_at"])
    send_after_commit(delivery.pk)
