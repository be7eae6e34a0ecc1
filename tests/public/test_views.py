from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

import caching
from articles.labels import attach_labels
from articles.models import Article, Author, RelatedLink
from public.cards import as_cards, newest_in_section
from tests.factories import (
    hero_upload,
    make_article,
    make_author,
    make_category,
    make_live_articles,
)

pytestmark = pytest.mark.django_db

# freshness snapshot (the content generation with the newest live and next scheduled
# publication times: one query), article, curated links with their live targets, category fill
# (+ its cards' tags), the article's tags and byline with its curated cards' tags (one query),
# category menu: the same whatever the size. Cards show one tag; no byline.
ARTICLE_QUERIES = 7


def grow(count, category, tag="news"):
    author = make_author()
    for _ in range(count):
        make_article(category=category, tags=[tag, "world"], authors=[author])


@pytest.fixture
def populated(category):
    make_article(
        title="The top story",
        slug="top",
        category=category,
        is_featured=True,
        label="Top",
        tags=["news"],
        authors=[make_author(slug="ann", name="Ann")],
    )
    grow(3, category)
    return category


def test_home_shows_top_story_and_newest_articles(client, populated):
    response = client.get("/")
    assert response.status_code == 200
    assert response.context_data["top_story"].slug == "top"
    assert "top" not in [a.slug for a in response.context_data["articles"]]
    assert b"The top story" in response.content
    top_card = response.content.decode().split('<article class="card card--large">')[1]
    assert '<a class="tag" href="/tags/news/">news</a>' in top_card.split("</article>")[0]


@pytest.mark.parametrize(
    "url, budget",
    [
        # Every cold page first reads the freshness snapshot (the content generation, newest
        # live and next scheduled publication: one query) that versions the page cache.
        # + top story, page, its cards' tags (one query), category menu; lists never count
        ("/", 5),
        # + parent object, page, its cards' tags, category menu
        ("/categories/markets/", 5),
        ("/tags/news/", 6),  # + an exists() check: a tag with no live article is a 404
        ("/authors/ann/", 5),
        # + the ids of the newest matches, ranked; their page, its cards' tags, category menu
        ("/search/?q=Article", 5),
    ],
)
def test_list_query_count_stays_flat_as_data_grows_tenfold(
    client, populated, django_assert_num_queries, url, budget
):
    with django_assert_num_queries(budget):
        assert client.get(url).status_code == 200
    grow(30, populated)
    caching.reset()  # cold again: the new articles left the menu's cached copy current
    with django_assert_num_queries(budget):
        assert client.get(url).status_code == 200


def test_article_page_shows_everything_the_seed_shows(client, category):
    author = make_author(name="Ann Writer", slug="ann-writer")
    article = make_article(
        title="Headline here",
        slug="headline-here",
        label="Top",
        summary="The standfirst.",
        body="<p>Intro.</p><h2>A subheading</h2><p>More.</p>",
        category=category,
        tags=["economy", "trade"],
        authors=[author],
        hero_alt="Alt text",
        hero_caption="A caption",
        hero_credit="Photo by Someone for Newsroom",
    )
    related = make_article(title="Related one", category=make_category(name="Elsewhere"))
    RelatedLink.objects.create(article=article, target=related, position=0)
    make_article(title="Same category", category=category, tags=["economy"])

    response = client.get("/articles/headline-here/")
    html = response.content.decode()
    assert response.status_code == 200
    assert '<span class="label">Top</span>' in html
    assert "<h1>Headline here</h1>" in html
    assert "The standfirst." in html
    assert 'href="/authors/ann-writer/">Ann Writer</a>' in html
    assert "<h2>A subheading</h2>" in html
    assert 'href="/tags/economy/"' in html
    assert f'<time datetime="{article.published_at.isoformat(timespec="seconds")}' in html
    assert "More to Read" in html and "View All" in html
    assert html.index("Related one") < html.index("Same category")
    assert '"@type": "NewsArticle"' in html
    assert '<link rel="canonical" href="http://testserver/articles/headline-here/">' in html
    assert 'property="og:title"' in html and 'name="twitter:card"' in html


def test_article_page_query_count_is_flat(client, category, django_assert_num_queries):
    article = make_article(slug="subject", category=category, tags=["a", "b"])
    for other in make_live_articles(2, category=make_category()):
        RelatedLink.objects.create(article=article, target=other)
    make_live_articles(1, category=category)
    with django_assert_num_queries(ARTICLE_QUERIES):
        response = client.get("/articles/subject/")
    assert len(response.context_data["more_to_read"]) == 3
    for _ in range(20):
        hidden = make_article(category=category, status=Article.Status.DRAFT)
        RelatedLink.objects.create(article=article, target=hidden)
    make_live_articles(20, category=category)
    caching.reset()  # cold again: the menu's cached copy is still current
    with django_assert_num_queries(ARTICLE_QUERIES):
        assert client.get("/articles/subject/").status_code == 200


@pytest.mark.parametrize(
    "status, delta",
    [
        (Article.Status.DRAFT, None),
        (Article.Status.REVIEW, timedelta(hours=-1)),
        (Article.Status.PUBLISHED, timedelta(hours=1)),
    ],
)
def test_non_live_article_answers_404_like_a_missing_slug(client, category, status, delta):
    published_at = timezone.now() + delta if delta else None
    make_article(
        slug="secret", title="Secret", category=category, status=status, published_at=published_at
    )
    missing = client.get("/articles/never-existed/")
    secret = client.get("/articles/secret/")
    assert secret.status_code == missing.status_code == 404
    for url in ["/", "/categories/markets/", "/search/?q=Secret", "/feed/"]:
        assert b"/articles/secret/" not in client.get(url).content


def test_scheduled_article_appears_on_the_site_when_its_time_comes(client, category):
    publish_at = timezone.now() + timedelta(hours=3)
    make_article(slug="later", title="Later story", category=category, published_at=publish_at)
    assert client.get("/articles/later/").status_code == 404
    with time_machine.travel(publish_at + timedelta(minutes=1)):
        assert client.get("/articles/later/").status_code == 200
        assert b"Later story" in client.get("/").content


def test_old_slug_answers_301_to_the_current_url(client, article):
    article.slug = "renamed"
    article.save()
    article.slug = "renamed-again"
    article.save()
    response = client.get("/articles/a-live-story/")
    assert response.status_code == 301
    assert response["Location"] == "/articles/renamed-again/"


def test_old_slug_of_an_unpublished_article_answers_404(client, article):
    article.slug = "renamed"
    article.save()
    article.status = Article.Status.DRAFT
    article.save()
    assert client.get("/articles/a-live-story/").status_code == 404


@pytest.mark.parametrize("page", ["abc", "0", "-1", "999999", "1.5", "10**20", ""])
@pytest.mark.parametrize("path", ["/", "/categories/markets/", "/tags/economy/", "/search/?q=live"])
def test_bad_page_numbers_answer_404_never_500(client, article, path, page):
    separator = "&" if "?" in path else "?"
    response = client.get(f"{path}{separator}page={page}")
    # An empty page number is the first page; anything else that is not a page answers 404.
    assert response.status_code == (200 if page == "" else 404)


@pytest.mark.parametrize(
    "url", ["/categories/nope/", "/tags/nope/", "/authors/nope/", "/articles/nope/"]
)
def test_unknown_slugs_answer_404(client, db, url):
    response = client.get(url)
    assert response.status_code == 404
    assert b"find that page" in response.content


def test_tag_used_only_by_drafts_is_not_revealed(client, category):
    make_article(category=category, status=Article.Status.DRAFT, tags=["embargoed-tag"])
    assert client.get("/tags/embargoed-tag/").status_code == 404
    assert client.get("/tags/embargoed-tag/feed/").status_code == 404


def test_lists_paginate_at_24(client, category):
    grow(30, category)
    first = client.get("/categories/markets/")
    second = client.get("/categories/markets/?page=2")
    assert len(first.context_data["articles"]) == 24
    assert len(second.context_data["articles"]) == 6
    assert b'rel="next"' in first.content
    assert b'<link rel="canonical" href="http://testserver/categories/markets/?page=2">' in (
        second.content
    )


def test_search_finds_title_summary_body_and_tag_words(client, category):
    make_article(title="Alpha title", category=category)
    make_article(summary="Beta summary", category=category)
    make_article(body="<p>Gamma body</p>", category=category)
    make_article(tags=["delta"], category=category)
    for word in ["alpha", "beta", "gamma", "delta"]:
        response = client.get("/search/", {"q": word})
        assert len(response.context_data["articles"]) == 1, word
    assert response.headers.get("X-Robots-Tag") is None
    assert b'name="robots" content="noindex' in response.content


@pytest.mark.parametrize("query", ["", "   ", "\x00", "a" * 5000, "'; DROP TABLE x; --", "{{ x }}"])
def test_empty_or_absurd_search_answers_a_clean_page(client, article, query):
    response = client.get("/search/", {"q": query})
    assert response.status_code == 200


def test_author_page_lists_only_their_live_articles(client, category):
    author = make_author(slug="writer", name="Writer")
    mine = make_article(category=category, authors=[author])
    make_article(category=category, authors=[author], status=Article.Status.DRAFT)
    make_article(category=category)
    response = client.get("/authors/writer/")
    assert list(response.context_data["articles"]) == [mine]


def test_healthz_reports_database_and_cache(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "checks": {"database": True, "cache": True}}
    assert "no-cache" in response["Cache-Control"]


def test_robots_txt_names_the_sitemaps(client, db):
    body = client.get("/robots.txt").content.decode()
    assert "Sitemap: http://testserver/sitemap.xml" in body
    assert "Sitemap: http://testserver/news-sitemap.xml" in body
    assert "Disallow: /admin/" in body


@pytest.mark.parametrize("path", ["/tags/a%00b/", "/tags/%12/", "/tags/a.b/"])
def test_tag_addresses_with_control_characters_answer_404(client, article, path):
    assert client.get(path).status_code == 404


def test_unicode_tag_pages_work(client, category):
    make_article(category=category, tags=["日本"])
    response = client.get("/tags/日本/")
    assert response.status_code == 200


@pytest.mark.parametrize("url", ["/", "/categories/markets/", "/tags/news/", "/authors/ann/"])
def test_lists_never_count_and_know_a_next_page_by_one_extra_row(client, populated, url):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    ann = Author.objects.get(slug="ann")
    for _ in range(30):
        make_article(category=populated, tags=["news"], authors=[ann])
    with CaptureQueriesContext(connection) as queries:
        first = client.get(url)
    assert not [q for q in queries.captured_queries if "COUNT(" in q["sql"]]
    assert first.context_data["page_obj"].has_next() and b"Page 1</span>" in first.content
    last = client.get(f"{url}?page=2")
    assert not last.context_data["page_obj"].has_next() and b'rel="next"' not in last.content
    assert client.get(f"{url}?page=3").status_code == 404
    for bad in ("0", "-1", "last", "x", "2.5"):
        assert client.get(f"{url}?page={bad}").status_code == 404


def test_lists_stop_at_the_page_cap(client, category, monkeypatch):
    from public.views import LiveArticlesMixin

    monkeypatch.setattr(LiveArticlesMixin, "max_page", 2)
    make_live_articles(60, category=category)
    assert client.get("/categories/markets/?page=2").status_code == 200
    response = client.get("/categories/markets/?page=3")
    assert response.status_code == 404


def test_deep_pages_read_their_rows_by_id_and_keep_the_order(client, category):
    from public.views import DEFERRED_JOIN_OFFSET

    make_live_articles(DEFERRED_JOIN_OFFSET + 30, category=category)
    deep_page = DEFERRED_JOIN_OFFSET // 24 + 1
    expected = list(
        Article.objects.live()
        .filter(category=category)
        .order_by("-published_at", "-id")
        .values_list("slug", flat=True)[(deep_page - 1) * 24 : deep_page * 24]
    )
    response = client.get(f"/categories/markets/?page={deep_page}")
    assert [article.slug for article in response.context_data["articles"]] == expected
    assert all(article.first_tag for article in response.context_data["articles"])


@pytest.mark.parametrize(
    "url",
    [
        "/",
        "/articles/top/",
        "/categories/markets/",
        "/search/?q=story",
        "/api/v1/articles/",
        "/api/v1/articles/?include=body",
        "/api/v1/articles/top/",
    ],
)
def test_no_page_loads_the_search_vector(client, api_client, populated, url):
    """PostgreSQL reads it; Python never needs its kilobytes of words."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        response = (api_client if url.startswith("/api/") else client).get(url)
    assert response.status_code == 200
    selected = [q["sql"].split(" FROM ")[0] for q in queries if q["sql"].startswith("SELECT")]
    assert selected and not [columns for columns in selected if "search_vector" in columns]


def test_a_card_reads_nothing_its_listing_query_did_not_load(category, django_assert_num_queries):
    """as_cards() loads only the columns a card shows: one more read would be a query per card."""
    from django.template import engines

    cards = engines["jinja2"].env.get_template("includes/cards.html").module

    make_article(
        category=category,
        label="Analysis",
        tags=["ports"],
        hero_image=hero_upload(),
        hero_alt="Cranes",
    )
    cards_of_a_page = attach_labels(list(as_cards(Article.objects.live())), with_authors=False)
    [article] = cards_of_a_page
    with django_assert_num_queries(0):
        html = str(cards.card(article, large=True) + cards.card(article, query="article"))
    assert '<span class="label">Analysis</span>' in html
    assert 'href="/categories/markets/">Markets</a>' in html
    assert '<a class="tag" href="/tags/ports/">ports</a>' in html
    assert "<picture>" in html and 'type="image/webp"' in html
    assert "<mark>Article</mark>" in html


def test_menu_shows_a_new_section_when_its_first_story_goes_live(client, category):
    """The menu is kept under the content version: a scheduled story going live moves it."""
    embargoed = make_category(slug="election", name="Election desk")
    publish_at = timezone.now() + timedelta(hours=3)
    make_article(slug="result", category=embargoed, published_at=publish_at)
    make_article(slug="today", category=category)
    assert b"Election desk" not in client.get("/").content
    with time_machine.travel(publish_at + timedelta(minutes=1)):
        assert b"Election desk" in client.get("/").content


def test_article_pages_leave_the_shared_section_fill_unchanged(client, category):
    """The fill is kept under the content version and shared by every article page of the
    section: a page attaches labels to its own article and curated cards only."""
    from caching.versioned import remember

    make_article(slug="subject", category=category, tags=["a"])
    for _ in range(3):
        make_article(category=category, tags=["b"])
    assert client.get("/articles/subject/").status_code == 200
    fill = remember(f"section-fill:{category.pk}", lambda: newest_in_section(category.pk))
    assert fill and all(not hasattr(article, "author_labels") for article in fill)
    assert all(article.tag_labels for article in fill)
