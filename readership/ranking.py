"""The most-read live articles of a rolling window, rebuilt at most once a minute."""

import time
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime

from django.db.models import Sum

from articles.models import Article
from caching import tags
from caching.versioned import remember
from readership.counting import WINDOWS, counts_of_minute, fold
from readership.models import ReadCount

# How many a ranking holds.
TOP = 5


@dataclass(frozen=True)
class Ranked:
    article: Article  # a card's fields and its section (shared between requests: never change)
    reads: int


def most_read(window: str = "24h", *, now: float | None = None) -> list[Ranked]:
    """The TOP most-read live articles of `window` ("24h" or "7d"): the same for a minute, and
    rebuilt at once if one of them stops being live."""
    if window not in WINDOWS:
        raise ValueError(f"window must be one of {', '.join(WINDOWS)}")
    now = time.time() if now is None else now
    minute = int(now // 60)
    return remember(f"most-read:{window}:{minute}", lambda: rank(window, now))


def rank(window: str, now: float) -> list[Ranked]:
    fold(now)
    totals = counted_totals(window, now)
    # The minutes not folded yet (this one, and the last one within its grace) count too.
    minute = int(now // 60)
    for recent in {minute, int((now - 5) // 60)}:
        totals.update(counts_of_minute(recent))
    candidates = sorted(totals, key=lambda pk: (-totals[pk], pk))[: TOP * 3]
    cards = (
        Article.objects.live()
        .select_related("category")
        .only("slug", "title", "category__slug", "category__name")
        .in_bulk(candidates)
    )
    ranked = [Ranked(cards[pk], totals[pk]) for pk in candidates if pk in cards][:TOP]
    # Which articles are live decides it; each shown card's title too.
    tags.add("list:all", *(f"card:{item.article.pk}" for item in ranked))
    return ranked


def counted_totals(window: str, now: float) -> Counter:
    since = datetime.fromtimestamp(now, tz=UTC) - WINDOWS[window]
    hours = ReadCount.objects.filter(hour__gte=since.replace(minute=0, second=0, microsecond=0))
    return Counter(
        dict(
            hours.values("article_id")
            .annotate(total=Sum("reads"))
            .values_list("article_id", "total")
            .order_by()
        )
    )
