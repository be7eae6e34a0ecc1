from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone
from rest_framework.test import APIClient

import caching
from articles.models import Article, ArticleWithdrawal, RelatedLink
from articles.search import SEARCH_WINDOW
from partners.models import PartnerKey
from tests.factories import (
    hero_upload,
    make_article,
    make_author,
    make_category,
    make_live_articles,
)

pytestmark = pytest.mark.django_db


LIST_FIELDS = {
    "id",
    "slug",
    "url",
    "title",
    "summary",
    "label",
    "is_featured",
    "category",
    "tags",
    "authors",
    "hero_image",
    "published_at",
    "updated_at",
    "reading_time_minutes",
    "embargoed_until",
    "live_coverage",
}


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/articles/",
        "/api/v1/articles/a-live-story/",
        "/api/v1/categories/",
        "/api/v1/categories/markets/",
        "/api/v1/tags/",
    ],
)
def test_no_key_answers_401_with_json_naming_the_header(article, url):
    response = APIClient().get(url)
    assert response.status_code == 401
    assert "Authorization: Api-Key" in response.json()["detail"]
    assert response["WWW-Authenticate"] == "Api-Key"


@pytest.mark.parametrize(
    "header", ["Api-Key nope.nope", "Api-Key ", "Bearer abc", "Token x", "Api-Key a.b.c"]
)
def test_wrong_or_malformed_key_answers_401(article, header):
    response = APIClient().get("/api/v1/articles/", HTTP_AUTHORIZATION=header)
    assert response.status_code == 401
    assert response.json()["detail"]


def test_revoked_and_expired_keys_answer_401(article):
    revoked, revoked_key = PartnerKey.objects.create_key(name="revoked", revoked=True)
    expired, expired_key = PartnerKey.objects.create_key(
        name="expired", expiry_date=timezone.now() - timedelta(days=1)
    )
    for key in (revoked_key, expired_key):
        response = APIClient().get("/api/v1/articles/", HTTP_AUTHORIZATION=f"Api-Key {key}")
        assert response.status_code == 401


def test_keys_are_stored_hashed(api_key):
    stored = PartnerKey.objects.get()
    assert api_key not in stored.hashed_key
    assert stored.is_valid(api_key)


def test_article_list_has_the_contract_shape(api_client, category):
    author = make_author(slug="ann", name="Ann")
    make_article(slug="story", category=category, tags=["economy"], authors=[author], label="Top")
    response = api_client.get("/api/v1/articles/")
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"next", "previous", "results"}
    item = body["results"][0]
    assert set(item) == LIST_FIELDS
    assert item["url"] == "http://testserver/articles/story/"
    assert item["category"] == {
        "slug": "markets",
        "name": "Markets",
        "url": "http://testserver/categories/markets/",
    }
    assert item["tags"] == [{"slug": "economy", "name": "economy"}]
    assert item["authors"] == [{"slug": "ann", "name": "Ann"}]
    assert item["hero_image"] is None
    assert item["published_at"].endswith(("Z", "+00:00"))
    assert "ETag" in response


def test_list_item_agrees_with_the_article_and_drf_fields(api_client, category, settings):
    """The serializer builds items from rows by hand; they must say what the model instance and
    DRF's own fields would, hero image and times included, in another time zone too."""
    from rest_framework.fields import DateTimeField

    article = make_article(
        slug="pictured",
        category=category,
        tags=["economy", "trade"],
        authors=[make_author(slug="bo", name="Bo")],
        hero_image=hero_upload(),
        hero_alt="A harbour",
        hero_caption="Cranes at dawn",
        hero_credit="Photo by us",
    )
    article.refresh_from_db()
    settings.TIME_ZONE = "Asia/Kolkata"
    item = api_client.get("/api/v1/articles/").json()["results"][0]
    times = DateTimeField()
    assert item == {
        "id": article.pk,
        "slug": "pictured",
        "url": "http://testserver/articles/pictured/",
        "title": article.title,
        "summary": article.summary,
        "label": article.label,
        "is_featured": article.is_featured,
        "category": {
            "slug": "markets",
            "name": "Markets",
            "url": "http://testserver/categories/markets/",
        },
        "tags": [{"slug": "economy", "name": "economy"}, {"slug": "trade", "name": "trade"}],
        "authors": [{"slug": "bo", "name": "Bo"}],
        "hero_image": {
            "url": f"http://testserver{article.hero_fallback['url']}",
            "width": 64,
            "height": 36,
            "alt": "A harbour",
            "caption": "Cranes at dawn",
            "credit": "Photo by us",
            "renditions": [
                {
                    "url": f"http://testserver{url}",
                    "width": width,
                    "height": height,
                    "format": fmt,
                    "bytes": size,
                }
                for fmt, sizes in article.hero_renditions["formats"].items()
                for width, height, url, size in sizes
            ],
        },
        "published_at": times.to_representation(article.published_at),
        "updated_at": times.to_representation(article.updated_at),
        "reading_time_minutes": article.reading_time_minutes,
        "embargoed_until": None,
        "live_coverage": None,
    }
    assert item["published_at"].endswith("+05:30")


def test_article_detail_has_body_and_live_related_links(api_client, article):
    target = make_article(slug="target", title="Target")
    hidden = make_article(slug="hidden", status=Article.Status.DRAFT)
    RelatedLink.objects.create(article=article, target=target, position=0)
    RelatedLink.objects.create(article=article, target=hidden, position=1)
    RelatedLink.objects.create(article=article, url="https://example.com/", title="Ext", position=2)
    body = api_client.get("/api/v1/articles/a-live-story/").json()
    assert set(body) == LIST_FIELDS | {"body_html", "related_links", "corrections", "live_entries"}
    assert body["body_html"].startswith("<p>")
    assert body["related_links"] == [
        {"title": "Target", "url": "http://testserver/articles/target/", "article": "target"},
        {"title": "Ext", "url": "https://example.com/", "article": None},
    ]


@pytest.mark.parametrize(
    "status, delta",
    [
        (Article.Status.DRAFT, None),
        (Article.Status.REVIEW, timedelta(hours=-1)),
        (Article.Status.PUBLISHED, timedelta(hours=1)),
    ],
)
def test_non_live_articles_never_appear_in_the_api(api_client, category, status, delta):
    make_article(category=category, tags=["visible"])
    make_article(
        slug="secret",
        category=category,
        status=status,
        tags=["secret-tag"],
        published_at=timezone.now() + delta if delta else None,
    )
    assert api_client.get("/api/v1/articles/secret/").status_code == 404
    slugs = [a["slug"] for a in api_client.get("/api/v1/articles/").json()["results"]]
    assert "secret" not in slugs
    assert api_client.get("/api/v1/categories/markets/").json()["article_count"] == 1
    assert [t["slug"] for t in api_client.get("/api/v1/tags/").json()] == ["visible"]


def test_filters_by_category_tag_and_author(api_client):
    economy, sport = make_category(slug="economy"), make_category(slug="sport")
    author = make_author(slug="ann")
    a = make_article(slug="a", category=economy, tags=["rates"], authors=[author])
    make_article(slug="b", category=sport, tags=["football"])
    make_article(slug="c", category=sport, tags=["rates", "football"])

    def slugs(**params):
        response = api_client.get("/api/v1/articles/", params)
        assert response.status_code == 200, response.json()
        return sorted(item["slug"] for item in response.json()["results"])

    assert slugs(category="economy") == ["a"]
    assert slugs(tag="rates") == ["a", "c"]
    assert slugs(tag=["rates", "football"]) == ["a", "b", "c"]
    assert slugs(author="ann") == [a.slug]
    assert slugs(category="sport", tag="rates") == ["c"]
    assert slugs(q="nothing-matches-this") == []


def test_an_unfiltered_list_skips_the_filter_set(api_client, article, monkeypatch):
    from partners.api.filters import ArticleFilter

    built = []
    original = ArticleFilter.__init__

    def counting_init(self, *args, **kwargs):
        built.append(kwargs.get("data"))
        original(self, *args, **kwargs)

    monkeypatch.setattr(ArticleFilter, "__init__", counting_init)
    assert api_client.get("/api/v1/articles/", {"page_size": 5}).status_code == 200
    assert built == []
    assert api_client.get("/api/v1/articles/", {"category": "nowhere"}).status_code == 404
    assert len(built) == 1


def test_date_filters(api_client, category):
    now = timezone.now()
    make_article(slug="old", category=category, published_at=now - timedelta(days=10))
    make_article(slug="new", category=category, published_at=now - timedelta(days=1))
    since = (now - timedelta(days=5)).isoformat()
    response = api_client.get("/api/v1/articles/", {"published_after": since})
    assert [a["slug"] for a in response.json()["results"]] == ["new"]
    response = api_client.get("/api/v1/articles/", {"published_before": since})
    assert [a["slug"] for a in response.json()["results"]] == ["old"]
    later = (timezone.now() + timedelta(seconds=1)).isoformat()
    response = api_client.get("/api/v1/articles/", {"updated_since": later})
    assert response.json()["results"] == []


@pytest.mark.parametrize(
    "params, parameter",
    [
        ({"category": "bad slug"}, "category"),
        ({"tag": ""}, "tag"),
        ({"category": "markets", "tag": "no-such", "page_size": "x"}, "page_size"),
        ({"published_after": "yesterday"}, "published_after"),
        ({"updated_since": "2024-13-45"}, "updated_since"),
        ({"page_size": "0"}, "page_size"),
        ({"page_size": "101"}, "page_size"),
        ({"page_size": "abc"}, "page_size"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_bad_parameters_answer_400_naming_the_parameter(api_client, article, params, parameter):
    response = api_client.get("/api/v1/articles/", params)
    assert response.status_code == 400
    body = response.json()
    assert parameter in body["detail"]
    assert parameter in body["errors"]


@pytest.mark.parametrize("params", [{"category": "no-such"}, {"tag": ["economy", "no-such"]}])
def test_a_well_formed_slug_that_names_nothing_answers_404_naming_it(api_client, article, params):
    """The schema says what a slug looks like, not which exist: a slug that names nothing is
    not found (as a cursor we did not make), so every schema-valid request is accepted or 404."""
    response = api_client.get("/api/v1/articles/", params)
    assert response.status_code == 404
    [parameter] = params
    assert response.json() == {
        "detail": f"Not found: {parameter}.",
        "errors": {parameter: [response.json()["errors"][parameter][0]]},
    }
    assert "no live article shows" in response.json()["errors"][parameter][0].lower()


@pytest.mark.parametrize(
    "cursor, status", [("garbage", 404), ("", 400), ("eyJ4IjoxfQ", 404), ("a" * 5000, 404)]
)
def test_bad_cursor_answers_naming_it(api_client, article, cursor, status):
    response = api_client.get("/api/v1/articles/", {"cursor": cursor})
    assert response.status_code == status  # empty: malformed (400); otherwise not ours (404)
    assert "cursor" in response.json()["errors"]


def test_cursor_pagination_walks_every_article_once(api_client, category):
    make_live_articles(7, category=category)
    seen, url = [], "/api/v1/articles/?page_size=3"
    while url:
        body = api_client.get(url).json()
        seen += [item["slug"] for item in body["results"]]
        url = body["next"]
    assert len(seen) == len(set(seen)) == 7


@pytest.mark.parametrize("ordering", ["-published_at", "published_at", "-updated_at"])
def test_searching_several_words_walks_every_match_once_in_order(
    api_client, category, ordering, caching_off, django_assert_num_queries
):
    """Several words take another road on PostgreSQL (a window of ids first, then the page: see
    ArticleQuerySet.first_rows); the walk must be the one an unfiltered list would give."""
    matches = make_live_articles(7, category=category, tags=["rates", "world"])
    make_live_articles(3, category=category, tags=["rates"])
    field = ordering.lstrip("-")
    expected = sorted(matches, key=lambda a: (getattr(a, field), a.pk))
    if ordering.startswith("-"):
        expected.reverse()
    seen, url = [], f"/api/v1/articles/?q=rates+world&page_size=3&ordering={ordering}"
    while url:
        body = api_client.get(url).json()
        seen += [item["slug"] for item in body["results"]]
        url = body["next"]
    assert seen == [a.slug for a in expected]
    # the key, the page (+ tags and authors), and on PostgreSQL the window of ids before the page
    window = connection.vendor == "postgresql"
    with django_assert_num_queries(3 + window) as captured:
        api_client.get("/api/v1/articles/", {"q": "rates world"})
    assert window == any(f"LIMIT {SEARCH_WINDOW}" in q["sql"] for q in captured.captured_queries)


def test_searching_one_word_reads_the_page_directly(
    api_client, category, caching_off, django_assert_num_queries
):
    make_live_articles(4, category=category, tags=["rates"])
    api_client.get("/api/v1/categories/")  # the key's first use records last_used_at
    with django_assert_num_queries(3):
        response = api_client.get("/api/v1/articles/", {"q": "rates"})
    assert len(response.json()["results"]) == 4


@pytest.mark.parametrize("ordering", ["-published_at", "published_at", "-updated_at"])
@pytest.mark.parametrize("include", [None, "body"])
def test_full_pages_walk_forward_and_back_in_order(api_client, category, ordering, include):
    """Unfiltered pages of the default size are read through compiled queries (see
    LiveArticlePagination): the walk must be the one any other page size gives."""
    make_live_articles(45, category=category)
    field = ordering.lstrip("-")
    rows = Article.objects.live().values_list("slug", field, "pk")
    expected = [slug for slug, *_ in sorted(rows, key=lambda row: (row[1], row[2]))]
    if ordering.startswith("-"):
        expected.reverse()
    params = {"ordering": ordering, **({"include": include} if include else {})}
    pages, url = [], "/api/v1/articles/?" + "&".join(f"{k}={v}" for k, v in params.items())
    while url:
        body = api_client.get(url).json()
        pages.append([item["slug"] for item in body["results"]])
        assert all(("body_html" in item) == (include == "body") for item in body["results"])
        url, previous = body["next"], body["previous"]
    assert [len(page) for page in pages] == [20, 20, 5]
    assert sum(pages, []) == expected
    back = api_client.get(previous).json()
    assert [item["slug"] for item in back["results"]] == pages[1]


def test_unknown_article_answers_404_json(api_client, db):
    response = api_client.get("/api/v1/articles/nope/")
    assert response.status_code == 404
    assert response.json() == {"detail": "No Article matches the given query."}


def test_writes_answer_405(api_client, article):
    response = api_client.post("/api/v1/articles/", {}, format="json")
    assert response.status_code == 405
    assert response.json()["detail"]


def test_if_none_match_gets_304(api_client, article):
    first = api_client.get("/api/v1/articles/")
    second = api_client.get("/api/v1/articles/", HTTP_IF_NONE_MATCH=first["ETag"])
    assert second.status_code == 304


def test_categories_count_live_articles_and_hide_sections_with_none(api_client, category):
    make_live_articles(2, category=category)
    make_article(category=category, status=Article.Status.DRAFT)
    make_category(slug="empty")
    embargoed = make_category(slug="embargoed")
    make_article(category=embargoed, status=Article.Status.DRAFT)
    body = api_client.get("/api/v1/categories/").json()
    counts = {c["slug"]: c["article_count"] for c in body}
    assert counts == {"markets": 2}
    assert api_client.get("/api/v1/categories/embargoed/").status_code == 404
    # Filtering by a hidden section answers as for one that doesn't exist.
    hidden = api_client.get("/api/v1/articles/?category=embargoed")
    unknown = api_client.get("/api/v1/articles/?category=no-such-section")
    assert hidden.status_code == unknown.status_code == 404


def test_tags_list_counts_live_use(api_client, category):
    make_live_articles(2, category=category, tags=["rates"])
    make_article(category=category, tags=["rates"], status=Article.Status.DRAFT)
    assert api_client.get("/api/v1/tags/").json() == [
        {"slug": "rates", "name": "rates", "article_count": 2}
    ]


@pytest.mark.parametrize(
    "url, budget",
    [
        # Each cold response reads the freshness snapshot (content generation, schedule and tag
        # counts: one query), then the key, then: page (+ tags and authors)
        ("/api/v1/articles/", 4),
        ("/api/v1/articles/?page_size=100", 4),
        ("/api/v1/articles/?page_size=100&include=body", 4),
        # snapshot, article (+ tags and authors), related links with live targets, corrections
        # (live entries only for an article that has had live coverage)
        ("/api/v1/articles/subject/", 6),
        ("/api/v1/categories/", 3),
        ("/api/v1/categories/markets/", 3),
        ("/api/v1/tags/", 3),
        # snapshot, updated articles (+ tags and authors), tombstones
        ("/api/v1/changes/?since=2000-01-01T00:00:00Z", 5),
        ("/api/v1/changes/?since=2000-01-01T00:00:00Z&page_size=100", 5),
    ],
)
def test_api_query_count_stays_flat_as_data_grows_tenfold(
    api_client, category, django_assert_num_queries, url, budget
):
    subject = make_article(slug="subject", category=category, tags=["x"])
    api_client.get("/api/v1/categories/")  # the key's first use records last_used_at

    def grow(count):
        for other in make_live_articles(count, category=category, tags=["rates", "world"]):
            RelatedLink.objects.create(article=subject, target=other)
            ArticleWithdrawal.record(other, reason="deleted", audience="everyone")

    grow(3)
    caching.reset()  # cold: the key's lookup too
    with django_assert_num_queries(budget):
        assert api_client.get(url).status_code == 200
    grow(30)
    caching.reset()  # cold again: the growth left the key's cached lookup current
    with django_assert_num_queries(budget):
        assert api_client.get(url).status_code == 200


def test_cold_api_list_asks_no_freshness_queries_when_caching_is_off(
    api_client, category, caching_off, django_assert_num_queries
):
    """With CACHE_URL=dummy:// nothing versions on the snapshot: Last-Modified is simply now."""
    make_live_articles(5, category=category, tags=["rates"])
    api_client.get("/api/v1/categories/")  # the key's first use records last_used_at
    # the key (nothing remembers it), then the page (+ tags and authors)
    with django_assert_num_queries(3):
        response = api_client.get("/api/v1/articles/")
    assert response.status_code == 200 and len(response.json()["results"]) == 5
    assert response["Last-Modified"]


def test_schema_and_docs_need_no_key(client, db):
    schema = client.get("/api/v1/schema/")
    assert schema.status_code == 200
    assert b"openapi: 3" in schema.content
    assert b"/api/v1/articles/" in schema.content
    docs = client.get("/api/v1/docs/")
    assert docs.status_code == 200
    assert b"swagger-ui" in docs.content
    assert b"cdn.jsdelivr" not in docs.content and b"unpkg" not in docs.content


@pytest.mark.parametrize("parameter", ["q=zzzz", "category=nope", "tag=none", "page_size=5"])
def test_the_detail_refuses_list_parameters_by_name_instead_of_filtering(api_client, parameter):
    """The list's filters are the list's: the detail once applied them (`?q=zzzz` answered 404
    for a live article, `?category=nope` 400 as an unknown category)."""
    make_article(slug="live-one")
    response = api_client.get(f"/api/v1/articles/live-one/?{parameter}")
    assert response.status_code == 400
    name = parameter.partition("=")[0]
    assert list(response.json()["errors"]) == [name]
    assert "Accepted parameters: include, since" in response.json()["errors"][name][0]
    assert api_client.get("/api/v1/articles/live-one/?include=body").status_code == 200


def test_the_detail_schema_documents_no_list_filters(client):
    schema = client.get("/api/v1/schema/?format=json").json()
    detail = schema["paths"]["/api/v1/articles/{slug}/"]["get"]
    listing = schema["paths"]["/api/v1/articles/"]["get"]
    assert {p["name"] for p in detail["parameters"]} == {"slug", "since"}
    assert {"q", "category", "tag", "author", "published_after"} <= {
        p["name"] for p in listing["parameters"]
    }


@pytest.mark.parametrize("parameter", ["tag", "author", "category"])
def test_a_term_only_hidden_articles_carry_answers_like_an_unknown_one(api_client, parameter):
    """No existence oracle: `?tag=embargo-only` says what `?tag=never-was` says."""
    section = make_category(slug="hidden-desk")
    writer = make_author(slug="hidden-writer")
    make_article(slug="embargoed", category=section, tags=["embargo-only"], authors=[writer])
    Article.objects.filter(slug="embargoed").update(
        embargoed_until=timezone.now() + timedelta(days=1)
    )
    make_article(slug="visible", tags=["public-tag"])
    value = {"tag": "embargo-only", "author": "hidden-writer", "category": "hidden-desk"}[parameter]
    hidden = api_client.get(f"/api/v1/articles/?{parameter}={value}")
    unknown = api_client.get(f"/api/v1/articles/?{parameter}=never-was")
    assert hidden.status_code == unknown.status_code == 404
    assert hidden.json()["errors"][parameter] == [
        message.replace("never-was", value) for message in unknown.json()["errors"][parameter]
    ]
    _, key = PartnerKey.objects.create_key(name="wire", can_see_embargoed=True)
    permitted = APIClient()
    permitted.credentials(HTTP_AUTHORIZATION=f"Api-Key {key}")
    answer = permitted.get(f"/api/v1/articles/?{parameter}={value}")
    assert answer.status_code == 200 and [a["slug"] for a in answer.json()["results"]] == [
        "embargoed"
    ]
