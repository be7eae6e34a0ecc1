"""When did public content last change? The answer behind Last-Modified (and cache versions).

Every save or delete of anything an article page or API response shows stamps a marker in the
cache. A scheduled article going live changes nothing in the database at that moment, so the
newest live `published_at` counts too. A missing marker (cold or failed cache) reads as "now":
never a stale 304, at worst a full response.
"""

import logging
import time
from dataclasses import dataclass
from datetime import UTC, datetime

from django.core.cache import cache, caches
from django.core.cache.backends.dummy import DummyCache
from django.core.signals import setting_changed
from django.db import DatabaseError
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver
from django.utils import timezone

logger = logging.getLogger(__name__)
MARKER_KEY = "newsroom:content-changed-at"


# Each process remembers the snapshot for a moment, sparing the shared cache a round trip per
# request; a change made in this process forgets it at once, one made elsewhere within a second.
LOCAL_SECONDS = 1.0
_local = {"until": 0.0, "snapshot": None}


def forget_local_snapshot() -> None:
    _local["until"], _local["snapshot"] = 0.0, None


def mark_content_changed() -> None:
    forget_local_snapshot()
    try:
        cache.set(MARKER_KEY, timezone.now().timestamp(), None)
    except Exception:
        logger.warning("Cache unavailable: could not stamp a content change", exc_info=True)


def content_changed_at() -> datetime:
    now = timezone.now().timestamp()
    try:
        stamp = cache.get(MARKER_KEY)
        if stamp is None:
            cache.add(MARKER_KEY, now, None)
            stamp = now
    except Exception:
        logger.warning("Cache unavailable: treating content as just changed", exc_info=True)
        stamp = now
    return datetime.fromtimestamp(stamp, tz=UTC)


# However long nothing changes, cached pages are rebuilt this often (time-windowed content
# such as the news sitemap's 48 hours moves on by itself).
MAX_TTL = 300


@dataclass(frozen=True)
class Snapshot:
    """The state public content is in: valid until an edit or the next scheduled publication."""

    version: str
    last_modified: datetime
    ttl: int


def caching_enabled() -> bool:
    """CACHE_URL=dummy:// turns off every cache layer, this process's own included."""
    enabled = _local.get("caching_enabled")
    if enabled is None:  # asked on every request: look at the backend once
        enabled = _local["caching_enabled"] = not isinstance(caches["default"], DummyCache)
    return enabled


@receiver(setting_changed)
def _forget_caching_choice(*, setting, **kwargs):
    if setting == "CACHES":
        _local.pop("caching_enabled", None)


def snapshot() -> Snapshot:
    now = time.time()
    if not caching_enabled():
        # No marker can be kept, so content counts as just changed (see above): nothing to ask
        # the database.
        return Snapshot(version=str(now), last_modified=timezone.now(), ttl=1)
    if _local["snapshot"] is not None and now < _local["until"]:
        return _local["snapshot"]
    try:
        state = _shared_snapshot()
    except DatabaseError:
        if _local["snapshot"] is None:
            raise
        # Database outage: keep serving what is cached under the last known state.
        logger.error("Database unavailable: serving cached pages of the last known state")
        return _local["snapshot"]
    _local["snapshot"], _local["until"] = state, now + min(LOCAL_SECONDS, state.ttl)
    return state


def _shared_snapshot() -> Snapshot:
    """Two cache round trips when warm; two small indexed queries after a change."""
    from articles.models import Article

    marker = content_changed_at()
    now = timezone.now()
    key = f"newsroom:snapshot:{marker.timestamp()}"
    try:
        cached = cache.get(key)
    except Exception:
        cached = None
    if cached is not None:
        last_modified_ts, valid_until_ts = cached
        if valid_until_ts > now.timestamp():
            return Snapshot(
                version=f"{marker.timestamp()}-{valid_until_ts}",
                last_modified=datetime.fromtimestamp(last_modified_ts, tz=UTC),
                ttl=max(1, int(valid_until_ts - now.timestamp())),
            )
    newest_live = (
        Article.objects.live().order_by("-published_at").values_list("published_at", flat=True)
    ).first()
    next_scheduled = (
        Article.objects.scheduled()
        .order_by("published_at")
        .values_list("published_at", flat=True)
        .first()
    )
    last_modified = max(marker, newest_live) if newest_live else marker
    valid_until = now.timestamp() + MAX_TTL
    if next_scheduled is not None:
        valid_until = min(valid_until, next_scheduled.timestamp())
    ttl = max(1, int(valid_until - now.timestamp()))
    try:
        cache.set(key, (last_modified.timestamp(), valid_until), ttl + 60)
    except Exception:
        logger.warning("Cache unavailable: freshness snapshot not stored", exc_info=True)
    return Snapshot(
        version=f"{marker.timestamp()}-{valid_until}", last_modified=last_modified, ttl=ttl
    )


def last_modified() -> datetime:
    return snapshot().last_modified


def _on_change(sender, **kwargs):
    mark_content_changed()


def connect_signals() -> None:
    from taggit.models import Tag

    from articles.models import (
        Article,
        ArticleRedirect,
        Author,
        Category,
        RelatedLink,
        TaggedArticle,
    )

    for model in (Article, Category, Author, RelatedLink, ArticleRedirect, Tag, TaggedArticle):
        post_save.connect(_on_change, sender=model, dispatch_uid=f"fresh-save-{model.__name__}")
        post_delete.connect(_on_change, sender=model, dispatch_uid=f"fresh-del-{model.__name__}")
    m2m_changed.connect(_on_change, sender=Article.authors.through, dispatch_uid="fresh-authors")
