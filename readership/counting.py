"""Counting reads in the shared cache, and folding each past minute into the database.

A minute's counts live under `reads:<minute>:<article id>`; the first read of an article in a
minute also takes a numbered slot (`reads:<minute>:slot:<n>`), so the fold can find them with
plain cache calls (add, incr, get_many), whichever cache backend runs.
"""

import hashlib
import hmac
import re
import time
import uuid
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.db.models import Case, F, Value, When

from articles.models import Article
from readership.models import FoldedMinute, ReadCount

# The rolling windows a ranking sums, by the hour.
WINDOWS = {"24h": timedelta(hours=24), "7d": timedelta(days=7)}
# One client's reads of one article count once in this long (a reload, a second tab).
REPEAT_SECONDS = 30 * 60
# A minute's counts wait this long in the cache for their fold (a stopped beat: folded later).
KEEP_MINUTES = 180
# Reads arriving this long after their minute ended still make it into its fold.
GRACE_SECONDS = 5
# A minute counts this many different articles at most: ids nobody publishes cannot fill the cache.
MAX_ARTICLES_PER_MINUTE = 5000
# What robots, link previews and scripts say they are; a browser says none of this.
AUTOMATED = re.compile(
    r"bot|crawl|spider|slurp|preview|fetch|monitor|curl|wget|python|httpclient|java/|"
    r"go-http|okhttp|headless|lighthouse|facebookexternalhit|embedly|scrapy",
    re.IGNORECASE,
)


def looks_automated(user_agent: str) -> bool:
    return not user_agent or bool(AUTOMATED.search(user_agent))


def client_digest(client: str, user_agent: str, article_id: int) -> str:
    """Who read what, unrecognisable and only for REPEAT_SECONDS in the cache."""
    message = f"{client}\n{user_agent}\n{article_id}".encode()
    key = hashlib.sha256(f"readership:{settings.SECRET_KEY}".encode()).digest()
    return hmac.new(key, message, hashlib.sha256).hexdigest()[:32]


def count_key(minute: int, article_id: int) -> str:
    return f"reads:{minute}:{article_id}"


def slots_key(minute: int) -> str:
    return f"reads:{minute}:slots"


def slot_key(minute: int, slot: int) -> str:
    return f"reads:{minute}:slot:{slot}"


def count_read(article_id: int, *, client: str, user_agent: str, now: float | None = None) -> bool:
    """Count one read of `article_id`; False if it does not count (a robot, or a repeat)."""
    if looks_automated(user_agent):
        return False
    if not cache.add(
        f"reads:seen:{client_digest(client, user_agent, article_id)}", 1, REPEAT_SECONDS
    ):
        return False
    minute = int((time.time() if now is None else now) // 60)
    keep = KEEP_MINUTES * 60
    if cache.add(count_key(minute, article_id), 1, keep):
        take_slot(minute, article_id)
        return True
    try:
        cache.incr(count_key(minute, article_id))
    except ValueError:  # it expired in between: a minute three hours old, start again
        cache.add(count_key(minute, article_id), 1, keep)
    return True


def take_slot(minute: int, article_id: int) -> None:
    cache.add(slots_key(minute), 0, KEEP_MINUTES * 60)
    slot = cache.incr(slots_key(minute))
    if slot <= MAX_ARTICLES_PER_MINUTE:
        cache.set(slot_key(minute, slot), article_id, KEEP_MINUTES * 60)


def counts_of_minute(minute: int) -> dict[int, int]:
    """The reads counted in `minute`, by article id (those not folded yet, or folded)."""
    slots = min(cache.get(slots_key(minute)) or 0, MAX_ARTICLES_PER_MINUTE)
    if not slots:
        return {}
    ids = cache.get_many([slot_key(minute, slot) for slot in range(1, slots + 1)]).values()
    counts = cache.get_many([count_key(minute, pk) for pk in ids])
    return {pk: counts[count_key(minute, pk)] for pk in ids if count_key(minute, pk) in counts}


def as_datetime(minute: int) -> datetime:
    return datetime.fromtimestamp(minute * 60, tz=UTC)


def this_cache_id() -> str:
    """Which cache holds the counts: the shared one, or this process's memory (locmem)."""
    cache.add("reads:cache-id", uuid.uuid4().hex, None)
    return cache.get("reads:cache-id")


def unfolded_minutes(now: float) -> list[int]:
    """Minutes that ended (with their grace) and hold counts, oldest first."""
    last_ended = int((now - GRACE_SECONDS) // 60) - 1
    minutes = range(last_ended - KEEP_MINUTES + 1, last_ended + 1)
    found = cache.get_many([slots_key(minute) for minute in minutes])
    return [minute for minute in minutes if found.get(slots_key(minute))]


def fold(now: float | None = None) -> int:
    """Fold every ended minute's counts into ReadCount, once; how many minutes were folded.
    One process folds at a time (another that finds it busy leaves the minutes to it)."""
    now = time.time() if now is None else now
    pending = unfolded_minutes(now)
    if not pending or not cache.add("reads:folding", 1, 120):
        return 0
    try:
        cache_id = this_cache_id()
        done = set(
            FoldedMinute.objects.filter(
                cache_id=cache_id, minute__in=[as_datetime(minute) for minute in pending]
            ).values_list("minute", flat=True)
        )
        folded = [
            minute
            for minute in pending
            if as_datetime(minute) not in done and fold_minute(minute, cache_id)
        ]
        if any(minute % 60 == 0 for minute in folded):  # once an hour, with or without beat
            forget_before(now)
        return len(folded)
    finally:
        cache.delete("reads:folding")


def fold_minute(minute: int, cache_id: str) -> bool:
    counts = counts_of_minute(minute)
    live = set(Article.objects.live().filter(pk__in=counts).values_list("pk", flat=True))
    counts = {pk: reads for pk, reads in counts.items() if pk in live}
    hour = as_datetime(minute - minute % 60)
    try:
        with transaction.atomic():
            FoldedMinute.objects.create(minute=as_datetime(minute), cache_id=cache_id)
            add_reads(hour, counts)
    except IntegrityError:  # another process folded it first
        return False
    return True


def add_reads(hour: datetime, counts: dict[int, int]) -> None:
    if not counts:
        return
    existing = set(
        ReadCount.objects.filter(hour=hour, article_id__in=counts).values_list(
            "article_id", flat=True
        )
    )
    if existing:
        more = Case(*(When(article_id=pk, then=Value(counts[pk])) for pk in existing))
        ReadCount.objects.filter(hour=hour, article_id__in=existing).update(reads=F("reads") + more)
    ReadCount.objects.bulk_create(
        ReadCount(article_id=pk, hour=hour, reads=reads)
        for pk, reads in counts.items()
        if pk not in existing
    )


def forget_before(now: float | None = None) -> int:
    """Counts older than the longest window, and fold records older than the cache keeps."""
    now = time.time() if now is None else now
    longest = max(WINDOWS.values())
    removed, _ = ReadCount.objects.filter(
        hour__lt=datetime.fromtimestamp(now, tz=UTC) - longest - timedelta(hours=1)
    ).delete()
    FoldedMinute.objects.filter(minute__lt=as_datetime(int(now // 60) - 2 * KEEP_MINUTES)).delete()
    return removed
