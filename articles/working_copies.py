"""Working copies: what an editor typed and has not saved, kept on the server by autosave.

One row per editor and article, overwritten in place (never a revision in the history), and
deleted when that editor saves the article. Nothing public reads them, so keeping one
invalidates no page, feed or API answer.
"""

import time

from django.contrib.auth.models import AbstractBaseUser
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.utils import timezone

from articles.models import Article, WorkingCopy

# A form is a few kilobytes; this leaves room for a long body and stops a flood.
MAX_CHARACTERS = 1_000_000
MAX_FIELDS = 500
# Never kept: the form's token and the version it was opened at (the copy keeps its own).
NOT_KEPT = {"csrfmiddlewaretoken", "expected_version"}


def clean_form_data(data) -> dict[str, list[str]]:
    """The posted fields as {name: [values]}, or a ValidationError saying what is wrong."""
    if not isinstance(data, dict):
        raise ValidationError("`data` must be an object of field names and values.")
    if len(data) > MAX_FIELDS:
        raise ValidationError(f"Too many fields (at most {MAX_FIELDS}).")
    cleaned, size = {}, 0
    for name, values in data.items():
        values = [values] if isinstance(values, str) else values
        if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
            raise ValidationError(f"Field {name[:50]!r}: values must be strings.")
        size += len(name) + sum(len(value) for value in values)
        if name not in NOT_KEPT:
            cleaned[name] = values
    if size > MAX_CHARACTERS:
        raise ValidationError(f"Too much text (at most {MAX_CHARACTERS:,} characters).")
    return cleaned


def keep_working_copy(
    *, article: Article, editor: AbstractBaseUser, data, base_version
) -> WorkingCopy:
    """Store (or overwrite) `editor`'s working copy of `article`."""
    if not isinstance(base_version, int) or not 1 <= base_version <= article.version:
        raise ValidationError(
            f"`base_version` must be a version this article had (1 to {article.version})."
        )
    copy = WorkingCopy(
        article=article,
        editor=editor,
        data=clean_form_data(data),
        base_version=base_version,
        saved_at=timezone.now(),
    )
    # One statement (INSERT … ON CONFLICT DO UPDATE): autosave runs every few seconds.
    WorkingCopy.objects.bulk_create(
        [copy],
        update_conflicts=True,
        unique_fields=["article", "editor"],
        update_fields=["data", "base_version", "saved_at"],
    )
    return copy


def working_copy_of(article: Article, editor: AbstractBaseUser) -> WorkingCopy | None:
    return WorkingCopy.objects.filter(article=article, editor=editor).first()


def discard_working_copy(article: Article, editor: AbstractBaseUser) -> None:
    WorkingCopy.objects.filter(article=article, editor=editor).delete()


# Who has an article open: each open form says so every PRESENCE_BEAT seconds; someone not heard
# from for PRESENCE_TIMEOUT has left. A heartbeat, not a lock: nobody is ever kept out.
PRESENCE_BEAT = 20
PRESENCE_TIMEOUT = 50


def editing_now(article_id: int, editor: AbstractBaseUser, *, leaving: bool = False) -> list[str]:
    """Note that `editor` has the article open (or has left it); the others who have it open.
    Two beats at the same moment may drop one of them: the next beat puts it back."""
    key = f"newsroom:presence:{article_id}"
    now = time.time()
    seen = {name: at for name, at in (cache.get(key) or {}).items() if now - at < PRESENCE_TIMEOUT}
    me = editor.get_full_name() or editor.get_username()
    if leaving:
        seen.pop(me, None)
    else:
        seen[me] = now
    cache.set(key, seen, PRESENCE_TIMEOUT)
    return sorted(name for name in seen if name != me)
