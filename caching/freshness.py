"""Has public content changed? The one answer every cache layer and validator keys on.

The source of truth is a counter row in the database (`ContentGeneration`). Every save or delete
that a declaration (caching.dependencies) says a page, feed, sitemap or API response shows bumps
it **in the same transaction** as the change, so the new count becomes visible to other processes exactly when the data does: a
reader who sees the new count reads the committed data, and a reader still on the old count
stores what it builds under the old count, which nobody asks for once the new count is read.
That holds for every process (web workers, management commands, other nodes), whatever the cache
backend, because they all read the same database.

Each process reads the counter at most once per FRESHNESS_CHECK_SECONDS (one indexed query that
also finds the newest live and the next scheduled article); a change made in this process forgets
that memo at once. A scheduled article going live changes no row, so the newest live publication
time is part of the version too: the content app tells this module, once, how to find the newest
live and the next scheduled publication (`watch_schedule`). Every cached response also expires MAX_TTL seconds after it was
made (or when the next scheduled article is due), so time-windowed content (the news sitemap's 48
hours) moves on by itself.

Writes that bypass the ORM's signals (a manual SQL fix, `QuerySet.update()`) are seen within
MAX_TTL seconds, or at once after `manage.py content_changed`.
"""

import logging
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

from django.apps import apps
from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.dummy import DummyCache
from django.core.signals import setting_changed
from django.db import DatabaseError, router, transaction
from django.db.models import F, QuerySet, Subquery
from django.dispatch import receiver
from django.utils import timezone

logger = logging.getLogger(__name__)

# However long nothing changes, a cached response is rebuilt this long after it was made
# (time-windowed content such as the news sitemap's 48 hours moves on by itself).
MAX_TTL = 300
GENERATION_ID = 1

_local: dict = {"until": 0.0, "snapshot": None}

# (newest live, next scheduled) for a time: two one-column querysets, set by watch_schedule().
Schedule = Callable[[datetime], tuple[QuerySet, QuerySet]]
_schedule: dict[str, Schedule] = {}


def watch_schedule(schedule: Schedule) -> None:
    """How to find, for a time, the newest live publication time and the next time something goes
    live by itself (each a one-column queryset, newest or soonest first): the content app's rule,
    which this package does not know."""
    _schedule["queries"] = schedule


@dataclass(frozen=True)
class Snapshot:
    """The state public content is in: valid until an edit or the next scheduled publication."""

    version: str
    last_modified: datetime
    ttl: int


def forget_local_snapshot() -> None:
    _local["until"], _local["snapshot"] = 0.0, None


def content_changed(*, using: str | None = None, tags: Iterable[str] = ()) -> None:
    """Record a change to public content in the current transaction of database `using`. `tags`
    name what it makes stale (see caching.dependencies); today any change moves every key."""
    ContentGeneration = apps.get_model("caching", "ContentGeneration")
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
    ContentGeneration = apps.get_model("caching", "ContentGeneration")
    now = timezone.now()
    newest_live, next_scheduled = _schedule["queries"](now)
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
        newest_live_at, next_scheduled_at = first_value(newest_live), first_value(next_scheduled)
    return build_snapshot(generation, changed_at, newest_live_at, next_scheduled_at, now)


def first_value(queryset: QuerySet):
    row = queryset.first()  # a one-column values() row
    return next(iter(row.values())) if row else None


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
