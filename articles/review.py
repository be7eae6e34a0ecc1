"""Review both ways: an editor returns a piece to its writer with a note; staff leave notes on
an article, reply and resolve them (articles.notifications tells the people concerned).

Notes are the desk's: no public page, feed, API answer, export or webhook reads them.
"""

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from articles.models import Article, EditorialNote
from articles.notifications import tell_writers_it_was_returned
from articles.services import require_publisher


@transaction.atomic
def request_changes(
    *, article: Article, by: AbstractBaseUser, note: str, expected_version: int | None = None
) -> EditorialNote:
    """Return a piece in review to its writer, as a draft, with what to change."""
    require_publisher(by)
    if article.status != Article.Status.REVIEW:
        raise ValidationError("Only a piece in review can be returned to its writer.")
    if not note.strip():
        raise ValidationError("Say what to change: the writer sees this note.")
    article.status = Article.Status.DRAFT
    article.save(expected_version=expected_version)
    request = EditorialNote.objects.create(
        article=article, kind=EditorialNote.Kind.CHANGES_REQUESTED, text=note.strip(), written_by=by
    )
    tell_writers_it_was_returned(article, by, request.text)
    return request


def add_note(
    *, article: Article, by: AbstractBaseUser, text: str, reply_to: EditorialNote | None = None
) -> EditorialNote:
    if reply_to is not None and reply_to.article_id != article.pk:
        raise ValidationError("A reply belongs under a note of the same article.")
    return EditorialNote.objects.create(
        article=article, text=text.strip(), reply_to=reply_to, written_by=by
    )


def resolve_notes(*, article: Article, by: AbstractBaseUser, notes) -> int:
    """Mark open notes of `article` (with their replies) resolved; how many were."""
    ids = [note.pk for note in notes]
    return EditorialNote.objects.filter(
        Q(pk__in=ids) | Q(reply_to__in=ids), article=article, resolved_at__isnull=True
    ).update(resolved_at=timezone.now(), resolved_by=by)


def open_notes(article: Article):
    return article.editorial_notes.filter(resolved_at__isnull=True)


def changes_requested(article: Article):
    """The open requests for changes on `article`, newest first."""
    return (
        open_notes(article)
        .filter(kind=EditorialNote.Kind.CHANGES_REQUESTED)
        .select_related("written_by")
        .order_by("-written_at")
    )
