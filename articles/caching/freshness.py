"""Has public content changed? The one answer every cache layer and validator keys on.

The source of truth is a counter row in the database (`ContentGeneration`). Every save or delete
of anything a page, feed, sitemap or API response shows bumps it **in the same transaction** as
the change, so the new count becomes visible to other processes exactly when the data does: a
reader who sees the new count reads the committed data, and a reader still on the old count
stores what it builds under the old count, which nobody asks for once the new count is read.
That holds for every process (web workers, management commands, other nodes), whatever the cache
backend, because they all read the same database.

Each process reads the counter at most once per FRESHNESS_CHECK_SECONDS (one indexed query that
also finds the newest live and the next scheduled article); a change made in this process forgets
that memo at once. A scheduled article going live changes no row, so the newest live publication
time is part of the version too. Every cached response also expires MAX_TTL seconds after it was
made (or when the next scheduled article is due), so time-windowed content (the news sitemap's 48
hours) moves on by itself.

Writes that bypass the ORM's signals (a manual SQL fix, `QuerySet.update()`) are seen within
MAX_TTL seconds, or at once after `manage.py content_changed`.
"""

import logging
import time
from dataclasses import dataclass
from datetime import UTC, datetime

from django.apps import apps
from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.dummy import DummyCache
from django.core.signals import setting_changed
from django.db import DatabaseError, router, transaction
from django.db.models import F, Subquery
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver
from django.utils import timezone

from articles.querysets import goes_live_at

logger = logging.getLogger(__name__)

# However long nothing changes, a cached response is rebuilt this long after it was made
# (time-windowed content such as the news sitemap's 48 hours moves on by itself).
MAX_TTL = 300
GENERATION_ID = 1

_local: dict = {"until": 0.0, "snapshot": None}


@dataclass(frozen=True)
class Snapshot:
    """The state public content is in: valid until an edit or the next scheduled publication."""

    version: str
    last_modified: datetime
    ttl: int


def forget_local_snapshot() -> None:
    _local["until"], _local["snapshot"] = 0.0, None


def content_changed(*, using: str | None = None) -> None:
    """Record a change to public content in the current transaction of database `using`."""
    ContentGeneration = apps.get_model("articles", "ContentGeneration")
    db = using or router.db_for_write(ContentGeneration)
    now = timezone.now()
    generations = ContentGeneration.objects.using(db)
    if not generations.filter(pk=GENERATION_ID).update(value=F("value") + 1, changed_at=now):
        # The row is made by a migration; it is only missing after a flush.
        generations.get_or_create(pk=GENERATION_ID, defaults={"value": 1, "changed_at": now})
    forget_local_snapshot()
    # A request of this process may read the old count before the commit: read it again after.
    transaction.on_commit(forget_local_snapshot, using=db)


def caching_enabled() -> bool:
    """CACHE_URL=dummy:// turns off every cache layer, this process's own included."""
    enabled = _local.get("caching_enabled")
    if enabled is None:  # asked on every request: look at the backend once
        enabled = _local["caching_enabled"] = not isinstance(caches["default"], DummyCache)
    return enabled


@receiver(setting_changed)
def _forget_settings(*, setting, **kwargs):
    if setting == "CACHES":
        _local.pop("caching_enabled", None)
    if setting == "FRESHNESS_CHECK_SECONDS":
        forget_local_snapshot()


def snapshot() -> Snapshot:
    now = time.time()
    if not caching_enabled():
        # Nothing is cached, so nothing needs a version: content counts as just changed, and
        # the database is not asked.
        return Snapshot(version=str(now), last_modified=timezone.now(), ttl=1)
    if _local["snapshot"] is not None and now < _local["until"]:
        return _local["snapshot"]
    try:
        state = read_snapshot()
    except DatabaseError:
        if _local["snapshot"] is None:
            raise
        # Database outage: keep serving what is cached under the last known state.
        logger.error("Database unavailable: serving cached pages of the last known state")
        return _local["snapshot"]
    check_seconds = settings.FRESHNESS_CHECK_SECONDS
    _local["snapshot"], _local["until"] = state, now + min(check_seconds, state.ttl)
    return state


def read_snapshot() -> Snapshot:
    """The content state from the database, in one query. Every process that reads the same
    rows works out the same version and Last-Modified."""
    Article = apps.get_model("articles", "Article")
    ContentGeneration = apps.get_model("articles", "ContentGeneration")
    now = timezone.now()
    newest_live = Article.objects.live(now=now).order_by("-published_at").values("published_at")
    next_scheduled = (
        Article.objects.scheduled(now=now)
        .annotate(goes_live_at=goes_live_at())
        .order_by("goes_live_at")
        .values("goes_live_at")
    )
    row = (
        ContentGeneration.objects.filter(pk=GENERATION_ID)
        .annotate(
            newest_live=Subquery(newest_live[:1]), next_scheduled=Subquery(next_scheduled[:1])
        )
        .values_list("value", "changed_at", "newest_live", "next_scheduled")
        .first()
    )
    generation, changed_at, newest_live_at, next_scheduled_at = row or (0, None, None, None)
    if row is None:  # no row yet (a flushed database): the newest live article still counts
        newest_live_at = newest_live.values_list("published_at", flat=True).first()
        next_scheduled_at = next_scheduled.values_list("goes_live_at", flat=True).first()
    return build_snapshot(generation, changed_at, newest_live_at, next_scheduled_at, now)


def build_snapshot(generation, changed_at, newest_live_at, next_scheduled_at, now) -> Snapshot:
    ttl = MAX_TTL
    if next_scheduled_at is not None:
        ttl = min(ttl, next_scheduled_at.timestamp() - now.timestamp())
    newest_live_ts = newest_live_at.timestamp() if newest_live_at else 0
    last_modified = max(
        filter(None, [changed_at, newest_live_at]), default=datetime.fromtimestamp(0, tz=UTC)
    )
    return Snapshot(
        version=f"{generation}.{newest_live_ts:.6f}",
        last_modified=last_modified,
        ttl=max(1, int(ttl)),
    )


def last_modified() -> datetime:
    return snapshot().last_modified


def _on_save_or_delete(sender, *, using=None, **kwargs):
    content_changed(using=using)


def _on_m2m_change(sender, *, action, using=None, **kwargs):
    if action.startswith("post_"):
        content_changed(using=using)


# What a page, feed, sitemap or API response shows (PartnerKey: its cached lookups are keyed on
# the version too, so a revocation reaches every process within a second).
WATCHED_MODELS = (
    "articles.Article",
    "articles.Category",
    "articles.Author",
    "articles.RelatedLink",
    "articles.ArticleRedirect",
    "articles.TaggedArticle",
    "articles.PartnerKey",
    "articles.Correction",
    "articles.LiveEntry",
    "taggit.Tag",
)
WATCHED_RELATIONS = ("articles.Article_authors", "articles.TaggedArticle")


def connect_signals() -> None:
    for label in WATCHED_MODELS:
        post_save.connect(_on_save_or_delete, sender=label, dispatch_uid=f"fresh-save-{label}")
        post_delete.connect(_on_save_or_delete, sender=label, dispatch_uid=f"fresh-del-{label}")
    for label in WATCHED_RELATIONS:
        m2m_changed.connect(_on_m2m_change, sender=label, dispatch_uid=f"fresh-m2m-{label}")
