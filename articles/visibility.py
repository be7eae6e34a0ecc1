"""The one visibility rule, in the two forms it is needed in: a condition for queries
(ArticleQuerySet.live() and its relatives) and a test of one row already in memory (badges,
tombstones, the receivers of a save)."""

from datetime import datetime

from django.db import models
from django.db.models.functions import Coalesce, Greatest
from django.utils import timezone


class ArticleStatus(models.TextChoices):
    """Article.Status: where an article is in the editorial workflow."""

    DRAFT = "draft", "Draft"
    REVIEW = "review", "In review"
    PUBLISHED = "published", "Published"


def live_condition(prefix: str = "", *, now: datetime | None = None) -> models.Q:
    """live()'s rule as a condition, also for articles reached through a relation (prefix
    "target__"): tested on the joined row, where `target__in=live()` made PostgreSQL hash every
    live article's id to check a page's three links."""
    now = now or timezone.now()
    return models.Q(
        **{f"{prefix}status": ArticleStatus.PUBLISHED, f"{prefix}published_at__lte": now}
    ) & (
        models.Q(**{f"{prefix}embargoed_until__isnull": True})
        | models.Q(**{f"{prefix}embargoed_until__lte": now})
    )


def goes_live_at() -> models.Expression:
    """When a published article becomes live: its publication time, or its embargo's end if
    that is later."""
    return Greatest("published_at", Coalesce("embargoed_until", "published_at"))


def is_live_state(status: str, published_at, embargoed_until=None) -> bool:
    """live()'s rule for one row already in memory (badges, tombstones)."""
    now = timezone.now()
    return (
        status == ArticleStatus.PUBLISHED
        and published_at is not None
        and published_at <= now
        and (embargoed_until is None or embargoed_until <= now)
    )


def is_embargoed_copy_state(status: str, embargoed_until) -> bool:
    """embargoed()'s rule for one row: what keys with the embargoed-copy permission see ahead of
    readers."""
    return status == ArticleStatus.PUBLISHED and is_under_embargo(embargoed_until)


def was_embargoed_copy(state: dict) -> bool:
    return is_embargoed_copy_state(state["status"], state["embargoed_until"])


def is_under_embargo(embargoed_until, now=None) -> bool:
    return embargoed_until is not None and embargoed_until > (now or timezone.now())


def coverage_runs(started, ended, now=None) -> bool:
    """Whether live coverage with these start and end times is running (by `now`)."""
    now = now or timezone.now()
    return started is not None and started <= now and (ended is None or ended > now)


def was_live(state: dict) -> bool:
    """Whether a stored row (status, published_at, embargoed_until) was live a moment ago."""
    return is_live_state(state["status"], state["published_at"], state["embargoed_until"])
