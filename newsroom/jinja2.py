"""The reader site's template environment (Jinja2, compiled to Python: the Django template
language resolves each variable at run time, a large share of an uncached page's time).

Templates live in templates/jinja2/; the admin, feeds and sitemaps keep Django's templates.
"""

import unicodedata

from django.template.defaultfilters import date, truncatechars
from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone
from jinja2 import Environment, pass_context

from articles.addresses import fixed_url
from public import presentation


def localized_date(value, format_string: str) -> str:
    """Django's date filter, in the site's time zone as Django templates show dates."""
    if value is None:
        return ""
    if format_string == "c":
        # ISO 8601 to the second: HTML's <time datetime> allows at most three fraction digits.
        return timezone.localtime(value).isoformat(timespec="seconds")
    return date(timezone.localtime(value), format_string)


def truncate_chars(value, length: int) -> str:
    """Django's truncatechars; text already short enough (most of it) skips its character walk."""
    text = unicodedata.normalize("NFC", str(value))
    return text if len(text) <= length else truncatechars(text, length)


def url(name: str, *args, **kwargs) -> str:
    if not args and not kwargs:
        return fixed_url(name)
    return reverse(name, args=args or None, kwargs=kwargs or None)


@pass_context
def canonical_url(context) -> str:
    return presentation.canonical_url(
        context["request"], context.get("page_obj"), context.get("query", "")
    )


@pass_context
def absolute_url(context, path: str | None = None) -> str:
    request = context["request"]
    return request.build_absolute_uri(path if path is not None else request.path)


@pass_context
def article_json_ld(context, article):
    return presentation.article_json_ld(
        context["request"],
        article,
        context.get("site_name"),
        corrections=context.get("corrections") or [],
        live_entries=context.get("live_entries") or [],
    )


@pass_context
def breadcrumb_json_ld(context, article):
    return presentation.breadcrumb_json_ld(context["request"], article, context.get("site_name"))


def environment(**options) -> Environment:
    env = Environment(**options)
    env.globals.update(
        absolute_url=absolute_url,
        article_json_ld=article_json_ld,
        breadcrumb_json_ld=breadcrumb_json_ld,
        canonical_url=canonical_url,
        highlight=presentation.highlight,
        now=timezone.localtime,
        static=static,
        url=url,
    )
    env.filters.update(
        card_date=presentation.card_date, date=localized_date, truncatechars=truncate_chars
    )
    return env
