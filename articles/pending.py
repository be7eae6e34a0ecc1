"""Changes to a live article that wait: saved for later, previewed and shared, then published.

Saving them writes only this row: the article, its history and every public cache stay as they
are. Publishing them is an ordinary save of the stored form (the admin's, with its version
check), so a change made against an older version is refused like any stale save.
"""

from django import forms
from django.contrib.auth.models import AbstractBaseUser
from django.http import QueryDict
from django.utils import timezone

from articles.conflicts import MERGED_FIELDS
from articles.models import Article, PendingChange
from articles.sanitize import sanitize_html
from articles.working_copies import clean_form_data

# What a preview of the waiting changes shows in place of the live article's: what a revision
# keeps, but the address and the canonical link (a preview is at its own address).
PREVIEWED_FIELDS = [name for name in MERGED_FIELDS if name not in {"slug", "canonical_url"}]


class PreviewedFields(forms.ModelForm):
    class Meta:
        model = Article
        fields = PREVIEWED_FIELDS


def save_for_later(
    *, article: Article, data: dict, base_version: int, by: AbstractBaseUser
) -> PendingChange:
    """Keep the form's `data` as the article's pending change (replacing an earlier one)."""
    pending, _ = PendingChange.objects.update_or_create(
        article=article,
        defaults={
            "data": clean_form_data(data),
            "base_version": base_version,
            "saved_by": by,
            "saved_at": timezone.now(),
        },
    )
    return pending


def discard_pending(article: Article) -> None:
    PendingChange.objects.filter(article=article).delete()


def pending_as_post(pending: PendingChange, csrf_token: str) -> QueryDict:
    """The stored form, as the admin would receive it, made against its base version."""
    post = QueryDict(mutable=True)
    for name, values in pending.data.items():
        post.setlist(name, values)
    post["expected_version"] = str(pending.base_version)
    post["csrfmiddlewaretoken"] = csrf_token
    return post


def with_pending_applied(article: Article, pending: PendingChange) -> Article:
    """`article` as it will read once the pending change is published; never saved."""
    post = QueryDict(mutable=True)
    for name in PREVIEWED_FIELDS:
        post.setlist(name, pending.data.get(name, []))
    form = PreviewedFields(data=post, instance=article)
    form.is_valid()  # fields that do not validate keep the live article's values
    article.body = sanitize_html(article.body)
    return article


def pending_stamp(pending: PendingChange) -> str:
    """Names one saving of the pending change: a share link stops when it is saved again."""
    return pending.saved_at.isoformat()
