"""How the reader site presents things: card dates, search highlighting, canonical addresses
and JSON-LD. No queries."""

import json
import re
from datetime import date
from functools import lru_cache
from urllib.parse import urlencode

from django.utils import dateformat, timezone
from django.utils.html import format_html, strip_tags
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import Truncator
from django.utils.translation import get_language
from markupsafe import Markup, escape

from articles.search import normalize_query

# Same escapes as Django's json_script: nothing in the data can close the <script> element.
_JSON_SCRIPT_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


def canonical_url(request, page_obj=None, query: str = "") -> str:
    """This page's address without query parameters, except a search's words and a page number
    beyond the first (a search's second page without its words would be another page)."""
    url = request.build_absolute_uri(request.path)
    parameters = {"q": query} if query else {}
    if page_obj is not None and page_obj.number > 1:
        parameters["page"] = page_obj.number
    return f"{url}?{urlencode(parameters)}" if parameters else url


def json_ld(data: dict) -> SafeString:
    payload = json.dumps(data, ensure_ascii=False).translate(_JSON_SCRIPT_ESCAPES)
    return format_html('<script type="application/ld+json">{}</script>', mark_safe(payload))


def article_json_ld(
    request, article, site_name: str | None, *, corrections=(), live_entries=()
) -> SafeString:
    data = {
        "@context": "https://schema.org",
        "@type": "LiveBlogPosting" if article.has_live_coverage else "NewsArticle",
        "headline": article.title,
        "description": article.summary,
        "datePublished": (article.published_at or article.created_at).isoformat(),
        "dateModified": article.updated_at.isoformat(),
        "mainEntityOfPage": request.build_absolute_uri(article.get_absolute_url()),
        "articleSection": article.category.name,
        "keywords": [tag.name for tag in article.tag_list],
        "author": [
            {
                "@type": "Person",
                "name": author.name,
                "url": request.build_absolute_uri(author.get_absolute_url()),
            }
            for author in article.author_list
        ],
        "publisher": {"@type": "Organization", "name": site_name or "Newsroom"},
    }
    if article.hero_image:
        renditions = article.hero_renditions.get("formats", {}).get("jpeg", [])
        urls = [url for _, _, url, _ in renditions] or [article.hero_image.url]
        data["image"] = [request.build_absolute_uri(url) for url in urls]
    page = data["mainEntityOfPage"]
    fixes = [note for note in corrections if note.kind == "correction"]
    if fixes:
        data["correction"] = [
            {
                "@type": "CorrectionComment",
                "text": strip_tags(note.text),
                "datePublished": note.at.isoformat(),
            }
            for note in fixes
        ]
    if article.has_live_coverage:
        data["coverageStartTime"] = article.live_coverage_started_at.isoformat()
        if article.live_coverage_ended_at:
            data["coverageEndTime"] = article.live_coverage_ended_at.isoformat()
        data["liveBlogUpdate"] = [
            {
                "@type": "BlogPosting",
                "headline": Truncator(strip_tags(entry.body)).chars(110),
                "articleBody": strip_tags(entry.body),
                "datePublished": entry.posted_at.isoformat(),
                "dateModified": entry.updated_at.isoformat(),
                "url": f"{page}#entry-{entry.pk}",
            }
            for entry in live_entries
        ]
    return json_ld(data)


def breadcrumb_json_ld(request, article, site_name: str | None) -> SafeString:
    trail = [
        (site_name or "Newsroom", "/"),
        (article.category.name, article.category.get_absolute_url()),
        (article.title, article.get_absolute_url()),
    ]
    return json_ld(
        {
            "@context": "https://schema.org",
            "@type": "BreadcrumbList",
            "itemListElement": [
                {
                    "@type": "ListItem",
                    "position": position,
                    "name": name,
                    "item": request.build_absolute_uri(path),
                }
                for position, (name, path) in enumerate(trail, start=1)
            ],
        }
    )


SEARCH_OPERATORS = {"or", "and", "not"}


def card_date(value) -> str:
    """ "Nov 24, 2026" in the site's time zone, as a card shows it ("" for no date)."""
    if value is None:
        return ""
    return _display_date(timezone.localtime(value).date(), get_language())


@lru_cache(maxsize=2048)
def _display_date(day: date, language: str) -> str:
    # Formatted once per day and language: a listing's cards share a few days.
    return dateformat.format(day, "M j, Y")


def highlight(text: str, query: str) -> Markup:
    """Escape the text, then mark the words a search matched (word starts, so stems match)."""
    safe = escape(text)
    if not query:
        return safe
    terms = [
        term.strip('"-')
        for term in normalize_query(query).split()
        if term.lower() not in SEARCH_OPERATORS and len(term.strip('"-')) >= 2
    ]
    if not terms:
        return safe
    stems = sorted(
        {re.escape(escape(t[: max(3, len(t) - 2)])) for t in terms[:10]}, key=len, reverse=True
    )
    pattern = re.compile(rf"\b(({'|'.join(stems)})\w*)", re.IGNORECASE)
    return Markup(pattern.sub(r"<mark>\1</mark>", str(safe)))  # Markup.join would escape
