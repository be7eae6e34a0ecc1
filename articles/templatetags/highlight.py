import re

from django import template
from django.utils.html import escape
from django.utils.safestring import mark_safe

from articles.querysets import normalize_query

register = template.Library()
OPERATORS = {"or", "and", "not"}


@register.filter
def highlight(text, query):
    """Escape the text, then mark the words a search matched (word starts, so stems match)."""
    safe = escape(text)
    terms = [
        term.strip('"-')
        for term in normalize_query(query or "").split()
        if term.lower() not in OPERATORS and len(term.strip('"-')) >= 2
    ]
    if not terms:
        return mark_safe(safe)
    stems = sorted(
        {re.escape(escape(t[: max(3, len(t) - 2)])) for t in terms[:10]}, key=len, reverse=True
    )
    pattern = re.compile(rf"\b(({'|'.join(stems)})\w*)", re.IGNORECASE)
    return mark_safe(pattern.sub(r"<mark>\1</mark>", safe))
