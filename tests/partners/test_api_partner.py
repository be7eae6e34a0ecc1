"""The partner API beyond the basics: keys, ordering, paging under publishing, sync, HTTP."""

import gzip
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone
from rest_framework.test import APIClient

from articles.models import Article, RelatedLink
from partners.models import PartnerKey
from tests.factories import make_article, make_category, make_live_articles

pytestmark = pytest.mark.django_db


def keyed_client(**key_fields):
    _, key = PartnerKey.objects.create_key(name="p", **key_fields)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Api-Key {key}")
    return client


def slugs(response):
    assert response.status_code == 200, response.content
    return [item["slug"] for item in response.json()["results"]]


def walk(client, url):
    seen = []
    while url:
        body = client.get(url).json()
        seen += [item["slug"] for item in body["results"]]
        url = body["next"]
    return seen


# Keys and throttling


def test_each_key_has_its_own_rate_then_429_with_retry_after_then_recovers(article):
    slow, fast = keyed_client(requests_per_minute=2), keyed_client(requests_per_minute=100)
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        assert slow.get("/api/v1/categories/").status_code == 200
        assert slow.get("/api/v1/categories/").status_code == 200
        throttled = slow.get("/api/v1/categories/")
        assert throttled.status_code == 429
        assert int(throttled["Retry-After"]) > 0
        assert "throttled" in throttled.json()["detail"]
        assert fast.get("/api/v1/categories/").status_code == 200
        traveller.shift(int(throttled["Retry-After"]) - 2)
        assert slow.get("/api/v1/categories/").status_code == 429  # too early
        traveller.shift(2)
        assert slow.get("/api/v1/categories/").status_code == 200  # when it said


def test_the_limit_slides_no_burst_of_twice_the_budget_across_a_minute_boundary(article):
    """600 requests in the last second of a minute leave ~10 for the first second of the next
    (a per-clock-minute count allowed 600 more)."""
    client = keyed_client(requests_per_minute=20)
    minute = (int(timezone.now().timestamp()) // 60 + 1) * 60
    with time_machine.travel(minute - 1, tick=False) as traveller:
        assert [client.get("/api/v1/tags/").status_code for _ in range(20)] == [200] * 20
        traveller.shift(2)  # one second into the next minute
        answers = [client.get("/api/v1/tags/") for _ in range(5)]
        assert [a.status_code for a in answers] == [429] * 5
        assert int(answers[-1]["Retry-After"]) >= 1
        assert answers[-1]["RateLimit"].startswith('"per-key";r=0;t=')
        traveller.shift(30)  # half the earlier minute still counts: 10 of 20
        assert sum(client.get("/api/v1/tags/").status_code == 200 for _ in range(15)) == 10


def test_rate_limit_headers_tell_what_is_left(article):
    client = keyed_client(requests_per_minute=50)
    with time_machine.travel(timezone.now(), tick=False):
        first, second = client.get("/api/v1/categories/"), client.get("/api/v1/articles/")
    assert first["RateLimit-Policy"] == second["RateLimit-Policy"] == '"per-key";q=50;w=60'
    left = [int(r["RateLimit"].split(";r=")[1].split(";")[0]) for r in (first, second)]
    assert left == [49, 48]
    assert 0 <= int(second["RateLimit"].rsplit("t=", 1)[1]) <= 60
    assert "RateLimit" not in APIClient().get("/api/v1/articles/")  # no key: nothing to count


def test_default_rate_is_600_per_minute():
    assert PartnerKey().requests_per_minute == 600


def test_key_use_is_recorded_at_most_once_a_minute(api_client, article):
    key = PartnerKey.objects.get()
    assert key.last_used_at is None
    api_client.get("/api/v1/categories/")
    first = PartnerKey.objects.get().last_used_at
    assert first is not None
    api_client.get("/api/v1/categories/")
    assert PartnerKey.objects.get().last_used_at == first


def test_revoking_a_key_locks_it_out_at_once(api_client, article):
    assert api_client.get("/api/v1/articles/").status_code == 200
    key = PartnerKey.objects.get()
    key.revoked = True
    key.save()  # as the admin does: the key's cached copy goes with it
    assert api_client.get("/api/v1/articles/").status_code == 401


def test_key_expires_at_its_expiry_date(article):
    expiry = timezone.now() + timedelta(days=1)
    client = keyed_client(expiry_date=expiry)
    assert client.get("/api/v1/articles/").status_code == 200
    with time_machine.travel(expiry + timedelta(seconds=1)):
        assert client.get("/api/v1/articles/").status_code == 401


def test_admin_issues_a_key_shown_once(staff_client):
    response = staff_client.post(
        "/admin/partners/partnerkey/add/",
        {
            "name": "Aggregator",
            "requests_per_minute": "120",
            "expiry_date": "",
            # The key's webhook endpoints inline, empty (a browser always sends its counts).
            "webhook_endpoints-TOTAL_FORMS": "0",
            "webhook_endpoints-INITIAL_FORMS": "0",
        },
        follow=True,
    )
    message = [str(m) for m in response.context["messages"]][0]
    key = message.split("is: ")[1].split(". ")[0]
    stored = PartnerKey.objects.get(name="Aggregator")
    assert stored.requests_per_minute == 120 and key not in stored.hashed_key
    assert keyed_client_for(key).get("/api/v1/tags/").status_code == 200


def keyed_client_for(key):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Api-Key {key}")
    return client


# Filters and ordering


def test_label_and_featured_filters(api_client, category):
    make_article(slug="top", category=category, label="Top", is_featured=True)
    make_article(slug="analysis", category=category, label="Analysis")
    assert slugs(api_client.get("/api/v1/articles/", {"label": "top"})) == ["top"]
    assert slugs(api_client.get("/api/v1/articles/", {"featured": "true"})) == ["top"]
    assert slugs(api_client.get("/api/v1/articles/", {"featured": "false"})) == ["analysis"]


@pytest.mark.parametrize(
    "params, parameter",
    [
        ({"featured": "maybe"}, "featured"),
        ({"ordering": "title"}, "ordering"),
        ({"include": "everything"}, "include"),
        ({"label": "x" * 31}, "label"),
        ({"q": "x" * 201}, "q"),
        ({"published_after": "0001-01-01T00:00:00+05:00"}, "published_after"),
        ({"published_before": "99999-01-01"}, "published_before"),
        ({"category": ["a", "b"]}, "category"),
    ],
)
def test_more_bad_parameters_answer_400(api_client, article, params, parameter):
    response = api_client.get("/api/v1/articles/", params)
    assert response.status_code == 400
    assert parameter in response.json()["errors"], response.json()


def test_orderings(api_client, category):
    now = timezone.now()
    old = make_article(slug="old", category=category, published_at=now - timedelta(days=2))
    make_article(slug="new", category=category, published_at=now - timedelta(days=1))
    old.title = "edited"
    old.save()
    assert slugs(api_client.get("/api/v1/articles/")) == ["new", "old"]
    assert slugs(api_client.get("/api/v1/articles/", {"ordering": "published_at"})) == [
        "old",
        "new",
    ]
    assert slugs(api_client.get("/api/v1/articles/", {"ordering": "-updated_at"})) == [
        "old",
        "new",
    ]


def test_filters_combine_with_paging(api_client):
    economy = make_category(slug="economy")
    make_live_articles(5, category=economy, tags=["rates"])
    make_live_articles(5, category=economy, tags=["other"])
    seen = walk(api_client, "/api/v1/articles/?category=economy&tag=rates&page_size=2")
    assert len(seen) == len(set(seen)) == 5


# Cursor pagination


@pytest.mark.parametrize("ordering", ["-published_at", "published_at", "-updated_at"])
def test_cursor_walk_sees_no_duplicates_and_no_gaps_while_articles_are_published(
    api_client, category, ordering
):
    now = timezone.now()
    same_time = now - timedelta(hours=1)
    originals = [make_article(category=category, published_at=same_time) for _ in range(4)]
    originals += make_live_articles(7, category=category)
    expected = {a.slug for a in originals}

    seen, url = [], f"/api/v1/articles/?page_size=3&ordering={ordering}"
    while url:
        body = api_client.get(url).json()
        seen += [item["slug"] for item in body["results"]]
        url = body["next"]
        make_article(category=category)  # published mid-walk, at "now"
    assert len(seen) == len(set(seen))
    assert expected <= set(seen)


def test_previous_link_walks_back_to_the_same_pages(api_client, category):
    make_live_articles(7, category=category)
    first = api_client.get("/api/v1/articles/?page_size=3").json()
    second = api_client.get(first["next"]).json()
    assert first["previous"] is None
    back = api_client.get(second["previous"]).json()
    assert [a["slug"] for a in back["results"]] == [a["slug"] for a in first["results"]]


def test_cursor_from_another_ordering_is_refused(api_client, category):
    make_live_articles(3, category=category)
    next_link = api_client.get("/api/v1/articles/?page_size=1").json()["next"]
    response = api_client.get(next_link + "&ordering=published_at")
    assert response.status_code == 404
    assert "cursor" in response.json()["errors"]


def test_tampered_cursor_is_refused(api_client, category):
    make_live_articles(3, category=category)
    next_link = api_client.get("/api/v1/articles/?page_size=1").json()["next"]
    response = api_client.get(next_link.replace("cursor=", "cursor=x"))
    assert response.status_code == 404


# Shape


def test_include_body_adds_body_html_to_list_items(api_client, category):
    make_article(category=category, body='<p>See <a href="/articles/other/">this</a>.</p>')
    item = api_client.get("/api/v1/articles/", {"include": "body"}).json()["results"][0]
    assert item["body_html"] == (
        '<p>See <a href="http://testserver/articles/other/" rel="noopener noreferrer">this</a>.</p>'
    )
    plain = api_client.get("/api/v1/articles/").json()["results"][0]
    assert "body_html" not in plain


def test_detail_body_has_absolute_urls_for_our_links_and_images(api_client, category):
    make_article(
        slug="s",
        category=category,
        body='<p><img src="/media/x.png" alt="x"><a href="https://ext.example/">e</a></p>',
    )
    body_html = api_client.get("/api/v1/articles/s/").json()["body_html"]
    assert 'src="http://testserver/media/x.png"' in body_html
    assert 'href="https://ext.example/"' in body_html


# Sync: the changes feed


def test_changes_lists_updates_and_tombstones_in_order(api_client, category):
    start = timezone.now() - timedelta(seconds=1)
    make_article(slug="kept", category=category)
    unpublished = make_article(slug="unpublished", category=category)
    deleted = make_article(slug="deleted", category=category)
    make_article(slug="draft", category=category, status=Article.Status.DRAFT)
    unpublished.status = Article.Status.DRAFT
    unpublished.save()
    deleted_id = deleted.pk
    deleted.delete()

    body = api_client.get("/api/v1/changes/", {"since": start.isoformat()}).json()
    entries = [(e["change"], e["slug"], e["reason"]) for e in body["results"]]
    assert entries == [
        ("updated", "kept", None),
        ("withdrawn", "unpublished", "unpublished"),
        ("withdrawn", "deleted", "deleted"),
    ]
    assert body["results"][0]["article"]["slug"] == "kept"
    assert body["results"][2]["id"] == deleted_id and body["results"][2]["article"] is None
    assert body["next"] is None


def test_changes_include_a_scheduled_article_when_it_goes_live(api_client, category):
    go_live = timezone.now() + timedelta(hours=2)
    make_article(slug="scheduled", category=category, published_at=go_live)
    since = (go_live - timedelta(minutes=1)).isoformat()
    assert api_client.get("/api/v1/changes/", {"since": since}).json()["results"] == []
    with time_machine.travel(go_live + timedelta(minutes=1)):
        results = api_client.get("/api/v1/changes/", {"since": since}).json()["results"]
    assert [(e["change"], e["slug"]) for e in results] == [("updated", "scheduled")]


def test_unpublishing_a_never_live_article_leaves_no_tombstone(api_client, category):
    start = timezone.now() - timedelta(seconds=1)
    scheduled = make_article(category=category, published_at=timezone.now() + timedelta(days=1))
    scheduled.status = Article.Status.DRAFT
    scheduled.save()
    scheduled.delete()
    assert api_client.get("/api/v1/changes/", {"since": start.isoformat()}).json()["results"] == []


def test_changes_cursor_walks_every_change_once(api_client, category):
    start = timezone.now() - timedelta(seconds=1)
    articles = make_live_articles(5, category=category)
    for article in articles[:3]:
        article.delete()
    seen = walk(
        api_client, f"/api/v1/changes/?since={start.isoformat()}&page_size=2".replace("+", "%2B")
    )
    assert len(seen) == 5  # 2 live updates + 3 tombstones
    assert sorted(seen) == sorted(a.slug for a in articles)


@pytest.mark.parametrize(
    "params, parameter",
    [
        ({}, "since"),
        ({"since": "not-a-date"}, "since"),
        ({"since": "2024-01-01", "cursor": ""}, "cursor"),
        ({"since": "2024-01-01", "page_size": "0"}, "page_size"),
        ({"since": "2024-01-01", "tag": "x"}, "tag"),
    ],
)
def test_changes_bad_parameters_answer_400(api_client, article, params, parameter):
    """(A well-formed cursor the feed did not make answers 404: test_changes_foreign_cursor.)"""
    response = api_client.get("/api/v1/changes/", params)
    assert response.status_code == 400
    assert parameter in response.json()["errors"]


# HTTP


def test_list_and_detail_carry_validators_and_a_cache_policy(api_client, article):
    for url in ["/api/v1/articles/", "/api/v1/articles/a-live-story/"]:
        response = api_client.get(url)
        assert response["ETag"]
        assert response["Last-Modified"]
        assert "private" in response["Cache-Control"] and "max-age=30" in response["Cache-Control"]
        assert "Authorization" in response["Vary"]


def test_if_modified_since_gets_304_until_content_changes(api_client, article):
    first = api_client.get("/api/v1/articles/a-live-story/")
    again = api_client.get(
        "/api/v1/articles/a-live-story/", HTTP_IF_MODIFIED_SINCE=first["Last-Modified"]
    )
    assert again.status_code == 304
    with time_machine.travel(timezone.now() + timedelta(seconds=5)):
        article.title = "Changed"
        article.save()
        changed = api_client.get(
            "/api/v1/articles/a-live-story/", HTTP_IF_MODIFIED_SINCE=first["Last-Modified"]
        )
    assert changed.status_code == 200


def test_if_none_match_stops_matching_after_an_edit(api_client, article):
    etag = api_client.get("/api/v1/articles/").headers["ETag"]
    article.summary = "New summary"
    article.save()
    response = api_client.get("/api/v1/articles/", HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 200


def test_gzip_when_the_client_asks(api_client, category):
    make_live_articles(5, category=category)
    response = api_client.get("/api/v1/articles/", HTTP_ACCEPT_ENCODING="gzip")
    assert response["Content-Encoding"] == "gzip"
    assert b'"results"' in gzip.decompress(response.content)


def test_cors_allows_get_from_any_origin(api_client, article):
    response = api_client.get("/api/v1/articles/", HTTP_ORIGIN="https://partner.example")
    assert response["Access-Control-Allow-Origin"] == "*"
    preflight = APIClient().options(
        "/api/v1/articles/",
        HTTP_ORIGIN="https://partner.example",
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="GET",
        HTTP_ACCESS_CONTROL_REQUEST_HEADERS="authorization",
    )
    assert preflight.status_code == 200
    assert "authorization" in preflight["Access-Control-Allow-Headers"]
    assert "POST" not in preflight["Access-Control-Allow-Methods"]


def test_site_pages_do_not_get_cors_headers(client, article):
    response = client.get("/", HTTP_ORIGIN="https://partner.example")
    assert "Access-Control-Allow-Origin" not in response


def test_no_non_live_article_in_any_response_or_count(api_client, category):
    make_article(slug="live", category=category, tags=["t-live"])
    secrets = [
        make_article(slug="s-draft", category=category, status=Article.Status.DRAFT, tags=["t-d"]),
        make_article(
            slug="s-review",
            category=category,
            status=Article.Status.REVIEW,
            published_at=timezone.now() - timedelta(days=1),
            tags=["t-r"],
        ),
        make_article(
            slug="s-sched",
            category=category,
            published_at=timezone.now() + timedelta(days=1),
            tags=["t-s"],
        ),
    ]
    live = Article.objects.get(slug="live")
    for secret in secrets:
        RelatedLink.objects.create(article=live, target=secret)
    urls = [
        "/api/v1/articles/?include=body",
        "/api/v1/articles/live/",
        "/api/v1/categories/",
        "/api/v1/tags/",
        "/api/v1/changes/?since=2000-01-01T00:00:00Z",
    ]
    for url in urls:
        text = api_client.get(url).content.decode()
        for marker in ["s-draft", "s-review", "s-sched", "t-d", "t-r", "t-s"]:
            assert marker not in text, (url, marker)
    assert api_client.get("/api/v1/categories/markets/").json()["article_count"] == 1


# Schema


def test_schema_documents_every_parameter_and_error():
    from django.test import Client

    schema = Client().get("/api/v1/schema/?format=json").json()
    paths = schema["paths"]
    list_params = {p["name"] for p in paths["/api/v1/articles/"]["get"]["parameters"]}
    assert list_params >= {
        "category",
        "tag",
        "author",
        "label",
        "featured",
        "q",
        "published_after",
        "published_before",
        "updated_since",
        "cursor",
        "page_size",
        "ordering",
        "include",
    }
    assert set(paths["/api/v1/articles/"]["get"]["responses"]) >= {"200", "400", "401", "429"}
    assert set(paths["/api/v1/articles/{slug}/"]["get"]["responses"]) >= {"200", "401", "404"}
    assert "since" in {p["name"] for p in paths["/api/v1/changes/"]["get"]["parameters"]}
    assert "ApiKeyAuth" in schema["components"]["securitySchemes"]


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/articles/a%00b/",
        "/api/v1/articles/a.b/",
        "/api/v1/nothing/",
        "/api/v1/categories/%12/",
    ],
)
def test_unroutable_api_addresses_answer_json_404(api_client, article, path):
    response = api_client.get(path)
    assert response.status_code == 404
    assert response.json()["detail"]


@pytest.mark.parametrize("since", ["5252-01-26T18:29:25+17:34", "2024-01-01T00:00:00-23:59"])
def test_unusual_but_valid_offsets_are_accepted(api_client, article, since):
    assert api_client.get("/api/v1/changes/", {"since": since}).status_code == 200
    assert api_client.get("/api/v1/articles/", {"updated_since": since}).status_code == 200


def test_the_old_admin_addresses_of_partner_pages_redirect(client):
    """Partner keys, endpoints, deliveries and embargo fetches moved to the partners app."""
    for old, new in [
        ("/admin/articles/partnerkey/", "/admin/partners/partnerkey/"),
        (
            "/admin/articles/webhookdelivery/?status=failed",
            "/admin/partners/webhookdelivery/?status=failed",
        ),
        ("/admin/articles/embargofetch/3/change/", "/admin/partners/embargofetch/3/change/"),
    ]:
        response = client.get(old)
        assert (response.status_code, response["Location"]) == (302, new)
    assert client.get("/admin/articles/article/").status_code == 302  # the login, not a redirect
    assert "/admin/login/" in client.get("/admin/articles/article/")["Location"]


@pytest.mark.parametrize("scheme", ["Api-Key", "api-key", "API-KEY"])
def test_the_authentication_scheme_is_case_insensitive(scheme):
    """RFC 9110 §11.1: schemes are case-insensitive tokens."""
    _, key = PartnerKey.objects.create_key(name="any case")
    client = APIClient()
    response = client.get("/api/v1/categories/", HTTP_AUTHORIZATION=f"{scheme} {key}")
    assert response.status_code == 200
    assert client.get("/api/v1/categories/", HTTP_AUTHORIZATION=f"Bearer {key}").status_code == 401


def feed(client, since) -> list[tuple]:
    results = client.get("/api/v1/changes/", {"since": since.isoformat()}).json()["results"]
    return [(entry["change"], entry["slug"]) for entry in results]


def test_embargoed_copy_reaches_permitted_keys_through_the_changes_feed(api_client, category):
    _, key = PartnerKey.objects.create_key(name="wire", can_see_embargoed=True)
    permitted = APIClient()
    permitted.credentials(HTTP_AUTHORIZATION=f"Api-Key {key}")
    start = timezone.now() - timedelta(seconds=1)
    lift = timezone.now() + timedelta(hours=2)
    embargoed = make_article(slug="embargoed", category=category, embargoed_until=lift)
    [entry] = permitted.get("/api/v1/changes/", {"since": start.isoformat()}).json()["results"]
    assert entry["article"]["embargoed_until"] is not None
    assert feed(api_client, start) == []  # nobody else hears of it
    # At the lift its JSON changes (no embargo time any more): both feeds give it then.
    with time_machine.travel(lift + timedelta(seconds=1)):
        after = lift - timedelta(seconds=1)
        assert feed(permitted, after) == feed(api_client, after) == [("updated", "embargoed")]
    # Withdrawn while under embargo: a tombstone for the keys that saw it, and only for them.
    embargoed.status = Article.Status.DRAFT
    embargoed.save()
    assert feed(permitted, start)[-1] == ("withdrawn", "embargoed")
    assert feed(api_client, start) == []


def test_a_live_article_put_under_embargo_leaves_readers_not_permitted_keys(api_client, category):
    _, key = PartnerKey.objects.create_key(name="wire", can_see_embargoed=True)
    permitted = APIClient()
    permitted.credentials(HTTP_AUTHORIZATION=f"Api-Key {key}")
    article = make_article(slug="held", category=category)
    start = timezone.now() - timedelta(seconds=1)
    article.embargoed_until = timezone.now() + timedelta(hours=1)
    article.save()
    assert feed(api_client, start) == [("withdrawn", "held")]
    assert feed(permitted, start) == [("updated", "held")]


def test_changes_foreign_cursor_answers_404_naming_it(api_client, article):
    response = api_client.get("/api/v1/changes/", {"since": "2024-01-01", "cursor": "junk"})
    assert response.status_code == 404
    assert list(response.json()["errors"]) == ["cursor"]
