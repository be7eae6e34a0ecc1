"""No leak, proven by crawl: drafts, pieces in review, scheduled, embargoed and unpublished
articles show on no public surface (pages, feeds, sitemaps, search, More to Read, corrections,
API list/detail/changes/counts, for a key without the embargoed-copy permission), and the
scheduled and embargoed ones appear once their time comes."""

import json
import re
from datetime import timedelta
from html import unescape
from urllib.parse import urljoin, urlsplit

import pytest
from django.utils import timezone

from articles.models import Article
from tests import factories

MARKERS = {
    "draft": "zqdraftmarker",
    "review": "zqreviewmarker",
    "scheduled": "zqschedmarker",
    "embargoed": "zqembargomarker",
    "unpublished": "zqunpubmarker",
}
LINK = re.compile(r"""(?:href|src)=["']([^"'#]+)""")
LOC = re.compile(r"<loc>([^<]+)</loc>")


def make_hidden(state: str, marker: str, when):
    category = factories.make_category(name=f"Section {marker}", slug=f"section-{marker}")
    author = factories.make_author(name="Staff writer", slug=f"writer-{marker[:8]}")
    fields = {
        "title": f"Headline {marker}",
        "slug": f"story-{marker}",
        "summary": f"Standfirst {marker}.",
        "body": f"<p>Body {marker}.</p>",
        "label": marker[:30],
        "is_featured": True,
        "category": category,
        "tags": [f"tag-{marker}"],
        "authors": [author],
    }
    if state == "draft":
        return factories.make_article(status=Article.Status.DRAFT, **fields)
    if state == "review":
        return factories.make_article(status=Article.Status.REVIEW, **fields)
    if state == "scheduled":
        return factories.make_article(published_at=when, **fields)
    if state == "embargoed":
        # Published an hour ago, but embargoed until `when`.
        return factories.make_article(
            published_at=timezone.now() - timedelta(hours=1), embargoed_until=when, **fields
        )
    article = factories.make_article(**fields)
    article.status = Article.Status.DRAFT
    article.save()
    return article


@pytest.fixture
def newsroom(db):
    section = factories.make_category(name="World", slug="world")
    live = factories.make_live_articles(30, category=section, tags=("news",))
    when = timezone.now() + timedelta(hours=2)
    hidden = {state: make_hidden(state, marker, when) for state, marker in MARKERS.items()}
    # A live article pointing at every hidden one in its "More to Read".
    for position, article in enumerate(hidden.values()):
        factories.make_related_link(live[0], target=article, position=position)
    return {"live": live, "hidden": hidden, "when": when}


def crawl(client, api_client, start_urls):
    """Every internal page reachable from the start URLs, plus every sitemap location."""
    seen, queue, bodies = set(), list(start_urls), {}
    while queue:
        url = queue.pop()
        path = urlsplit(url).path + (f"?{urlsplit(url).query}" if urlsplit(url).query else "")
        if path in seen or urlsplit(url).netloc not in {"", "testserver"}:
            continue
        seen.add(path)
        is_api = path.startswith("/api/")
        response = (api_client if is_api else client).get(path)
        if response.status_code in {301, 302}:
            queue.append(response["Location"])
            continue
        if response.status_code != 200:
            continue
        body = b"".join(response) if response.streaming else response.content
        text = unescape(body.decode("utf-8", "replace"))
        bodies[path] = text
        if path.startswith(("/static/", "/media/", "/admin/")):
            continue
        links = LINK.findall(text) + LOC.findall(text)
        links += re.findall(r'"(?:next|url|href)":\s*"([^"]+)"', text)
        queue.extend(urljoin("http://testserver" + path, link) for link in links)
    return bodies


def start_urls(newsroom):
    urls = [
        "/",
        "/feed/",
        "/sitemap.xml",
        "/news-sitemap.xml",
        "/robots.txt",
        "/api/v1/articles/?page_size=100",
        "/api/v1/articles/?featured=true",
        "/api/v1/articles/?ordering=-updated_at&include=body",
        "/api/v1/categories/",
        "/api/v1/tags/",
        "/api/v1/changes/?since=2000-01-01T00:00:00Z",
        "/corrections/",
    ]
    for marker in MARKERS.values():
        urls += [
            f"/search/?q={marker}",
            f"/articles/story-{marker}/",
            f"/categories/section-{marker}/",
            f"/categories/section-{marker}/feed/",
            f"/tags/tag-{marker}/",
            f"/tags/tag-{marker}/feed/",
            f"/authors/writer-{marker[:8]}/",
            f"/api/v1/articles/story-{marker}/",
            f"/api/v1/articles/?q={marker}",
            f"/api/v1/articles/?tag=tag-{marker}",
            f"/api/v1/articles/?label={marker}",
            f"/api/v1/categories/section-{marker}/",
        ]
    return urls


def evidence(path, text, marker) -> bool:
    text = text.lower()
    if path.startswith("/search/"):
        # The page repeats the reader's own query; a leak is a result carrying the article.
        return any(f"{part} {marker}" in text for part in ("headline", "standfirst", "body")) or (
            f"story-{marker}" in text
        )
    if path.startswith("/api/v1/changes/"):
        # A tombstone (id and slug only) for a once-live article is the feed's job: partners
        # must delete their copy. Nothing else about a hidden article may appear.
        results = json.loads(text)["results"]
        text = json.dumps([r for r in results if r["change"] != "withdrawn"]).lower()
    return marker in text


def leaks(bodies, markers):
    return sorted(
        f"{path}: {marker}"
        for path, text in bodies.items()
        for marker in markers
        if evidence(path, text, marker)
    )


def test_no_hidden_article_shows_anywhere(client, api_client, newsroom):
    bodies = crawl(client, api_client, start_urls(newsroom))
    assert len(bodies) > 40  # the crawl really went places
    assert any(path.startswith("/articles/") for path in bodies)
    assert any("/sitemap-" in path for path in bodies)
    assert leaks(bodies, MARKERS.values()) == []


def test_hidden_articles_urls_answer_as_if_they_did_not_exist(client, api_client, newsroom):
    for marker in MARKERS.values():
        assert client.get(f"/articles/story-{marker}/").status_code == 404
        assert client.get(f"/categories/section-{marker}/").status_code == 404
        # Only hidden articles carry this tag: it has no public page or feed.
        assert client.get(f"/tags/tag-{marker}/").status_code == 404
        assert client.get(f"/tags/tag-{marker}/feed/").status_code == 404
        assert client.get(f"/categories/section-{marker}/feed/").status_code == 404
        assert api_client.get(f"/api/v1/articles/story-{marker}/").status_code == 404


def test_counts_ignore_hidden_articles(client, api_client, newsroom):
    tags = {tag["slug"]: tag["article_count"] for tag in api_client.get("/api/v1/tags/").json()}
    assert tags["news"] == 30
    assert not any(slug.startswith("tag-") for slug in tags)
    categories = api_client.get("/api/v1/categories/").json()
    assert [(c["slug"], c["article_count"]) for c in categories] == [("world", 30)]
    listing = client.get("/categories/world/?page=2")
    assert len(listing.context_data["page_obj"]) == 30 - 24
    assert not listing.context_data["page_obj"].has_next()


@pytest.mark.parametrize("state", ["scheduled", "embargoed"])
def test_the_held_back_article_appears_when_its_time_comes(
    client, api_client, newsroom, time_machine, state
):
    before = crawl(client, api_client, start_urls(newsroom))
    assert leaks(before, MARKERS.values()) == []

    time_machine.move_to(newsroom["when"] + timedelta(seconds=1))

    after = crawl(client, api_client, start_urls(newsroom))
    marker = MARKERS[state]
    shown = {path for path, text in after.items() if marker in text.lower()}
    for surface in [
        "/",
        "/feed/",
        f"/articles/story-{marker}/",
        f"/search/?q={marker}",
        f"/categories/section-{marker}/",
        f"/tags/tag-{marker}/",
        "/api/v1/articles/?page_size=100",
        "/api/v1/changes/",  # on one of its pages
        "/sitemap-articles.xml",
    ]:
        assert any(path == surface or path.startswith(surface + "?") for path in shown), surface
    others = [m for s, m in MARKERS.items() if s not in ("scheduled", "embargoed")]
    assert leaks(after, others) == []
