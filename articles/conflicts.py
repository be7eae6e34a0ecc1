"""When someone saved an article after I opened it: what they changed, merged into my form.

Against the version I started from: a field only they changed takes their value; a field only I
changed keeps mine; a field we both changed differently is shown as a word diff for me to keep
mine or take theirs. The form then carries the current version, so the next Save succeeds.
"""

import difflib
import re
from dataclasses import dataclass, field

from django.utils.html import format_html, format_html_join, strip_tags

from articles.models import Category
from articles.sanitize import sanitize_html

# The fields a revision keeps (django-simple-history), with how the form posts them.
MERGED_FIELDS = [
    "title",
    "slug",
    "label",
    "summary",
    "body",
    "category",
    "hero_alt",
    "hero_caption",
    "hero_credit",
    "seo_title",
    "seo_description",
    "canonical_url",
]
HTML_FIELDS = {"body"}
WORDS = re.compile(r"\S+")


@dataclass
class FieldChange:
    name: str
    label: str
    theirs: str
    mine: str
    diff: str  # safe HTML: their words struck out, mine inserted


@dataclass
class Merge:
    current_version: int
    taken: list[FieldChange] = field(default_factory=list)  # theirs, I had not touched them
    both: list[FieldChange] = field(default_factory=list)  # we both changed them

    def theirs_by_field(self) -> dict[str, str]:
        return {change.name: change.theirs for change in self.both}


def comparable(name: str, value) -> str:
    text = "" if value is None else str(value)
    return sanitize_html(text) if name in HTML_FIELDS else text.strip()


def readable(name: str, value: str) -> str:
    if name in HTML_FIELDS:
        return " ".join(strip_tags(value).split())
    if name == "category" and value.isdigit():
        return Category.objects.filter(pk=value).values_list("name", flat=True).first() or value
    return value


def word_diff(before: str, after: str) -> str:
    """`before` → `after` word by word: removed words in <del>, added ones in <ins>."""
    old, new = WORDS.findall(before), WORDS.findall(after)
    parts = []
    matcher = difflib.SequenceMatcher(a=old, b=new, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            parts.append(format_html("{}", " ".join(old[i1:i2])))
            continue
        if i2 > i1:
            parts.append(format_html("<del>{}</del>", " ".join(old[i1:i2])))
        if j2 > j1:
            parts.append(format_html("<ins>{}</ins>", " ".join(new[j1:j2])))
    return format_html_join(" ", "{}", ((part,) for part in parts))


def merge_into_form(form, expected_version: int, current_version: int) -> Merge:
    """Merge what was saved since `expected_version` into the bound `form`'s data (a copy)."""
    article = form.instance  # as saved now: theirs
    base = article.history.filter(version=expected_version).first()
    merge = Merge(current_version=current_version)
    data = form.data.copy()
    for name in MERGED_FIELDS:
        if name not in form.fields or name not in data:
            continue  # not editable here (a writer's read-only field), nothing posted
        attribute = f"{name}_id" if name == "category" else name
        theirs = comparable(name, getattr(article, attribute))
        mine = comparable(name, data.get(name))
        started = comparable(name, getattr(base, attribute)) if base else None
        if theirs in (mine, started):
            continue  # nobody else changed it, or we agree
        label = str(form.fields[name].label or name).capitalize()
        shown_theirs = readable(name, theirs)
        if mine == started:
            data[name] = theirs
            before = readable(name, started)
            merge.taken.append(
                FieldChange(name, label, theirs, mine, word_diff(before, shown_theirs))
            )
        else:
            merge.both.append(
                FieldChange(
                    name, label, theirs, mine, word_diff(shown_theirs, readable(name, mine))
                )
            )
    data["expected_version"] = str(current_version)
    form.data = data
    return merge
