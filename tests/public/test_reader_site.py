"""The readers' site: markup, images, SEO, search, feeds and sitemaps."""

import io
import json
import re
import xml.etree.ElementTree as ET
from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.db import connection
from django.utils import timezone
from PIL import Image

from articles.models import Article
from articles.preview import make_preview_token
from tests.factories import make_article, make_author, make_live_articles
from tests.html_check import html_problems

pytestmark = pytest.mark.django_db
SM = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


def with_hero(article, size=(1600, 900)):
    buffer = io.BytesIO()
    Image.new("RGB", size, "teal").save(buffer, format="JPEG")
    article.hero_image.save("hero.jpg", ContentFile(buffer.getvalue()), save=False)
    article.hero_alt = "A teal square"
    article.save()
    return article


@pytest.fixture
def site(category):
    author = make_author(slug="ann", name="Ann")
    top = with_hero(
        make_article(
            slug="top", category=category, is_featured=True, tags=["news"], authors=[author]
        )
    )
    for article in make_live_articles(30, category=category, tags=["news"]):
        article.authors.add(author)
    return top


@pytest.mark.parametrize(
    "url",
    [
        "/",
        "/?page=2",
        "/articles/top/",
        "/categories/markets/",
        "/tags/news/",
        "/authors/ann/",
        "/search/?q=article",
        "/search/",
        "/no-such-page/",
    ],
)
def test_pages_are_well_formed_with_unique_ids_one_h1_and_landmarks(client, site, url):
    response = client.get(url)
    html = response.content.decode()
    assert html_problems(html) == [], url
    assert html.count("<h1") == 1
    assert '<html lang="en">' in html
    assert '<a class="skip-link" href="#main">' in html and '<main id="main"' in html
    assert "<header" in html and "<footer" in html and 'aria-label="Categories"' in html


def test_preview_page_is_well_formed(client, category):
    article = make_article(status=Article.Status.DRAFT, category=category)
    html = client.get(f"/preview/{make_preview_token(article)}/").content.decode()
    assert html_problems(html) == []


def test_hero_renditions_are_made_once_in_webp_and_jpeg_with_srcset(client, site):
    renditions = site.hero_renditions["formats"]
    assert [w for w, *_ in renditions["webp"]] == [480, 800, 1200]
    assert [w for w, *_ in renditions["jpeg"]] == [480, 800, 1200]
    before = dict(site.hero_renditions)
    site.title = "Edited"
    site.save()
    assert site.hero_renditions == before  # same image: nothing made again

    html = client.get("/articles/top/").content.decode()
    assert '<source type="image/webp" srcset="' in html and "480w" in html and "1200w" in html
    assert 'sizes="(min-width: 44rem) 42rem, 100vw"' in html
    assert 'width="1200" height="675"' in html and 'fetchpriority="high"' in html


def test_cards_below_the_fold_load_lazily_and_the_top_story_does_not(client, site):
    with_hero(Article.objects.exclude(pk=site.pk).first())
    html = client.get("/").content.decode()
    top = html[html.index('class="top-story"') : html.index('id="latest-heading"')]
    latest = html[html.index('id="latest-heading"') :]
    assert 'loading="lazy"' not in top
    assert 'loading="lazy"' in latest


def test_small_images_are_not_upscaled(category):
    article = with_hero(make_article(category=category), size=(600, 400))
    assert [w for w, *_ in article.hero_renditions["formats"]["jpeg"]] == [480, 600]


def test_article_page_seo(client, site):
    html = client.get("/articles/top/").content.decode()
    assert '<meta property="og:image" content="http://testserver/media/renditions/' in html
    assert '<meta name="twitter:card" content="summary_large_image">' in html
    blocks = re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    data = [json.loads(block) for block in blocks]
    assert {d["@type"] for d in data} == {"NewsArticle", "BreadcrumbList"}
    article = next(d for d in data if d["@type"] == "NewsArticle")
    assert article["author"][0]["name"] == "Ann" and article["publisher"]["name"] == "Newsroom"
    assert article["image"][0].startswith("http://testserver/media/renditions/")
    crumbs = next(d for d in data if d["@type"] == "BreadcrumbList")["itemListElement"]
    assert [c["name"] for c in crumbs] == ["Newsroom", "Markets", site.title]


def test_json_ld_cannot_be_broken_out_of(client, category):
    make_article(slug="x", category=category, title="</script><script>alert(1)</script>")
    html = client.get("/articles/x/").content.decode()
    assert "<script>alert(1)" not in html
    assert "\\u003C/script\\u003E" in html


def test_titles_and_descriptions_differ_per_page(client, site):
    pages = ["/", "/articles/top/", "/categories/markets/", "/tags/news/", "/authors/ann/"]
    titles = set()
    for url in pages:
        html = client.get(url).content.decode()
        titles.add(re.search(r"<title>(.*?)</title>", html).group(1))
    assert len(titles) == len(pages)


def test_feed_auto_discovery_links(client, site):
    home = client.get("/").content.decode()
    category = client.get("/categories/markets/").content.decode()
    assert 'type="application/rss+xml"' in home
    assert 'href="/categories/markets/feed/"' in category


def test_feed_items_carry_the_hero_image_as_enclosure(client, site):
    tree = ET.fromstring(client.get("/feed/").content)
    enclosures = [e.attrib for e in tree.iter("enclosure")]
    assert len(enclosures) == 1
    assert enclosures[0]["type"] == "image/jpeg"
    assert enclosures[0]["url"].startswith("http://testserver/media/renditions/")
    assert int(enclosures[0]["length"]) > 0


def test_sitemap_lists_tags_and_authors_with_live_articles_only(client, site, category):
    hidden_author = make_author(slug="hidden-author")
    make_article(
        category=category,
        status=Article.Status.DRAFT,
        tags=["secret-tag"],
        authors=[hidden_author],
    )
    index = client.get("/sitemap.xml").content.decode()
    for section in ["articles", "categories", "tags", "authors"]:
        assert f"/sitemap-{section}.xml" in index
    tags = ET.fromstring(client.get("/sitemap-tags.xml").content)
    assert [loc.text for loc in tags.iter(f"{SM}loc")] == ["http://testserver/tags/news/"]
    authors = ET.fromstring(client.get("/sitemap-authors.xml").content)
    locs = [loc.text for loc in authors.iter(f"{SM}loc")]
    assert "http://testserver/authors/ann/" in locs
    assert "http://testserver/authors/hidden-author/" not in locs


def test_search_highlights_matches_and_escapes_everything_else(client, category):
    make_article(
        category=category,
        title="Harbor ledgers",
        summary="<b>bold</b> claims about the ledger",
    )
    html = client.get("/search/", {"q": "ledger"}).content.decode()
    assert "<mark>ledgers</mark>" in html and "<mark>ledger</mark>" in html
    assert "&lt;b&gt;bold&lt;/b&gt;" in html


def test_search_ranks_title_matches_first_on_postgresql(client, category):
    if connection.vendor != "postgresql":
        pytest.skip("ranking is PostgreSQL full-text search; SQLite lists newest first")
    body_match = make_article(
        category=category, title="Other", body="<p>a turbine is mentioned</p>"
    )
    title_match = make_article(
        category=category,
        title="Turbines everywhere",
        published_at=timezone.now() - timedelta(days=5),
    )
    results = list(client.get("/search/", {"q": "turbine"}).context_data["articles"])
    assert results == [title_match, body_match]  # stemmed: "turbine" matches "Turbines"


def test_search_ranks_a_bounded_window_of_the_newest_matches(client, category, monkeypatch):
    """Work per search stays the same whatever the archive's size: only the newest matches
    are ranked, and the page says so."""
    from public.views import SearchView

    monkeypatch.setattr(SearchView, "window", 4)
    now = timezone.now()
    matches = [
        make_article(
            category=category,
            title="Turbines in the title" if days == 2 else f"Report {days}",
            body="<p>a turbine is mentioned</p>",
            published_at=now - timedelta(days=days),
        )
        for days in range(1, 7)
    ]
    make_article(category=category, title="Unrelated", body="<p>nothing here</p>")
    response = client.get("/search/", {"q": "turbine"})
    results = list(response.context_data["articles"])
    assert set(results) == set(matches[:4]) and response.context_data["paginator"].count == 4
    if connection.vendor == "postgresql":  # the title match first, then the newest
        assert results == [matches[1], matches[0], matches[2], matches[3]]
    else:
        assert results == matches[:4]
    assert b"The 4 newest matching articles are shown." in response.content

    monkeypatch.setattr(SearchView, "window", 10)
    response = client.get("/search/", {"q": "Turbine"})  # another address: not cached
    assert response.context_data["paginator"].count == 6
    assert b"6 articles found." in response.content


def test_search_pages_past_the_window_answer_404(client, category, monkeypatch):
    from public.views import SearchView

    monkeypatch.setattr(SearchView, "window", 3)
    monkeypatch.setattr(SearchView, "paginate_by", 2)
    make_live_articles(5, category=category, title="Turbine news")
    assert client.get("/search/", {"q": "turbine", "page": 2}).status_code == 200
    response = client.get("/search/", {"q": "turbine", "page": 3})
    assert response.status_code == 404


def test_search_uses_web_search_syntax_on_postgresql(client, category):
    if connection.vendor != "postgresql":
        pytest.skip("websearch syntax is PostgreSQL's")
    make_article(category=category, title="Wind power")
    make_article(category=category, title="Wind tunnel")
    results = client.get("/search/", {"q": "wind -tunnel"}).context_data["articles"]
    assert [a.title for a in results] == ["Wind power"]


def test_search_page_is_noindex_and_canonical(client, site):
    html = client.get("/search/?q=article&page=2").content.decode()
    assert '<meta name="robots" content="noindex, follow">' in html
    # With its words: "/search/?page=2" alone answers 404 (tests/public/test_addresses.py).
    assert '<link rel="canonical" href="http://testserver/search/?q=article&amp;page=2">' in html


def test_list_pages_offer_load_more_that_works_without_javascript(client, site):
    html = client.get("/categories/markets/").content.decode()
    assert "data-load-more" in html
    assert '<a rel="next" class="load-more" href="?page=2">Load more</a>' in html
    assert '<script src="/static/js/site.js" defer></script>' in html
    more = client.get("/articles/top/").content.decode()
    assert 'class="load-more" href="/categories/markets/"' in more


def test_dates_are_shown_in_the_site_time_zone(client, settings, category):
    settings.TIME_ZONE = "Asia/Tokyo"
    published = timezone.now().replace(hour=23, minute=30, second=0, microsecond=0) - timedelta(
        days=1
    )
    make_article(slug="tz", category=category, published_at=published)
    html = client.get("/articles/tz/").content.decode()
    assert timezone.localtime(published, timezone.get_fixed_timezone(540)).strftime("%H:%M") in html
    assert "JST" in html


def test_cards_show_the_publication_time_machine_readable_and_for_people(client, category):
    from datetime import UTC, datetime

    make_article(category=category, published_at=datetime(2026, 3, 5, 23, 30, tzinfo=UTC))
    html = client.get("/categories/markets/").content.decode()
    assert '<time datetime="2026-03-05T23:30:00+00:00">Mar 5, 2026</time>' in html


def test_meta_description_is_cut_at_160_characters(client, category):
    make_article(slug="long", category=category, summary="Word " * 60)
    make_article(slug="short", category=category, summary="A short standfirst.")
    for slug, expected in [("long", ("Word " * 60)[:159] + "…"), ("short", "A short standfirst.")]:
        html = client.get(f"/articles/{slug}/").content.decode()
        assert re.search(r'<meta name="description" content="([^"]*)"', html).group(1) == expected
