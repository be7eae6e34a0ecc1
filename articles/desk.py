"""The desk: what the admin's home shows each editor and writer about the work in hand.

A writer sees their own pieces by state; an editor sees what waits for them (review, oldest
first), what goes live and when (today, then this week), live coverage running, what was just
published and the latest corrections. Each section has a count and links to the article list
filtered the same way; a fixed number of queries whatever the number of articles.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlencode

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Exists, OuterRef, Prefetch, Subquery
from django.urls import reverse
from django.utils import timezone

from articles.models import Article, Author, Correction, EditorialNote
from articles.services import can_publish
from articles.visibility import goes_live_at

SHOWN = 6  # rows per section; the count and the link give the rest


@dataclass
class Section:
    key: str
    title: str
    rows: list
    count: int
    link: str
    empty: str
    when: str = "updated"  # which time each row shows: updated, goes_live, published, at


def article_list(**filters) -> str:
    return f"{reverse('admin:articles_article_changelist')}?{urlencode(filters)}"


def with_bylines(queryset):
    return queryset.select_related("category").prefetch_related(
        Prefetch("authors", queryset=Author.objects.only("name", "slug"))
    )


def section(key, title, queryset, *, link, empty, when="updated") -> Section:
    rows = list(with_bylines(queryset)[:SHOWN])
    count = len(rows) if len(rows) < SHOWN else queryset.count()
    return Section(key, title, rows, count, link, empty, when)


def start_of_day(now: datetime) -> datetime:
    return timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)


def open_requests_for_changes():
    return EditorialNote.objects.filter(
        article=OuterRef("pk"),
        kind=EditorialNote.Kind.CHANGES_REQUESTED,
        resolved_at__isnull=True,
    ).order_by("-written_at")


def returned(queryset):
    """Pieces sent back with changes requested that nobody marked resolved, with the note."""
    requests = open_requests_for_changes()
    return queryset.filter(Exists(requests)).annotate(
        returned_note=Subquery(requests.values("text")[:1])
    )


def writer_sections(user: AbstractBaseUser) -> list[Section]:
    mine = Article.objects.filter(authors__user=user)
    return [
        section(
            "returned",
            "Returned to me",
            returned(mine).order_by("-updated_at"),
            link=article_list(returned="1", mine="1"),
            empty="Nothing was sent back to you.",
            when="returned",
        ),
        section(
            "my-drafts",
            "My drafts",
            mine.filter(status=Article.Status.DRAFT).order_by("-updated_at"),
            link=article_list(state="draft", mine="1"),
            empty="No drafts: start one with “Add article”.",
        ),
        section(
            "my-review",
            "Mine in review",
            mine.filter(status=Article.Status.REVIEW).order_by("updated_at"),
            link=article_list(state="review", mine="1"),
            empty="Nothing of yours is waiting for an editor.",
        ),
        section(
            "my-published",
            "My recently published",
            mine.live().order_by("-published_at"),
            link=article_list(state="live", mine="1"),
            empty="Nothing published yet.",
            when="published",
        ),
    ]


def editor_sections(now: datetime) -> list[Section]:
    going_live = Article.objects.scheduled(now=now).annotate(goes_live=goes_live_at())
    tomorrow = start_of_day(now) + timedelta(days=1)
    return [
        section(
            "review",
            "Awaiting review",
            Article.objects.filter(status=Article.Status.REVIEW).order_by("updated_at", "pk"),
            link=article_list(state="review"),
            empty="Nothing is waiting for review.",
        ),
        section(
            "today",
            "Going live today",
            going_live.filter(goes_live__lt=tomorrow).order_by("goes_live", "pk"),
            link=article_list(state="scheduled", goes_live="today"),
            empty="Nothing else goes live today.",
            when="goes_live",
        ),
        section(
            "this-week",
            "Later this week",
            going_live.filter(
                goes_live__gte=tomorrow, goes_live__lt=tomorrow + timedelta(days=6)
            ).order_by("goes_live", "pk"),
            link=article_list(state="scheduled", goes_live="rest_of_week"),
            empty="Nothing is scheduled for the rest of the week.",
            when="goes_live",
        ),
        section(
            "live-coverage",
            "Live coverage running",
            Article.objects.live(now=now)
            .with_live_coverage_running(now=now)
            .order_by("-live_coverage_started_at"),
            link=article_list(state="live", live_coverage="running"),
            empty="No live coverage is running.",
        ),
        section(
            "published",
            "Recently published",
            Article.objects.live(now=now).order_by("-published_at", "-pk"),
            link=article_list(state="live"),
            empty="Nothing published yet.",
            when="published",
        ),
    ]


def latest_corrections() -> list[Correction]:
    return list(
        Correction.objects.select_related("article").only(
            "kind", "text", "at", "article__title", "article__slug"
        )[:SHOWN]
    )


def desk_for(user: AbstractBaseUser, *, now: datetime | None = None) -> dict:
    now = now or timezone.now()
    editor = can_publish(user)
    sections = writer_sections(user) if not editor else editor_sections(now)
    return {
        "is_editor": editor,
        "sections": sections,
        "corrections": latest_corrections() if editor else [],
        "corrections_link": reverse("admin:articles_correction_changelist"),
    }
