"""Readers who asked for the newsletter, the editions sent to them and each single send."""

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
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-built_at"]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.subject}"


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
