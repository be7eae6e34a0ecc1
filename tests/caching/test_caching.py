"""Page and API caching: fast when warm, never stale, never for staff or previews."""

import re
import time
from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from articles.models import Article, RelatedLink
from articles.preview import make_preview_token
from tests.factories import make_article

pytestmark = pytest.mark.django_db
PAGES = ["/", "/articles/a-live-story/", "/categories/markets/", "/tags/economy/", "/feed/"]


@pytest.mark.parametrize("url", PAGES + ["/sitemap-articles.xml", "/search/?q=live"])
def test_warm_pages_are_served_without_queries(client, article, django_assert_num_queries, url):
    assert client.get(url).status_code == 200
    with django_assert_num_queries(0):
        assert client.get(url).status_code == 200


@pytest.mark.parametrize(
    "url",
    ["/api/v1/articles/", "/api/v1/articles/a-live-story/", "/api/v1/categories/", "/api/v1/tags/"],
)
def test_warm_api_responses_need_no_queries(api_client, article, django_assert_num_queries, url):
    assert api_client.get(url).status_code == 200
    with django_assert_num_queries(0):
        assert api_client.get(url).status_code == 200


def test_an_edit_shows_at_once(client, article):
    client.get("/articles/a-live-story/")
    article.title = "A corrected headline"
    article.save()
    assert b"A corrected headline" in client.get("/articles/a-live-story/").content
    assert b"A corrected headline" in client.get("/").content


def test_unpublishing_removes_the_article_at_once(client, api_client, article):
    for url in ["/", "/articles/a-live-story/", "/api/v1/articles/"]:
        client.get(url)
        api_client.get(url)
    article.status = Article.Status.DRAFT
    article.save()
    assert client.get("/articles/a-live-story/").status_code == 404
    assert b"a-live-story" not in client.get("/").content
    assert b"a-live-story" not in api_client.get("/api/v1/articles/").content


def test_deleting_removes_the_article_at_once(client, article):
    client.get("/")
    article.delete()
    assert b"a-live-story" not in client.get("/").content


@pytest.mark.parametrize(
    "change",
    [
        lambda a: setattr(a.category, "name", "Economy") or a.category.save(),
        lambda a: a.tags.add("Economy"),
        lambda a: RelatedLink.objects.create(
            article=a, url="https://example.com/", title="Economy link"
        ),
        lambda a: a.authors.create(name="Economy Desk", slug="economy-desk"),
    ],
    ids=["category", "tag", "related-link", "author"],
)
def test_changes_to_what_a_page_shows_invalidate_it(client, article, change):
    client.get("/articles/a-live-story/")
    change(article)
    assert b"Economy" in client.get("/articles/a-live-story/").content


def test_a_scheduled_article_appears_at_its_time_though_nobody_saved(client, api_client, category):
    make_article(slug="old", category=category)
    at = timezone.now() + timedelta(minutes=30)
    make_article(slug="scheduled", category=category, published_at=at)
    assert b"/articles/scheduled/" not in client.get("/").content  # warm now
    api_client.get("/api/v1/articles/")
    with time_machine.travel(at + timedelta(seconds=1)):
        assert b"/articles/scheduled/" in client.get("/").content
        assert b"scheduled" in api_client.get("/api/v1/articles/").content


def test_cache_lifetimes_stop_at_the_next_scheduled_publication(client, category):
    make_article(slug="old", category=category)
    make_article(category=category, published_at=timezone.now() + timedelta(seconds=3))
    response = client.get("/")
    s_maxage = int(re.search(r"s-maxage=(\d+)", response["Cache-Control"]).group(1))
    assert s_maxage <= 3


def test_public_pages_tell_cdns_how_long_to_keep_them(client, article):
    cache_control = client.get("/").headers["Cache-Control"]
    for part in ["public", "max-age=0", "s-maxage=5", "stale-while-revalidate=10"]:
        assert part in cache_control


def test_pages_revalidate_with_etag_and_last_modified(client, article):
    first = client.get("/articles/a-live-story/")
    assert first["ETag"] and first["Last-Modified"]
    assert (
        client.get("/articles/a-live-story/", HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304
    )
    assert (
        client.get(
            "/articles/a-live-story/", HTTP_IF_MODIFIED_SINCE=first["Last-Modified"]
        ).status_code
        == 304
    )
    article.summary = "Changed"
    article.save()
    assert (
        client.get("/articles/a-live-story/", HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 200
    )


def test_staff_are_never_served_from_or_into_the_cache(staff_client, client, article):
    client.get("/")  # warm for readers
    assert "private" in staff_client.get("/")["Cache-Control"]
    assert "private" in staff_client.get("/admin/")["Cache-Control"]


def test_previews_are_never_cached(client, category):
    draft = make_article(category=category, status=Article.Status.DRAFT, title="Draft one")
    url = f"/preview/{make_preview_token(draft)}/"
    client.get(url)
    draft.title = "Draft two"
    Article.objects.filter(pk=draft.pk).update(title="Draft two")  # no signal: proves no cache
    assert b"Draft two" in client.get(url).content
    assert "no-cache" in client.get(url)["Cache-Control"]


def test_a_page_for_a_disallowed_host_is_refused_not_served(client, article, settings):
    client.get("/")
    assert client.get("/", HTTP_HOST="evil.example").status_code == 400


def test_deep_pages_are_capped_with_a_clear_404(client, article):
    response = client.get("/categories/markets/?page=401")
    assert response.status_code == 404


def test_switching_caches_off_with_a_dummy_cache(client, article, settings):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
    assert client.get("/").status_code == 200
    article.title = "Renamed without a signal"
    Article.objects.filter(pk=article.pk).update(title="Renamed without a signal")
    assert b"Renamed without a signal" in client.get("/").content


# The API's in-process response cache ------------------------------------------------------


def partner(**fields):
    from rest_framework.test import APIClient

    from partners.models import PartnerKey

    partner_key, key = PartnerKey.objects.create_key(name="p", **fields)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Api-Key {key}")
    return partner_key, client


def test_a_repeat_api_request_is_served_like_the_first(article):
    _, client = partner()
    first = client.get("/api/v1/articles/?page_size=5")
    repeat = client.get("/api/v1/articles/?page_size=5")
    assert repeat.content == first.content
    for header in ["Content-Type", "ETag", "Last-Modified", "Cache-Control", "Vary"]:
        assert repeat[header] == first[header], header
    assert (
        client.get("/api/v1/articles/?page_size=5", HTTP_IF_NONE_MATCH=first["ETag"]).status_code
        == 304
    )


def test_a_repeat_api_request_still_needs_a_valid_key(article):
    partner_key, client = partner()
    assert client.get("/api/v1/articles/").status_code == 200
    partner_key.revoked = True
    partner_key.save()
    refused = client.get("/api/v1/articles/")
    assert refused.status_code == 401 and refused.json()["detail"]
    from rest_framework.test import APIClient

    assert APIClient().get("/api/v1/articles/").status_code == 401


def test_cached_responses_are_counted_once_against_the_budget(article):
    _, client = partner(requests_per_minute=120)
    with time_machine.travel(timezone.now(), tick=False):
        statuses = [client.get("/api/v1/categories/").status_code for _ in range(121)]
    assert statuses[:120] == [200] * 120
    assert statuses[120] == 429


def test_far_from_the_limit_counts_reach_the_shared_cache_in_batches(article):
    from django.core.cache import cache

    from partners.api.authentication import REQUESTS, WINDOW

    partner_key, client = partner(requests_per_minute=1_000_000)
    # Ten seconds into a clock minute: the steps below stay inside one counting window.
    start = (timezone.now() + timedelta(minutes=1)).replace(second=10, microsecond=0)
    with time_machine.travel(start, tick=False) as traveller:
        window = int(time.time() // WINDOW) * WINDOW
        shared_key = f"newsroom:throttle:{partner_key.prefix}:{window}"
        for _ in range(30):
            assert client.get("/api/v1/categories/").status_code == 200
        assert cache.get(shared_key) == 1  # the first request sent; 29 wait in this process
        traveller.shift(REQUESTS.SYNC_SECONDS)
        client.get("/api/v1/categories/")
        assert cache.get(shared_key) == 31


def test_cached_pages_expire_so_time_windowed_content_moves_on(client, article, time_machine):
    """No save happens, yet the news sitemap's 48 hours move on: cached copies (this process's
    own included) expire five minutes after they were made."""
    time_machine.move_to(article.published_at + timedelta(hours=47, minutes=58))
    assert b"a-live-story" in client.get("/news-sitemap.xml").content
    time_machine.shift(timedelta(minutes=4))
    # 48 h 2 min after: the copy made 4 minutes ago is still served.
    assert b"a-live-story" in client.get("/news-sitemap.xml").content
    time_machine.shift(timedelta(minutes=2))
    assert b"a-live-story" not in client.get("/news-sitemap.xml").content


@pytest.mark.parametrize(
    "layer, url",
    [("pages", "/articles/a-live-story/"), ("remember", "/api/v1/categories/")],
)
def test_a_cache_layer_can_be_switched_off_for_measurement(
    settings, client, api_client, article, layer, url
):
    settings.CACHE_LAYERS_OFF = {layer}
    http = api_client if url.startswith("/api/") else client
    assert http.get(url).status_code == 200
    with CaptureQueriesContext(connection) as repeat:
        assert http.get(url).status_code == 200
    assert len(repeat.captured_queries) > 0  # answered again, not from the switched-off layer
    settings.CACHE_LAYERS_OFF = set()
    assert http.get(url).status_code == 200
    with CaptureQueriesContext(connection) as warm:
        assert http.get(url).status_code == 200
    assert len(warm.captured_queries) == 0
