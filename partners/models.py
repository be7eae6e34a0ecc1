"""Partners: their API keys, their webhook endpoints and deliveries, and the audit trail of
embargoed copy they fetched.

The tables keep the names they had when these models belonged to the articles app (db_table):
moving the models lost no row.
"""

import json
import re
import uuid

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.utils import timezone
from rest_framework_api_key.models import AbstractAPIKey, BaseAPIKeyManager

from caching import tags
from caching.versioned import remember
from partners.webhooks import EVENTS
from partners.webhooks.addresses import URL_HELP, validate_endpoint_url
from partners.webhooks.signing import new_secret

# djangorestframework-api-key's keys: an 8-character prefix, a dot, a 32-character secret.
KEY_SHAPE = re.compile(r"[A-Za-z0-9]{8}\.[A-Za-z0-9]{32}")
USE_RECORDED_EVERY_SECONDS = 60


class PartnerKeyManager(BaseAPIKeyManager):
    def find(self, key: str) -> "PartnerKey | None":
        """The usable key matching `key`. Kept under the content version, which every save or
        delete of a key moves: a revocation holds in every process within a second, whatever
        the cache backend."""
        if not KEY_SHAPE.fullmatch(key):  # garbage never reaches the cache or the database
            return None
        prefix = key.partition(".")[0]

        def usable_key():
            tags.add(f"partner-key:{prefix}")
            return self.get_usable_keys().filter(prefix=prefix).first()

        partner_key = remember(f"partnerkey:{prefix}", usable_key)
        if partner_key is None or partner_key.revoked or not partner_key.is_valid(key):
            return None
        return partner_key


class PartnerKey(AbstractAPIKey):
    """A partner's API key: stored hashed, revocable, optionally expiring, with its own rate."""

    requests_per_minute = models.PositiveIntegerField(
        default=600,
        validators=[MinValueValidator(1)],
        help_text="Requests this key may make per minute; past that it gets 429.",
    )
    last_used_at = models.DateTimeField(null=True, blank=True, editable=False)
    can_see_embargoed = models.BooleanField(
        "embargoed copy",
        default=False,
        help_text="Sees published articles still under embargo (marked embargoed_until), to "
        "prepare syndication; each such fetch is recorded.",
    )

    objects = PartnerKeyManager()

    class Meta(AbstractAPIKey.Meta):
        db_table = "articles_partnerkey"
        verbose_name = "partner API key"
        verbose_name_plural = "partner API keys"

    def touch(self) -> None:
        """Record use, writing at most once a minute per key. A key read from the cache may
        carry an old last_used_at: the cache then says whether this is the first use in a
        while."""
        now = timezone.now()
        if (
            self.last_used_at
            and (now - self.last_used_at).total_seconds() < USE_RECORDED_EVERY_SECONDS
        ):
            return
        try:
            first_in_a_while = cache.add(
                f"newsroom:key-used:{self.pk}", 1, USE_RECORDED_EVERY_SECONDS
            )
        except Exception:
            first_in_a_while = True
        if first_in_a_while:
            PartnerKey.objects.filter(pk=self.pk).update(last_used_at=now)
            self.last_used_at = now


class WebhookEndpoint(models.Model):
    key = models.ForeignKey(PartnerKey, on_delete=models.CASCADE, related_name="webhook_endpoints")
    url = models.URLField(
        "URL",
        max_length=500,
        validators=[validate_endpoint_url],
        help_text=URL_HELP,
    )
    events = models.JSONField(
        default=list, help_text="Which changes are sent: " + ", ".join(EVENTS) + "."
    )
    is_active = models.BooleanField("active", default=True)
    # Kept to sign with (a hash could not sign); shown to staff once, when made or rotated.
    secret = models.CharField(max_length=100, default=new_secret, editable=False)
    paused_at = models.DateTimeField(null=True, blank=True, editable=False)
    paused_reason = models.TextField(blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "articles_webhookendpoint"
        ordering = ["key", "url"]

    def __str__(self):
        return f"{self.url} ({self.key})"

    def clean(self):
        unknown = [event for event in self.events or [] if event not in EVENTS]
        if unknown or not self.events:
            raise ValidationError({"events": f"Choose one or more of: {', '.join(EVENTS)}."})

    @property
    def receives(self) -> bool:
        return self.is_active and self.paused_at is None

    def pause(self, reason: str) -> None:
        self.paused_at, self.paused_reason = timezone.now(), reason
        self.save(update_fields=["paused_at", "paused_reason"])

    def resume(self) -> None:
        self.paused_at, self.paused_reason = None, ""
        self.save(update_fields=["paused_at", "paused_reason"])


class WebhookDelivery(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        SUCCEEDED = "succeeded", "Succeeded"
        FAILED = "failed", "Failed (no more retries)"

    endpoint = models.ForeignKey(
        WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries"
    )
    event = models.CharField(max_length=12)
    article_id = models.BigIntegerField()
    # The receiver's idempotency key: the same on every attempt and redelivery.
    idempotency_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    payload = models.JSONField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    response_code = models.PositiveSmallIntegerField(null=True, blank=True)
    latency_ms = models.PositiveIntegerField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    first_attempt_at = models.DateTimeField(null=True, blank=True)
    next_attempt_at = models.DateTimeField(null=True, blank=True, db_index=True)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "articles_webhookdelivery"
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "webhook deliveries"

    def __str__(self):
        return f"{self.event} of {self.article_id} to {self.endpoint.url}"

    def body(self) -> bytes:
        return json.dumps(self.payload, separators=(",", ":"), sort_keys=True).encode()


class PublicationAnnouncement(models.Model):
    """That an article's going live at a time was announced: `published` is sent once per
    going live, whichever of the timed task and the sweep gets there first."""

    article_id = models.BigIntegerField()
    went_live_at = models.DateTimeField()
    announced_at = models.DateTimeField(default=timezone.now)

    class Meta:
        db_table = "articles_publicationannouncement"
        constraints = [
            models.UniqueConstraint(fields=["article_id", "went_live_at"], name="announced_once")
        ]

    def __str__(self):
        return f"{self.article_id} live at {self.went_live_at:%Y-%m-%d %H:%M}"


class EmbargoFetch(models.Model):
    """A partner key fetched an article still under embargo (the embargo's audit trail)."""

    article = models.ForeignKey(
        "articles.Article", on_delete=models.CASCADE, related_name="embargo_fetches"
    )
    key = models.ForeignKey(PartnerKey, on_delete=models.CASCADE, related_name="embargo_fetches")
    fetched_at = models.DateTimeField(default=timezone.now)

    class Meta:
        db_table = "articles_embargofetch"
        ordering = ["-fetched_at", "-id"]

    def __str__(self):
        return f"{self.key} fetched {self.article_id} at {self.fetched_at:%Y-%m-%d %H:%M:%S}"
