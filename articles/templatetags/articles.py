"""Presentation helpers for article templates: absolute URLs and JSON-LD. No queries."""

import json

from django import template
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from articles import cards

register = template.Library()

# Same escapes as Django's json_script: nothing in the data can close the <script> element.
_JSON_SCRIPT_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


@register.simple_tag
def article_card(article, large=False, query=""):
    return cards.card(article, large=large, query=query or "")


@register.simple_tag
def hero_picture(article, alt="", sizes="100vw", lazy=True):
    return cards.hero_picture(article, alt=alt, sizes=sizes, lazy=lazy)


@register.simple_tag(takes_context=True)
def absolute_url(context, path=None):
    request = context["request"]
    return request.build_absolute_uri(path if path is not None else request.path)


@register.simple_tag(takes_context=True)
def canonical_url(context):
    """This page's address without query parameters, except a page number beyond the first."""
    request = context["request"]
    url = request.build_absolute_uri(request.path)
    page_obj = context.get("page_obj")
    if page_obj is not None and page_obj.number > 1:
        url += f"?page={page_obj.number}"
    return url


def json_ld(data: dict) -> str:
    payload = json.dumps(data, ensure_ascii=False).translate(_JSON_SCRIPT_ESCAPES)
    return format_html('<script type="application/ld+json">{}</script>', mark_safe(payload))


@register.simple_tag(takes_context=True)
def article_json_ld(context, article):
    request = context["request"]
    data = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
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
        "publisher": {"@type": "Organization", "name": context.get("site_name", "Newsroom")},
    }
    if article.hero_image:
        renditions = article.hero_renditions.get("formats", {}).get("jpeg", [])
        urls = [url for _, _, url, _ in renditions] or [article.hero_image.url]
        data["image"] = [request.build_absolute_uri(url) for url in urls]
    return json_ld(data)


@register.simple_tag(takes_context=True)
def breadcrumb_json_ld(context, article):
    request = context["request"]
    trail = [
        (context.get("site_name", "Newsroom"), "/"),
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
