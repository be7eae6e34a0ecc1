"""Every /api/ response is private to its key and varies on Authorization, whatever answers it."""

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

pytestmark = pytest.mark.django_db
SAMPLE_VALUES = {"slug": "a-live-story"}


def api_urls(patterns=None, prefix=""):
    """A concrete URL for every pattern of the URLconf under /api/."""
    for pattern in patterns if patterns is not None else get_resolver().url_patterns:
        route = prefix + str(pattern.pattern).lstrip("^").rstrip("$")
        if isinstance(pattern, URLResolver):
            yield from api_urls(pattern.url_patterns, route)
        elif isinstance(pattern, URLPattern) and route.startswith("api/"):
            url = re.sub(r"\(\?P<(\w+)>[^)]*\)", lambda m: SAMPLE_VALUES.get(m[1], "x"), route)
            url = re.sub(r"<(?:\w+:)?(\w+)>", lambda m: SAMPLE_VALUES.get(m[1], "x"), url)
            yield "/" + url.replace("\\.", ".")


def test_the_walk_finds_every_endpoint():
    urls = set(api_urls())
    assert {
        "/api/v1/articles/",
        "/api/v1/articles/a-live-story/",
        "/api/v1/categories/",
        "/api/v1/categories/a-live-story/",
        "/api/v1/tags/",
        "/api/v1/changes/",
        "/api/v1/schema/",
        "/api/v1/docs/",
    } <= urls


@pytest.mark.parametrize("url", sorted(set(api_urls())) + ["/api/v1/no-such-endpoint/"])
@pytest.mark.parametrize("keyed", [True, False], ids=["with-key", "without-key"])
def test_every_api_response_is_private_and_varies_on_authorization(
    client, api_key, article, url, keyed
):
    headers = {"HTTP_AUTHORIZATION": f"Api-Key {api_key}"} if keyed else {}
    for query in ("", "?since=2000-01-01T00:00:00Z", "?bogus=1"):
        response = client.get(url + query, **headers)
        assert response.status_code < 500
        assert "private" in response["Cache-Control"], (url + query, response.status_code)
        assert "Authorization" in response["Vary"], (url + query, response.status_code)


@pytest.mark.parametrize(
    "url, policy",
    [
        ("/api/v1/tags/", "max-age=30"),
        # A client's cache must not answer for the changes feed: it revalidates every time.
        ("/api/v1/changes/?since=2000-01-01T00:00:00Z", "no-cache"),
    ],
)
def test_tags_and_changes_carry_validators_and_a_cache_policy(api_client, article, url, policy):
    response = api_client.get(url)
    assert response.status_code == 200
    assert response["ETag"] and response["Last-Modified"]
    assert policy in response["Cache-Control"] and "private" in response["Cache-Control"]
    assert "max-age" not in response["Cache-Control"] or policy != "no-cache"
    repeat = api_client.get(url, HTTP_IF_NONE_MATCH=response["ETag"])
    assert repeat.status_code == 304
