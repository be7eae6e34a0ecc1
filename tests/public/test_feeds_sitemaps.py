import xml.etree.ElementTree as ET
from datetime import timedelta

import pytest
from django.utils import timezone

from articles.models import Article
from tests.factories import make_article, make_author, make_category, make_live_articles

pytestmark = pytest.mark.django_db
NEWS = "{http://www.google.com/schemas/sitemap-news/0.9}"
SM = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


def test_main_feed_is_rss_of_live_articles_with_dates_authors_and_categories(client, article):
    article.authors.add(make_author(name="Ann"))
    make_article(slug="hidden", status=Article.Status.DRAFT)
    response = client.get("/feed/")
    assert response["Content-Type"].startswith("application/rss+xml")
    channel = ET.fromstring(response.content).find("channel")
    items = channel.findall("item")
    assert [i.findtext("link") for i in items] == ["http://testserver/articles/a-live-story/"]
    assert items[0].findtext("pubDate")
    assert {c.text for c in items[0].findall("category")} == {"Markets", "economy"}
    assert "Ann" in ET.tostring(items[0], encoding="unicode")


def test_category_and_tag_feeds(client, article):
    for url in ["/categories/markets/feed/", "/tags/economy/feed/"]:
        response = client.get(url)
        assert response.status_code == 200
        assert b"/articles/a-live-story/" in response.content
    assert client.get("/categories/nope/feed/").status_code == 404
    assert client.get("/tags/nope/feed/").status_code == 404


@pytest.mark.parametrize("url", ["/feed/", "/categories/markets/feed/", "/tags/economy/feed/"])
def test_feed_query_count_is_flat(client, article, django_assert_num_queries, url):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as small:
        client.get(url)
    make_live_articles(15, category=article.category, tags=["economy"])
    with django_assert_num_queries(len(small.captured_queries)):
        client.get(url)
    # freshness snapshot (one query), (tag, exists), items, tags, authors
    assert len(small.captured_queries) <= 6


def test_sitemap_index_and_sections_list_only_live_articles(client, article):
    make_article(slug="hidden", status=Article.Status.DRAFT)
    make_article(slug="later", published_at=timezone.now() + timedelta(days=1))
    index = ET.fromstring(client.get("/sitemap.xml").content)
    sections = [loc.text for loc in index.iter(f"{SM}loc")]
    assert "http://testserver/sitemap-articles.xml" in sections
    urls = ET.fromstring(client.get("/sitemap-articles.xml").content)
    locs = [loc.text for loc in urls.iter(f"{SM}loc")]
    assert locs == ["http://testserver/articles/a-live-story/"]
    assert next(urls.iter(f"{SM}lastmod")).text


def test_news_sitemap_covers_the_last_48_hours(client, category):
    make_article(slug="fresh", category=category, published_at=timezone.now() - timedelta(hours=5))
    make_article(slug="stale", category=category, published_at=timezone.now() - timedelta(days=3))
    make_article(slug="later", category=category, published_at=timezone.now() + timedelta(hours=1))
    tree = ET.fromstring(client.get("/news-sitemap.xml").content)
    locs = [loc.text for loc in tree.iter(f"{SM}loc")]
    assert locs == ["http://testserver/articles/fresh/"]
    assert tree.find(f".//{NEWS}title").text == Article.objects.get(slug="fresh").title
    assert tree.find(f".//{NEWS}publication_date").text


def test_feed_titles_carry_the_site_name(client, settings):
    settings.SITE_NAME = "Harbour Gazette"
    make_article(slug="piece", category=make_category(slug="ports", name="Ports"), tags=["cargo"])
    for path, title in [
        ("/feed/", "Harbour Gazette: latest articles"),
        ("/categories/ports/feed/", "Harbour Gazette: Ports"),
        ("/tags/cargo/feed/", "Harbour Gazette: cargo"),
    ]:
        channel = ET.fromstring(client.get(path).content).find("channel")
        assert channel.findtext("title") == title, path
        assert "Newsroom" not in channel.findtext("description"), path
