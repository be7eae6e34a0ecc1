"""Partner API keys: stored hashed (djangorestframework-api-key), revocable, optionally
expiring, each with its own rate. Defined here, registered with the articles app through
articles.models."""

import re

from django.core.cache import cache
from django.core.validators import MinValueValidator
from django.db import models
from django.utils import timezone
from rest_framework_api_key.models import AbstractAPIKey, BaseAPIKeyManager

from articles.caching.versioned import remember

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
        partner_key = remember(
            f"partnerkey:{prefix}", lambda: self.get_usable_keys().filter(prefix=prefix).first()
        )
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
        app_label = "articles"
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
