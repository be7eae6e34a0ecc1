"""Article cards, the repeated unit of every listing, built in Python.

A listing page shows up to 25 cards; as template includes (a card, its picture) they took two
thirds of an uncached home page's time. The markup here is what those templates produced, every
value escaped by MarkupSafe (the escaping Jinja2 uses, in C: Django's format_html took a third of
a card's time escaping its eleven values).
"""

import re
from datetime import date
from functools import lru_cache

from django.utils import dateformat, timezone
from django.utils.translation import get_language
from markupsafe import Markup, escape

from articles.querysets import normalize_query

SEARCH_OPERATORS = {"or", "and", "not"}
LARGE_SIZES = "(min-width: 50rem) 42rem, 100vw"
GRID_SIZES = "(min-width: 72rem) 17rem, (min-width: 36rem) 45vw, 100vw"


@lru_cache(maxsize=2048)
def display_date(day: date, language: str) -> str:
    """ "Nov 24, 2026": formatted once per day shown (a listing's cards share a few days)."""
    return dateformat.format(day, "M j, Y")


def html(template: str, *values) -> Markup:
    """format_html's contract: the template is trusted, each value is escaped unless safe."""
    return Markup(template.format(*map(escape, values)))


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


def hero_picture(article, *, alt: str, sizes: str, lazy: bool) -> Markup:
    fallback = article.hero_fallback
    if fallback:
        loading = Markup(' loading="lazy" decoding="async"' if lazy else ' fetchpriority="high"')
        return html(
            '<picture>\n  <source type="image/webp" srcset="{}" sizes="{}">\n'
            '  <img src="{}" srcset="{}" sizes="{}" alt="{}" width="{}" height="{}"{}>\n</picture>',
            article.srcset("webp"),
            sizes,
            fallback["url"],
            article.srcset("jpeg"),
            sizes,
            alt,
            fallback["width"],
            fallback["height"],
            loading,
        )
    if article.hero_image:
        return html(
            '<img src="{}" alt="{}" width="{}" height="{}"{}>',
            article.hero_image.url,
            alt,
            article.hero_width,
            article.hero_height,
            Markup(' loading="lazy"') if lazy else "",
        )
    return Markup("")


def card(article, *, large: bool = False, query: str = "") -> Markup:
    url = article.get_absolute_url()
    image = ""
    if article.hero_image:
        picture = hero_picture(
            article, alt="", sizes=LARGE_SIZES if large else GRID_SIZES, lazy=not large
        )
        image = html(
            '<a class="card__image" href="{}" tabindex="-1" aria-hidden="true">{}</a>', url, picture
        )
    published = timezone.localtime(article.published_at) if article.published_at else None
    tag = article.first_tag
    heading = "h2" if large else "h3"
    return html(
        '<article class="card{}">{}<div class="card__body"><p class="meta">{}'
        '<a href="{}">{}</a> · <time datetime="{}">{}</time></p>'
        '<{} class="card__title"><a href="{}">{}</a></{}>'
        '<p class="card__summary">{}</p>{}</div></article>',
        " card--large" if large else "",
        image,
        html('<span class="label">{}</span> ', article.label) if article.label else "",
        article.category.get_absolute_url(),
        article.category.name,
        published.isoformat(timespec="seconds") if published else "",  # as the "c" filter
        display_date(published.date(), get_language()) if published else "",
        Markup(heading),
        url,
        highlight(article.title, query),
        Markup(heading),
        highlight(article.summary, query),
        html(
            '<a class="tag" href="{}">{}</a>',
            tag.get_absolute_url(),
            tag.name,
        )
        if tag
        else "",
    )
