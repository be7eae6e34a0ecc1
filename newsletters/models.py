"""Readers who asked for the newsletter, the editions sent to them and each single send."""

from django.conf import settings
from django.db import models
from django.utils import timezone


class Subscriber(models.Model):
    """A confirmed address (double opt-in: nothing is stored before the link in the
    confirmation mail is followed)."""

    email = models.EmailField(unique=True)
    daily = models.BooleanField("daily edition", default=True)
    breaking = models.BooleanField("breaking news", default=False)
    confirmed_at = models.DateTimeField(default=timezone.now)
    # Paused after repeated permanent failures: no more mail until they subscribe again.
    paused_at = models.DateTimeField(null=True, blank=True)
    failures = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["email"]

    def __str__(self):
        return self.email


class Unsubscribed(models.Model):
    """The digest of an address that left: enough to honour it, nothing to mail."""

    digest = models.CharField(max_length=64, unique=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name_plural = "unsubscribed addresses"

    def __str__(self):
        return f"an address that left on {self.at:%Y-%m-%d}"


class Edition(models.Model):
    class Kind(models.TextChoices):
        DAILY = "daily", "Daily edition"
        BREAKING = "breaking", "Breaking news"

    kind = models.CharField(max_length=10, choices=Kind.choices)
    subject = models.CharField(max_length=200)
    note = models.TextField("note on top", blank=True)
    # The articles it carries, in the order shown (ids of live articles when it was built).
    article_ids = models.JSONField(default=list)
    built_at = models.DateTimeField(default=timezone.now)
    # A daily edition waits from its build until this time: editors may reorder, add a note
    # or skip it meanwhile (NEWSROOM_NEWSLETTER_REVIEW_MINUTES).
    send_at = models.DateTimeField(null=True, blank=True)
    # An editor changed it: it goes as they left it (else stories published since its build
    # join it when it goes).
    edited_at = models.DateTimeField(null=True, blank=True)
    skipped_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-built_at"]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.subject}"

    @property
    def is_waiting(self) -> bool:
        return self.sent_at is None and self.skipped_at is None


class Delivery(models.Model):
    """One edition to one address, recorded before it is handed to the mail server: a
    repeated or resumed send skips every address that has one."""

    class Status(models.TextChoices):
        SENDING = "sending", "Sending"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"

    edition = models.ForeignKey(Edition, on_delete=models.CASCADE, related_name="deliveries")
    email = models.EmailField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.SENDING)
    at = models.DateTimeField(default=timezone.now)
    error = models.CharField(max_length=300, blank=True)

    class Meta:
        verbose_name_plural = "deliveries"
        constraints = [
            models.UniqueConstraint(fields=["edition", "email"], name="one_delivery_each")
        ]

    def __str__(self):
        return f"{self.edition} to {self.email}: {self.status}"


class SubscriberEvent(models.Model):
    """The audit log of every subscriber action. It names an address by its digest only
    (subscriptions.digest), so that leaving deletes the address here too; searching the log
    by an address finds its digest."""

    class Action(models.TextChoices):
        SUBSCRIBED = "subscribed", "Subscribed (confirmed)"
        CHANGED = "changed", "Changed their lists"
        UNSUBSCRIBED = "unsubscribed", "Unsubscribed"
        PAUSED = "paused", "Paused after bounces"
        EDITED = "edited", "Edited by staff"
        DELETED = "deleted", "Deleted by staff"
        EXPORTED = "exported", "List exported"

    at = models.DateTimeField(default=timezone.now, db_index=True)
    action = models.CharField(max_length=20, choices=Action.choices)
    digest = models.CharField(max_length=64, blank=True, db_index=True)
    detail = models.CharField(max_length=200, blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = "subscriber event"

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.get_action_display()}"
