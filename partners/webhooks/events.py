"""Which webhook deliveries a change makes, and how each is attempted (see partners.webhooks for
the network rules and signing; partners.tasks runs this in workers).

Deliveries are rows written in the transaction of the change; they are sent once it commits.
"""

import json
from datetime import timedelta
from functools import partial

from django.conf import settings
from django.db import transaction
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

# The sweep announces go-lives its timed task missed (a worker was down) up to this far back.
SWEEP_WINDOW = timedelta(hours=1)


def listening(event: str) -> list[WebhookEndpoint]:
    usable_keys = PartnerKey.objects.get_usable_keys()
    endpoints = WebhookEndpoint.objects.filter(is_active=True, key__in=usable_keys)
    # A JSON list's membership, tested here: SQLite has no JSON containment lookup.
    return [endpoint for endpoint in endpoints.select_related("key") if event in endpoint.events]


def change_entry(event: str, article: Article | None, *, article_id: int, slug: str) -> dict:
    """The delivery's `change`: an entry exactly as /api/v1/changes/ gives it."""
    if article is None:
        reason = "deleted" if event == "deleted" else "unpublished"
        change = Change.withdrawn(
            article_id=article_id, slug=slug, at=timezone.now(), reason=reason
        )
    else:
        change = Change.updated(attach_labels([updated_rows().get(pk=article.pk)])[0])
    data = ChangeSerializer(change, context={"origin": settings.SITE_URL}).data
    return json.loads(JSONRenderer().render(data))


def record(event: str, article: Article | None, *, article_id: int, slug: str) -> list:
    """Write the deliveries of one event for every endpoint that listens; send them after the
    commit."""
    endpoints = listening(event)
    if not endpoints:
        return []
    change = change_entry(event, article, article_id=article_id, slug=slug)
    now = timezone.now()
    deliveries = []
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
    from partners.tasks import deliver_webhook  # tasks import this module

    if settings.CELERY_TASK_ALWAYS_EAGER and countdown:
        return  # no worker to wait: the sweep (`manage.py webhooks_sweep`) sends it when due
    send = partial(deliver_webhook.apply_async, (delivery_id,), countdown=countdown or None)
    transaction.on_commit(send)


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
            record("published", article, article_id=article.pk, slug=article.slug)
    return created


def announce_when_live(article: Article) -> None:
    """A scheduled (or embargoed) article: announce it at its go-live time. The sweep is the
    safety net if no worker is up then."""
    from partners.tasks import announce

    if settings.CELERY_TASK_ALWAYS_EAGER or not listening("published"):
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
