"""What the reader site's pages say about themselves to machines: canonical addresses and
JSON-LD. No queries."""

import json

from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

# Same escapes as Django's json_script: nothing in the data can close the <script> element.
_JSON_SCRIPT_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


def canonical_url(request, page_obj=None) -> str:
    """This page's address without query parameters, except a page number beyond the first."""
    url = request.build_absolute_uri(request.path)
    if page_obj is not None and page_obj.number > 1:
        url += f"?page={page_obj.number}"
    return url


def json_ld(data: dict) -> SafeString:
    payload = json.dumps(data, ensure_ascii=False).translate(_JSON_SCRIPT_ESCAPES)
    return format_html('<script type="application/ld+json">{}</script>', mark_safe(payload))


def article_json_ld(request, article, site_name: str | None) -> SafeString:
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
        "publisher": {"@type": "Organization", "name": site_name or "Newsroom"},
    }
    if article.hero_image:
        renditions = article.hero_renditions.get("formats", {}).get("jpeg", [])
        urls = [url for _, _, url, _ in renditions] or [article.hero_image.url]
        data["image"] = [request.build_absolute_uri(url) for url in urls]
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
