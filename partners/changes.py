"""The changes feed: what a partner mirroring our articles must update or remove since a time.

Two streams merged in one stable order (changed_at, kind, id): live articles by the latest of
their last edit, their publication time and their embargo's end (a scheduled or embargoed
article "changes" when it goes live; a correction or a live entry moves its last edit),
and tombstones for live articles that were unpublished or deleted.
"""

from dataclasses import dataclass
from datetime import datetime

from django.core import signing
from django.db.models import Case, F, Q, When
from django.db.models.functions import Greatest
from django.utils import timezone
from rest_framework.utils.urls import replace_query_param

from articles.labels import attach_labels
from articles.models import Article, ArticleWithdrawal
from articles.visibility import goes_live_at
from partners.api.exceptions import ParameterNotFound
from partners.api.serializers import listing_rows

CURSOR_SALT = "newsroom.api.changes"
UPDATED, WITHDRAWN = 0, 1


@dataclass
class Change:
    change: str
    id: int
    slug: str
    changed_at: datetime
    reason: str | None
    article: dict | None  # a listing_rows() row
    rank: int
    key: int  # the tie-breaker: article id for updates, tombstone id for withdrawals

    @property
    def position(self) -> tuple[datetime, int, int]:
        return (self.changed_at, self.rank, self.key)

    @classmethod
    def updated(cls, row: dict) -> "Change":
        """A live article (an updated_rows() row) to upsert."""
        return cls(
            "updated", row["id"], row["slug"], row["changed_at"], None, row, UPDATED, row["id"]
        )

    @classmethod
    def withdrawn(cls, withdrawal: ArticleWithdrawal) -> "Change":
        """A tombstone: the article was unpublished or deleted. The feed and the webhook give
        the same stored row, so the two entries are the same to the byte."""
        return cls(
            "withdrawn",
            withdrawal.article_id,
            withdrawal.slug,
            withdrawal.withdrawn_at,
            withdrawal.reason,
            None,
            WITHDRAWN,
            withdrawal.pk,
        )


def updated_rows(*, embargoed_copy: bool = False):
    """Live articles as the feed gives them, each changed at the latest of its last edit, its
    publication time and its embargo's end; with embargoed_copy, articles under embargo too
    (for keys with the permission), changed at their last edit until the embargo ends."""
    if not embargoed_copy:
        return listing_rows(Article.objects.live()).annotate(
            changed_at=Greatest("updated_at", goes_live_at())
        )
    now = timezone.now()
    return listing_rows(Article.objects.live_or_embargoed(now=now)).annotate(
        changed_at=Case(
            When(embargoed_until__gt=now, then=F("updated_at")),
            default=Greatest("updated_at", goes_live_at()),
        )
    )


def withdrawals(*, embargoed_copy: bool = False):
    """The tombstones a key's feed gives: of the articles that key saw."""
    hidden_from_this_key = (
        ArticleWithdrawal.Audience.PUBLIC_COPY
        if embargoed_copy
        else ArticleWithdrawal.Audience.EMBARGOED_COPY
    )
    return ArticleWithdrawal.objects.exclude(audience=hidden_from_this_key)


def _after(field: str, rank: int, position) -> Q:
    changed_at, last_rank, key = position
    later = Q(**{f"{field}__gt": changed_at})
    if rank > last_rank:
        return later | Q(**{field: changed_at})
    if rank == last_rank:
        return later | Q(**{field: changed_at, "pk__gt": key})
    return later


def changes_since(
    since: datetime, *, position=None, limit: int, embargoed_copy: bool = False
) -> list[Change]:
    updated = updated_rows(embargoed_copy=embargoed_copy).filter(changed_at__gte=since)
    withdrawn = withdrawals(embargoed_copy=embargoed_copy).filter(withdrawn_at__gte=since)
    if position is not None:
        updated = updated.filter(_after("changed_at", UPDATED, position))
        withdrawn = withdrawn.filter(_after("withdrawn_at", WITHDRAWN, position))
    changes = [Change.updated(row) for row in updated.order_by("changed_at", "pk")[:limit]] + [
        Change.withdrawn(withdrawal)
        for withdrawal in withdrawn.order_by("withdrawn_at", "pk")[:limit]
    ]
    changes = sorted(changes, key=lambda change: change.position)[:limit]
    attach_labels([change.article for change in changes if change.article])
    return changes


class ChangesPagination:
    """Forward-only cursor over the merged stream; `next` is null once a partner is caught up."""

    def __init__(self, request, page_size: int, *, embargoed_copy: bool = False):
        self.request = request
        self.page_size = page_size
        self.embargoed_copy = embargoed_copy

    def page(self, since: datetime) -> tuple[list[Change], str | None]:
        position = self.decode(self.request.query_params.get("cursor"), since)
        rows = changes_since(
            since,
            position=position,
            limit=self.page_size + 1,
            embargoed_copy=self.embargoed_copy,
        )
        page = rows[: self.page_size]
        next_link = self.encode(since, page[-1].position) if len(rows) > self.page_size else None
        return page, next_link

    def encode(self, since: datetime, position) -> str:
        changed_at, rank, key = position
        token = signing.dumps(
            [since.isoformat(), changed_at.isoformat(), rank, key], salt=CURSOR_SALT
        )
        return replace_query_param(self.request.build_absolute_uri(), "cursor", token)

    @staticmethod
    def decode(token: str | None, since: datetime):
        if token is None:
            return None
        try:
            cursor_since, changed_at, rank, key = signing.loads(token, salt=CURSOR_SALT)
            if datetime.fromisoformat(cursor_since) != since or rank not in (UPDATED, WITHDRAWN):
                raise ValueError
            return datetime.fromisoformat(changed_at), int(rank), int(key)
        except (signing.BadSignature, ValueError, TypeError):
            raise ParameterNotFound(
                {
                    "cursor": [
                        "Invalid cursor: use the `next` link of a response with the same `since`."
                    ]
                }
            ) from None
