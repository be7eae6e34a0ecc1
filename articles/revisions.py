"""An article's history as a person reads it: what changed between two revisions, word by word
for the text, by name for the rest, leaving out what nobody would see (bookkeeping fields, a
time that moved by less than a minute)."""

from dataclasses import dataclass

from django.utils import timezone
from django.utils.html import format_html

from articles.conflicts import readable, word_diff
from articles.models import Article, Category

# Kept for the machinery, not for people: derived, counted or re-made by the system.
BOOKKEEPING = [
    "updated_at",
    "version",
    "search_vector",
    "hero_renditions",
    "hero_digest",
    "hero_width",
    "hero_height",
    "reading_time_minutes",
    "first_published_at",
    "created_at",
]
TEXT_FIELDS = {"title", "summary", "body", "label", "hero_alt", "hero_caption", "hero_credit"}
TIMES = {"published_at", "embargoed_until", "live_coverage_started_at", "live_coverage_ended_at"}


@dataclass
class Change:
    label: str
    diff: str  # safe HTML


def field_label(name: str) -> str:
    return str(Article._meta.get_field(name).verbose_name).capitalize()


def shown_time(value) -> str:
    return f"{timezone.localtime(value):%b %-d, %Y %H:%M}" if value else "none"


def same_minute(old, new) -> bool:
    if old is None or new is None:
        return old is new
    return abs((old - new).total_seconds()) < 60


def shown_value(name: str, value) -> str:
    if name == "category":
        return Category.objects.filter(pk=value).values_list("name", flat=True).first() or "none"
    if name == "status":
        return dict(Article.Status.choices).get(value, value)
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value) if value not in (None, "") else "none"


def readable_changes(older, newer) -> list[Change]:
    """What a person sees changed from revision `older` to `newer` (historical records)."""
    delta = newer.diff_against(older, excluded_fields=BOOKKEEPING, foreign_keys_are_objs=False)
    changes = []
    for change in delta.changes:
        name = change.field
        if name in TIMES:
            if same_minute(change.old, change.new):
                continue  # a time re-saved with other seconds: nothing anyone would see
            diff = format_html(
                "<del>{}</del> → <ins>{}</ins>", shown_time(change.old), shown_time(change.new)
            )
        elif name in TEXT_FIELDS:
            old, new = readable(name, change.old or ""), readable(name, change.new or "")
            if old == new:
                continue  # only the markup changed
            diff = word_diff(old, new)
        else:
            diff = format_html(
                "<del>{}</del> → <ins>{}</ins>",
                shown_value(name, change.old),
                shown_value(name, change.new),
            )
        changes.append(Change(field_label(name.removesuffix("_id")), diff))
    return changes
