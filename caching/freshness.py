"""Is a cached response still current? The one answer every cache layer and validator asks.

Two sources of truth, both in the database, both written **in the same transaction** as the
change they stand for, so another process sees them exactly when it sees the data:

- **Tag counts** (`TagCount`): a change names what it makes stale (caching.dependencies) and adds
  one to each of those tags. A cached entry keeps the counts of its tags as they were when it
  started to be built; it is current while none of them has grown. A draft's save names nothing,
  so it makes nothing stale; a typo fix on a live article names its page and its rows in lists;
  publishing names the lists it joins.
- **The generation** (`ContentGeneration`): a change that names no tag (`manage.py
  content_changed`, an import) moves it, and with it every entry. So does a scheduled or
  embargoed article going live, which changes no row: the content app tells this module how to
  find the latest such go-live and the next one (`watch_schedule`).

Each process reads both at most once per FRESHNESS_CHECK_SECONDS: the generation and schedule in
one query, and the counts of the tags changed since its last read (TAG_WINDOW seconds back, to
cover transactions that committed late) in another; every MAX_TTL seconds it reads every count
again. A change made by the process itself is seen at once. An entry built from data read before
a change committed keeps the counts from before it, so it is never taken for current afterwards.
Every cached response also expires MAX_TTL seconds after it was made, so time-windowed content
(the news sitemap's 48 hours) moves on by itself, and a transaction open longer than TAG_WINDOW
is seen within MAX_TTL of its commit.

Writes that bypass the ORM's signals (a manual SQL fix, `QuerySet.update()`) are seen within
MAX_TTL seconds, or at once after `manage.py content_changed`.
"""

import logging
import secrets
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from django.apps import apps
from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.dummy import DummyCache
from django.core.signals import setting_changed
from django.db import DatabaseError, IntegrityError, connections, router, transaction
from django.db.models import DateTimeField, F, Max, QuerySet, Subquery, Sum, Value
from django.dispatch import receiver
from django.utils import timezone

from caching.tags import EVERYTHING

logger = logging.getLogger(__name__)

# However long nothing changes, a cached response is rebuilt this long after it was made
# (time-windowed content such as the news sitemap's 48 hours moves on by itself).
MAX_TTL = 300
GENERATION_ID = 1
# How far back each read of the tag counts looks: a change whose transaction stayed open longer
# than this before it committed is seen at the next full read (at most MAX_TTL later).
TAG_WINDOW = 30
EPOCH = datetime.fromtimestamp(0, tz=UTC)

_local: dict = {"until": 0.0, "snapshot": None, "counts": {}, "full_read_at": 0.0}

# (latest unattended go-live, next go-live) for a time: two one-column querysets, newest or
# soonest first, set by watch_schedule().
Schedule = Callable[[datetime], tuple[QuerySet, QuerySet]]
_schedule: dict[str, Schedule] = {}


def watch_schedule(schedule: Schedule) -> None:
    """How to find, for a time, when content last went live by itself (a scheduled or embargoed
    article coming due, with no save since) and when it next will: the content app's rule, which
    this package does not know."""
    _schedule["queries"] = schedule


@dataclass(frozen=True)
class Snapshot:
    """The state public content is in, as this process last read it."""

    version: str  # the generation and the latest unattended go-live
    last_modified: datetime  # of the generation
    ttl: int  # seconds until the next go-live, at most MAX_TTL
    # tag: (count, last changed) for every tag this process has seen named.
    counts: Mapping[str, tuple[int, datetime]] = field(default_factory=dict)

    def counts_of(self, tags: Iterable[str]) -> dict[str, int]:
        """What an entry built now keeps: the count of each of its tags."""
        return {tag: self.counts.get(tag, (0, EPOCH))[0] for tag in tags}

    def is_current(self, version: str, counts: Mapping[str, int]) -> bool:
        """Whether an entry built under `version` with these counts shows today's content (an
        entry built by a process that read more recently is current too)."""
        if version != self.version:
            return False
        known = self.counts
        return all(count >= known.get(tag, (0,))[0] for tag, count in counts.items())

    def last_modified_of(self, tags: Iterable[str]) -> datetime:
        """When what these tags name last changed: the same answer in every process."""
        changed = [self.counts[tag][1] for tag in tags if tag in self.counts]
        return max([self.last_modified, *changed])


def forget_local_snapshot() -> None:
    _local["until"], _local["snapshot"] = 0.0, None


def content_changed(*, using: str | None = None, tags: Iterable[str] = ()) -> None:
    """Record a change to public content in the current transaction of database `using`: the
    responses tagged `tags` are stale; without tags, every response is."""
    tags = set(tags) - {EVERYTHING}
    db = using or router.db_for_write(apps.get_model("caching", "ContentGeneration"))
    if tags:
        count_tags(tags, db)
    else:
        move_generation(db)
    forget_local_snapshot()
    # A request of this process may read the old counts before the commit: read them after.
    transaction.on_commit(forget_local_snapshot, using=db)
    transaction.on_commit(lambda: purge(tags or {EVERYTHING}), using=db)


def move_generation(db: str) -> None:
    ContentGeneration = apps.get_model("caching", "ContentGeneration")
    now = timezone.now()
    generations = ContentGeneration.objects.using(db)
    if not generations.filter(pk=GENERATION_ID).update(value=F("value") + 1, changed_at=now):
        # The row is made by a migration; it is only missing after a flush.
        generations.get_or_create(pk=GENERATION_ID, defaults={"value": 1, "changed_at": now})


def count_tags(tags: set[str], db: str) -> None:
    """Add one to a row of each tag that no other open transaction holds (PostgreSQL's SKIP
    LOCKED), or to a new row of it: two changes naming the same tag never wait for each other.
    (SQLite has one writer at a time: one row per tag.)"""
    TagCount = apps.get_model("caching", "TagCount")
    rows, now = TagCount.objects.using(db), timezone.now()
    with transaction.atomic(using=db):
        if not connections[db].features.has_select_for_update_skip_locked:
            rows.bulk_create(
                [TagCount(tag=tag, count=0, changed_at=now) for tag in sorted(tags)],
                ignore_conflicts=True,
            )
            rows.filter(tag__in=tags).update(count=F("count") + 1, changed_at=now)
            return
        free = {}
        held = rows.select_for_update(skip_locked=True).filter(tag__in=tags).order_by("stripe")
        for pk, tag in held.values_list("pk", "tag"):
            free.setdefault(tag, pk)
        rows.filter(pk__in=free.values()).update(count=F("count") + 1, changed_at=now)
        # Every row of these tags is held by other open transactions: a row of their own.
        add_stripes(rows, tags - free.keys(), now)


def add_stripes(rows: QuerySet, tags: set[str], now: datetime) -> None:
    model = rows.model
    while tags:
        try:
            with transaction.atomic(using=rows.db):
                stripes = [
                    model(tag=tag, stripe=secrets.randbelow(2**31), count=1, changed_at=now)
                    for tag in sorted(tags)
                ]
                rows.bulk_create(stripes)
            return
        except IntegrityError:  # a stripe number drawn twice for a tag: draw again
            continue


def purge(tags: set[str]) -> None:
    """Tell the cache in front (NEWSROOM_PURGE_URL) to drop what these tags name."""
    if settings.PURGE_URL:
        from caching import purging  # the HTTP client only where purging is configured

        purging.send(tags)


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


def forget_counts() -> None:
    """Read every tag count again at the next snapshot (tests; a flushed database)."""
    _local["counts"], _local["full_read_at"] = {}, 0.0
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
    """The content state from the database, in one query: the generation and schedule, and the
    tag counts changed since the last read (every count, once per MAX_TTL). Every process that
    reads the same rows works out the same version, counts and Last-Modified."""
    ContentGeneration = apps.get_model("caching", "ContentGeneration")
    TagCount = apps.get_model("caching", "TagCount")
    now = timezone.now()
    went_live, next_scheduled = _schedule["queries"](now)
    moment = DateTimeField()
    state = ContentGeneration.objects.filter(pk=GENERATION_ID).values_list(
        Value(""),
        "value",
        "changed_at",
        Subquery(went_live[:1], output_field=moment),
        Subquery(next_scheduled[:1], output_field=moment),
    )
    full = time.time() - _local["full_read_at"] >= MAX_TTL
    counts = TagCount.objects.all()
    if not full:
        recent = TagCount.objects.filter(changed_at__gte=now - timedelta(seconds=TAG_WINDOW))
        counts = counts.filter(tag__in=recent.values("tag"))
    counts = (
        counts.order_by()
        .values("tag")
        .annotate(n=Sum("count"), at=Max("changed_at"), none=Value(None, moment))
        .values_list("tag", "n", "at", "none", "none")
    )
    generation, changed_at, went_live_at, next_scheduled_at = 0, None, None, None
    known = dict(_local["counts"])
    found_generation = False
    for tag, count, at, went, upcoming in state.union(counts, all=True):
        if tag == "":  # the generation row (no tag is empty)
            generation, changed_at, went_live_at, next_scheduled_at = count, at, went, upcoming
            found_generation = True
        else:
            known[tag] = (count, at)
    if not found_generation:  # no row yet (a flushed database): the schedule still counts
        went_live_at, next_scheduled_at = first_value(went_live), first_value(next_scheduled)
    if full:
        _local["full_read_at"] = time.time()
    _local["counts"] = known
    return build_snapshot(generation, changed_at, went_live_at, next_scheduled_at, now, known)


def first_value(queryset: QuerySet):
    row = queryset.first()  # a one-column values() row
    return next(iter(row.values())) if row else None


def build_snapshot(
    generation, changed_at, went_live_at, next_scheduled_at, now, counts=None
) -> Snapshot:
    ttl = MAX_TTL
    if next_scheduled_at is not None:
        ttl = min(ttl, next_scheduled_at.timestamp() - now.timestamp())
    went_live_ts = went_live_at.timestamp() if went_live_at else 0
    last_modified = max(filter(None, [changed_at, went_live_at]), default=EPOCH)
    return Snapshot(
        version=f"{generation}.{went_live_ts:.6f}",
        last_modified=last_modified,
        ttl=max(1, int(ttl)),
        counts=counts or {},
    )


def last_modified() -> datetime:
    return snapshot().last_modified
