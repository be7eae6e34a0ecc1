"""Partner webhooks: a partner key's endpoints get a signed JSON POST when an article is
published, updated, withdrawn or deleted, instead of polling /api/v1/changes/.

Each delivery is a row (WebhookDelivery) written in the transaction of the change it announces;
a worker sends it once that transaction commits (articles.tasks.deliver_webhook). Failures are
tried again with exponential backoff for more than a day (RETRY_DELAYS); a delivery still failing
then pauses its endpoint, with the reason for staff. Endpoints must resolve to public addresses
(no loopback, private or link-local targets: server-side request forgery), redirects are not
followed, and a slow receiver times out in seconds.
"""

import hashlib
import hmac
import ipaddress
import json
import secrets
import socket
import time
import uuid
from datetime import timedelta
from urllib.parse import urlsplit

import urllib3
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

EVENTS = ["published", "updated", "withdrawn", "deleted"]
SIGNATURE_HEADER = "Newsroom-Signature"
CONNECT_SECONDS, READ_SECONDS = 3, 5
# After the first attempt: 30 s, 1 min, 2 min, … doubling to 4.3 h, then 6 h three times: the last
# attempt comes 26.5 h after the first (a receiver down for a day still gets everything).
RETRY_DELAYS = [30 * 2**n for n in range(10)] + [6 * 3600] * 3


def retry_delay(attempts: int) -> timedelta | None:
    """How long to wait after `attempts` failed attempts; None once retries are over."""
    if attempts > len(RETRY_DELAYS):
        return None
    return timedelta(seconds=min(RETRY_DELAYS[attempts - 1], 6 * 3600))


class RefusedAddress(Exception):
    """The endpoint's host resolves to an address webhooks may not reach."""


def public_addresses(host: str, port: int) -> list[str]:
    """The host's addresses, all of them public; RefusedAddress otherwise."""
    try:
        found = {info[4][0] for info in socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)}
    except (socket.gaierror, UnicodeError):
        raise RefusedAddress(f"{host} does not resolve.") from None
    if settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES:
        return sorted(found)
    for address in found:
        ip = ipaddress.ip_address(address.split("%")[0])
        if not ip.is_global or ip.is_multicast:
            raise RefusedAddress(
                f"{host} resolves to {address}, a loopback, private, link-local or reserved "
                "address: webhooks only go to public addresses."
            )
    return sorted(found)


def validate_endpoint_url(url: str) -> None:
    parts = urlsplit(url)
    insecure_allowed = settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES  # a local test receiver
    if parts.scheme != "https" and not (insecure_allowed and parts.scheme == "http"):
        raise ValidationError("Use an https:// address.")
    if not parts.hostname:
        raise ValidationError("The address needs a host name.")
    if parts.username or parts.password:
        raise ValidationError("Put no user name or password in the address.")
    try:
        public_addresses(parts.hostname, parts.port or 443)
    except RefusedAddress as refused:
        raise ValidationError(str(refused)) from None


URL_HELP = "An https:// address on the public internet; redirects are not followed."


def new_secret() -> str:
    return f"whsec_{secrets.token_urlsafe(32)}"


def sign(secret: str, timestamp: int, body: bytes) -> str:
    """The signature header's value: t=<unix time>,v1=<HMAC-SHA256 of "t.body">."""
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"t={timestamp},v1={digest.hexdigest()}"


class WebhookEndpoint(models.Model):
    key = models.ForeignKey(
        "articles.PartnerKey", on_delete=models.CASCADE, related_name="webhook_endpoints"
    )
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
        app_label = "articles"
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
        app_label = "articles"
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
        app_label = "articles"
        constraints = [
            models.UniqueConstraint(fields=["article_id", "went_live_at"], name="announced_once")
        ]

    def __str__(self):
        return f"{self.article_id} live at {self.went_live_at:%Y-%m-%d %H:%M}"


def post(delivery: WebhookDelivery) -> tuple[int | None, int, str]:
    """Send one attempt: (response code or None, latency in ms, error or "")."""
    url = urlsplit(delivery.endpoint.url)
    port = url.port or (443 if url.scheme == "https" else 80)
    body = delivery.body()
    timestamp = int(time.time())
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "Newsroom-Webhooks/1",
        "Host": url.netloc,
        "Newsroom-Event": delivery.event,
        "Newsroom-Delivery": str(delivery.idempotency_id),
        SIGNATURE_HEADER: sign(delivery.endpoint.secret, timestamp, body),
    }
    started = time.monotonic()
    try:
        # Connect to the address just checked, not to whatever the name resolves to next.
        address = public_addresses(url.hostname, port)[0]
        timeout = urllib3.Timeout(connect=CONNECT_SECONDS, read=READ_SECONDS)
        if url.scheme == "https":
            pool = urllib3.HTTPSConnectionPool(
                address,
                port,
                timeout=timeout,
                retries=False,
                server_hostname=url.hostname,
                assert_hostname=url.hostname,
            )
        else:
            pool = urllib3.HTTPConnectionPool(address, port, timeout=timeout, retries=False)
        with pool:
            response = pool.urlopen(
                "POST",
                (url.path or "/") + (f"?{url.query}" if url.query else ""),
                body=body,
                headers=headers,
                redirect=False,
                retries=False,
                preload_content=False,
            )
            response.drain_conn()
    except RefusedAddress as refused:
        return None, elapsed_ms(started), str(refused)
    except urllib3.exceptions.TimeoutError:
        return None, elapsed_ms(started), f"No answer within {READ_SECONDS} s (timed out)."
    except urllib3.exceptions.HTTPError as error:
        return None, elapsed_ms(started), f"Could not connect: {error}"
    latency = elapsed_ms(started)
    if 300 <= response.status < 400:
        where = response.headers.get("Location", "?")
        return response.status, latency, f"Redirect to {where} not followed."
    if response.status >= 400:
        return response.status, latency, f"The receiver answered HTTP {response.status}."
    return response.status, latency, ""


def elapsed_ms(started: float) -> int:
    return round((time.monotonic() - started) * 1000)
