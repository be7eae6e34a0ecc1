"""XSS: hostile text in every editable field never becomes markup that runs, on the site, in feeds,
in JSON-LD, in the API's HTML or in the admin. Each page is parsed and every element checked."""

import io
import json
import re
from html.parser import HTMLParser
from xml.etree import ElementTree

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from articles.models import Article
from tests import factories

PAYLOADS = [
    '<script>alert("xss")</script>',
    "<img src=x onerror=alert(1)>",
    '<a href="javascript:alert(1)">click</a>',
    '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">d</a>',
    "<svg onload=alert(1)><script>alert(1)</script></svg>",
    "</script><script>alert(1)</script>",
    '"><script>alert(1)</script>',
    "' onmouseover='alert(1)",
    '<iframe src="javascript:alert(1)"></iframe>',
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    "<details open ontoggle=alert(1)>",
    "javascript:alert(1)",
]
# (Inline <svg> and <math> are fine in themselves, the admin draws icons with them; handlers
# and scripts inside them are caught like anywhere else.)
RUNNABLE_TAGS = {"iframe", "object", "embed", "style", "base", "frame", "frameset", "applet"}
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "srcset", "poster", "data", "xlink:href"}
OWN_SCRIPTS = ("/static/", "/admin/jsi18n/")


class _Unsafe(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.problems, self.json_ld, self._in_script = [], [], None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in RUNNABLE_TAGS:
            self.problems.append(f"<{tag}> element")
        for name, value in attrs.items():
            if name.startswith("on"):
                self.problems.append(f"<{tag} {name}=…> handler")
            if name in URL_ATTRIBUTES and value:
                scheme = re.sub(r"[\s\x00-\x1f]", "", value).lower()
                if scheme.startswith(("javascript:", "data:text", "vbscript:")):
                    self.problems.append(f"<{tag} {name}={value[:40]}>")
        if tag == "script":
            src, kind = attrs.get("src"), attrs.get("type", "")
            if src and not src.startswith(OWN_SCRIPTS):
                self.problems.append(f"<script src={src[:40]}>")
            elif not src and kind not in {"application/ld+json", "importmap", "application/json"}:
                self.problems.append("inline <script>")
            self._in_script = kind

    handle_startendtag = handle_starttag

    def handle_data(self, data):
        if self._in_script == "application/ld+json":
            self.json_ld.append(data)

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_script = None


def unsafe_markup(html: str) -> list[str]:
    parser = _Unsafe()
    parser.feed(html)
    parser.close()
    for block in parser.json_ld:
        if "</" in block or "<!--" in block:
            parser.problems.append("JSON-LD can end its <script> early")
        json.loads(block)  # still valid data
    return parser.problems


def hero_upload():
    buffer = io.BytesIO()
    Image.new("RGB", (64, 36), "steelblue").save(buffer, "PNG")
    return SimpleUploadedFile("hero.png", buffer.getvalue(), content_type="image/png")


@pytest.fixture(params=range(len(PAYLOADS)), ids=[f"payload{i}" for i in range(len(PAYLOADS))])
def hostile(request, db, settings, tmp_path):
    payload = PAYLOADS[request.param]
    category = factories.make_category(
        name=payload[:100], slug="hostile-section", description=payload
    )
    author = factories.make_author(name=payload[:100], slug="hostile-author", bio=payload)
    other = factories.make_article(title=payload, slug="other", category=category)
    article = factories.make_article(
        title=f"Story {payload}"[:200],
        slug="hostile",
        summary=payload,
        body=f"<p>Intro</p>{payload}<p>{payload}</p>",
        label=payload[:30],
        seo_title=payload[:70],
        seo_description=payload[:160],
        hero_alt=payload,
        hero_caption=payload,
        hero_credit=payload,
        hero_image=hero_upload(),
        category=category,
        authors=[author],
        tags=[payload[:100]],
        is_featured=True,
    )
    factories.make_related_link(article, target=other, title=payload, position=0)
    factories.make_related_link(article, url="https://example.org/", title=payload, position=1)
    return {"payload": payload, "article": article, "category": category, "author": author}


def public_urls(hostile):
    article = hostile["article"]
    tag_slug = article.tags.first().slug
    return [
        "/",
        article.get_absolute_url(),
        "/categories/hostile-section/",
        f"/tags/{tag_slug}/",
        "/authors/hostile-author/",
        "/search/?" + f"q={hostile['payload']}",
        "/search/?q=Story",
    ]


def test_site_pages_render_hostile_text_inert(client, hostile):
    for url in public_urls(hostile):
        response = client.get(url)
        assert response.status_code == 200, url
        assert unsafe_markup(response.content.decode()) == [], url


def test_body_keeps_the_text_and_drops_what_runs(client, hostile):
    html = client.get(hostile["article"].get_absolute_url()).content.decode()
    assert "Intro" in html
    assert unsafe_markup(Article.objects.get(slug="hostile").body) == []


def test_feeds_escape_hostile_text_for_feed_readers(client, hostile):
    tag_slug = hostile["article"].tags.first().slug
    for url in ["/feed/", "/categories/hostile-section/feed/", f"/tags/{tag_slug}/feed/"]:
        response = client.get(url)
        assert response.status_code == 200, url
        channel = ElementTree.fromstring(response.content).find("channel")
        assert unsafe_markup(channel.findtext("description")) == [], url
        items = channel.findall("item")
        # The hostile article is in every one of these feeds: its text really was escaped.
        assert any(item.findtext("link").endswith("/articles/hostile/") for item in items), url
        for item in items:
            # Feed readers render <description> as HTML: once decoded it must be inert.
            description = item.findtext("description") or ""
            assert unsafe_markup(description) == [], url
            assert "<script" not in description and "<img" not in description


def test_sitemaps_stay_well_formed_xml(client, hostile):
    for url in [
        "/sitemap.xml",
        "/sitemap-articles.xml",
        "/sitemap-categories.xml",
        "/news-sitemap.xml",
    ]:
        ElementTree.fromstring(client.get(url).content)


def test_api_body_html_is_sanitized(api_client, hostile):
    detail = api_client.get("/api/v1/articles/hostile/?include=body").json()
    assert unsafe_markup(detail["body_html"]) == []
    assert detail["summary"] == hostile["payload"]  # plain text, for the partner to escape


def test_admin_pages_render_hostile_text_inert(staff_client, hostile):
    article, category = hostile["article"], hostile["category"]
    tag = article.tags.first()
    urls = [
        "/admin/articles/article/",
        "/admin/articles/article/?q=" + hostile["payload"],
        f"/admin/articles/article/{article.pk}/change/",
        f"/admin/articles/article/{article.pk}/history/",
        f"/admin/articles/article/{article.pk}/preview/",
        f"/admin/articles/article/{article.pk}/delete/",
        "/admin/articles/category/",
        f"/admin/articles/category/{category.pk}/change/",
        "/admin/articles/author/",
        f"/admin/articles/author/{hostile['author'].pk}/change/",
        "/admin/taggit/tag/",
        f"/admin/taggit/tag/{tag.pk}/change/",
    ]
    for url in urls:
        response = staff_client.get(url)
        assert response.status_code == 200, url
        assert unsafe_markup(response.content.decode()) == [], url
