"""Editorial workflow: draft → review → published (now or scheduled) → back to draft.

Each transition checks the editor's permission itself, so no form, action or forged POST can
skip it. Only holders of `articles.publish_article` may publish, schedule or unpublish.
"""

from datetime import datetime
from typing import NamedTuple

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from articles.models import Article
from articles.notifications import tell_editors_it_was_submitted, tell_writers_it_was_published

PUBLISH_PERMISSION = "articles.publish_article"


def can_publish(user: AbstractBaseUser) -> bool:
    return user.has_perm(PUBLISH_PERMISSION)


def require_publisher(user: AbstractBaseUser) -> None:
    if not can_publish(user):
        raise PermissionDenied("Only editors can publish, schedule or unpublish articles.")


@transaction.atomic
def article_submit_for_review(
    *, article: Article, by: AbstractBaseUser, expected_version: int | None = None
) -> Article:
    if article.status == Article.Status.PUBLISHED:
        require_publisher(by)  # taking a live or scheduled piece off the site is unpublishing
    article.status = Article.Status.REVIEW
    article.save(expected_version=expected_version)
    tell_editors_it_was_submitted(article, by)
    return article


@transaction.atomic
def article_publish(
    *,
    article: Article,
    by: AbstractBaseUser,
    at: datetime | None = None,
    expected_version: int | None = None,
) -> Article:
    """Publish now (at=None) or at a given time; a future time schedules the article."""
    require_publisher(by)
    article.status = Article.Status.PUBLISHED
    article.published_at = at or timezone.now()
    article.save(expected_version=expected_version)
    tell_writers_it_was_published(article, by)
    return article


@transaction.atomic
def article_schedule(
    *,
    article: Article,
    by: AbstractBaseUser,
    at: datetime | None,
    expected_version: int | None = None,
) -> Article:
    if at is None or at <= timezone.now():
        raise ValidationError(
            {"published_at": "To schedule, choose a publication time in the future."}
        )
    return article_publish(article=article, by=by, at=at, expected_version=expected_version)


@transaction.atomic
def article_unpublish(
    *, article: Article, by: AbstractBaseUser, expected_version: int | None = None
) -> Article:
    """Back to draft: gone from the site and the API at once."""
    require_publisher(by)
    article.status = Article.Status.DRAFT
    article.save(expected_version=expected_version)
    return article


def article_set_featured(*, article: Article, by: AbstractBaseUser, featured: bool) -> Article:
    require_publisher(by)
    article.is_featured = featured
    article.save()
    return article


class ArticleState(NamedTuple):
    """Where an article stands, for the admin's badges and messages."""

    code: str  # draft, review, scheduled, live
    label: str
    goes_live_at: datetime | None = None  # scheduled: its publication time or embargo's end


DRAFT = ArticleState("draft", "Draft")


def article_state(article: Article) -> ArticleState:
    if article.status == Article.Status.DRAFT:
        return DRAFT
    if article.status == Article.Status.REVIEW:
        return ArticleState("review", "In review")
    if article.is_live:
        return ArticleState("live", "Live")
    at = article.goes_live_at  # an embargo ending after the publication time counts
    return ArticleState("scheduled", f"Scheduled for {timezone.localtime(at):%b %-d, %H:%M}", at)


def describe_conflict(article: Article, expected_version: int, *, merged: bool = False) -> str:
    """Who saved the article after `expected_version`, when, and which fields they changed."""
    history = article.history.order_by("-history_date", "-history_id")
    latest = history.first()
    started_from = history.filter(version=expected_version).first()
    who = "Someone"
    when = ""
    if latest is not None:
        who = str(latest.history_user or "someone (no account recorded)")
        when = f" at {timezone.localtime(latest.history_date):%Y-%m-%d %H:%M:%S}"
    changed = []
    if latest is not None and started_from is not None and latest.pk != started_from.pk:
        changed = [change.field for change in latest.diff_against(started_from).changes]
    what = f" They changed: {', '.join(changed)}." if changed else ""
    if merged:
        return (
            f"{who} saved this article{when}, after you opened it.{what} Your version was not "
            "saved. Below, their changes are taken where you had not changed a field; where you "
            "both did, yours is kept: choose for each, then save again."
        )
    return (
        f"{who} saved this article{when}, after you opened it.{what} Your version was not saved "
        "and is still in the form below: open the article again in a new tab to see theirs, "
        "then bring over what you need and save."
    )
