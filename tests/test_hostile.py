"""Hostile requests over every public URL, the preview URL and every API endpoint and parameter.

A table, not luck: each request below runs, and each must answer without a 5xx, without a stack
trace or a settings value in its body, and, when refused, with a body that says what was wrong.
The number of requests is printed at the end of the run.
"""

import json
from datetime import timedelta
from urllib.parse import quote, urlencode

import pytest
from django.conf import settings
from django.utils import timezone

from articles.models import Article
from articles.preview import make_preview_token
from tests import factories

runs = {"requests": 0, "5xx": 0}

NUMBERS = ["-1", "0", "10" * 10, str(10**20), "abc", "1.5", "1e3", " 2", "NaN", "٣", "0x10"]
TEXT = [
    "",
    "\x00",
    "a\x00b",
    "\x01\x1f\x7f",
    "x" * 10_240,
    "ünïcödé",
    "مرحبا بالعالم",  # right-to-left
    "\u202eevil",  # right-to-left override
    "🔥💥📰",
    "../../../etc/passwd",
    "..%2F..%2Fnewsroom%2Fsettings.py",
    "' OR '1'='1' --",
    "1; DROP TABLE articles_article; --",
    '" UNION SELECT password FROM auth_user --',
    "{{ settings.SECRET_KEY }}",
    "{% debug %}",
    "${7*7}",
    "<script>alert(1)</script>",
    "%00%0d%0aSet-Cookie: x=1",
]
DATES = [
    "2026-13-45",
    "yesterday",
    "2026-01-01T00:00:00",  # no timezone
    "9999-12-31T23:59:59Z",
    "0001-01-01T00:00:00+23:00",
    "2026-01-01T00:00:00+99:00",
    "1" * 400,
]
SLUGS = [
    "no-such-thing",
    "ünïcode-slug",
    "مرحبا",
    "🔥",
    "..",
    "%2e%2e%2f%2e%2e%2fetc%2fpasswd",
    "a%00b",
    "x" * 10_240,
    "' OR 1=1 --",
    "{{7*7}}",
    "<svg onload=alert(1)>",
]
METHODS = ["POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE", "PROPFIND"]
# (A search may echo the words "SECRET_KEY" back, escaped; the key's value must never show.)
LEAKS = ["Traceback", 'File "/', settings.SECRET_KEY, "DJANGO_SETTINGS_MODULE", "INSTALLED_APPS"]


@pytest.fixture
def site(db):
    category = factories.make_category(name="World", slug="world")
    author = factories.make_author(name="Ana", slug="ana")
    live = factories.make_live_articles(30, category=category, tags=("news",))
    live[0].authors.add(author)
    draft = factories.make_article(slug="draft-piece", status=Article.Status.DRAFT)
    return {"article": live[0], "draft": draft}


def check(client, method, url, problems, *, api_key=None, data=None):
    headers = {"HTTP_AUTHORIZATION": f"Api-Key {api_key}"} if api_key else {}
    response = client.generic(method, url, data=data or "", **headers)
    runs["requests"] += 1
    body = b"".join(response) if response.streaming else response.content
    text = body.decode("utf-8", "replace")
    label = f"{method} {url[:120]}"
    if response.status_code >= 500:
        runs["5xx"] += 1
        problems.append(f"{label}: {response.status_code}")
    for leak in LEAKS:
        if leak and leak in text:
            problems.append(f"{label}: body shows {leak!r}")
    if 400 <= response.status_code < 500 and method != "HEAD":
        if not text.strip():
            problems.append(f"{label}: {response.status_code} with an empty body")
        elif response.get("Content-Type", "").startswith("application/json"):
            explained = json.loads(text)
            assert isinstance(explained, dict) and explained, label
    return response


def query(path, **params):
    return f"{path}?{urlencode(params)}"


def assert_clean(problems):
    assert problems == [], "\n".join(problems[:30])


def test_page_numbers_and_search_terms_on_every_list(client, site):
    problems = []
    lists = ["/", "/categories/world/", "/tags/news/", "/authors/ana/", "/search/"]
    for path in lists:
        for value in NUMBERS + ["", "\x00", "x" * 10_240]:
            check(client, "GET", query(path, page=value, q="news"), problems)
    for value in TEXT:
        response = check(client, "GET", query("/search/", q=value), problems)
        assert response.status_code in {200, 400}, value
    assert_clean(problems)


def test_hostile_slugs_in_every_path(client, site):
    problems = []
    patterns = [
        "/articles/{}/",
        "/categories/{}/",
        "/categories/{}/feed/",
        "/tags/{}/",
        "/tags/{}/feed/",
        "/authors/{}/",
        "/preview/{}/",
        "/sitemap-{}.xml",
        "/media/{}",
        "/static/{}",
        "/api/v1/articles/{}/",
        "/api/v1/categories/{}/",
    ]
    for pattern in patterns:
        for slug in SLUGS:
            response = check(client, "GET", pattern.format(quote(slug, safe="%")), problems)
            assert response.status_code in {301, 302, 400, 401, 404}, (pattern, slug)
    assert_clean(problems)


def test_every_api_parameter_with_hostile_values(client, site, api_key):
    problems = []
    endpoints = {
        "/api/v1/articles/": [
            "page_size",
            "cursor",
            "ordering",
            "include",
            "category",
            "tag",
            "author",
            "label",
            "featured",
            "q",
            "published_after",
            "published_before",
            "updated_since",
            "unknown_parameter",
        ],
        "/api/v1/categories/": ["page_size", "cursor", "unknown_parameter"],
        "/api/v1/tags/": ["page_size", "cursor", "unknown_parameter"],
        "/api/v1/changes/": ["since", "cursor", "page_size"],
    }
    values = ["0", "-1", str(10**9), str(10**20), "abc", "1.5", "\x00", "x" * 10_240]
    values += ["' OR 1=1 --", "{{ settings.SECRET_KEY }}", "🔥", *DATES[:4]]
    for path, params in endpoints.items():
        for param in params:
            for value in values:
                extra = {"since": "2026-01-01T00:00:00Z"} if path.endswith("changes/") else {}
                response = check(
                    client, "GET", query(path, **{**extra, param: value}), problems, api_key=api_key
                )
                if response.status_code == 400:
                    assert param in response.json() or "detail" in response.json(), (param, value)
    assert_clean(problems)


def test_dates_are_checked_before_they_reach_the_database(client, site, api_key):
    problems = []
    for param in ["published_after", "published_before", "updated_since"]:
        for value in DATES:
            response = check(
                client,
                "GET",
                query("/api/v1/articles/", **{param: value}),
                problems,
                api_key=api_key,
            )
            assert response.status_code in {200, 400}
    for value in DATES + ["", "\x00"]:
        check(client, "GET", query("/api/v1/changes/", since=value), problems, api_key=api_key)
    assert_clean(problems)


def test_garbage_truncated_tampered_and_replayed_cursors(client, site, api_key):
    problems = []
    first = client.get("/api/v1/articles/?page_size=5", HTTP_AUTHORIZATION=f"Api-Key {api_key}")
    next_link = first.json()["next"]
    cursor = next_link.split("cursor=")[1].split("&")[0]
    bad_cursors = [
        "garbage",
        cursor[:-5],
        cursor[:10],
        cursor[::-1],
        cursor.replace(cursor[3], "A" if cursor[3] != "A" else "B", 1),
        "x" * 10_240,
        "\x00",
        "eyJhbGciOiJub25lIn0",
    ]
    for bad in bad_cursors:
        for path in ["/api/v1/articles/", "/api/v1/changes/"]:
            params = {"cursor": bad, "since": "2026-01-01T00:00:00Z"} if "changes" in path else {}
            params.setdefault("cursor", bad)
            response = check(client, "GET", query(path, **params), problems, api_key=api_key)
            # Not a cursor we made: not found, naming it.
            assert response.status_code == 404, (path, bad)
            assert list(response.json()["errors"]) == ["cursor"], (path, bad)
    # Another ordering's cursor is refused; the same cursor replayed gives the same page.
    other = check(
        client,
        "GET",
        f"/api/v1/articles/?ordering=published_at&cursor={cursor}",
        problems,
        api_key=api_key,
    )
    assert other.status_code == 404
    replays = [
        check(client, "GET", next_link, problems, api_key=api_key).json()["results"]
        for _ in range(3)
    ]
    assert replays[0] == replays[1] == replays[2]
    assert_clean(problems)


def test_keys_the_api_refuses(client, site):
    problems = []
    for header in [
        "",
        "Api-Key",
        "Api-Key ",
        "Api-Key nope",
        "Bearer x",
        "Api-Key " + "x" * 10_240,
        "Api-Key abc.def",
        "Api-Key \x00",
        "Basic YWRtaW46YWRtaW4=",
    ]:
        response = client.get("/api/v1/articles/", HTTP_AUTHORIZATION=header)
        runs["requests"] += 1
        assert response.status_code == 401 and response.json()["detail"], header
    assert_clean(problems)


def test_tampered_expired_and_revoked_preview_tokens(client, site, time_machine):
    problems = []
    draft = site["draft"]
    token = make_preview_token(draft)
    assert check(client, "GET", f"/preview/{token}/", problems).status_code == 200
    for bad in [
        token[:-1],
        token[:-3] + "abc",
        token + "x",
        token.upper(),
        "x" * 10_240,
        "a:b:c",
        ":",
        "%00",
    ]:
        response = check(client, "GET", f"/preview/{quote(bad, safe='%:')}/", problems)
        assert response.status_code == 404, bad
    time_machine.move_to(timezone.now() + timedelta(seconds=settings.PREVIEW_MAX_AGE + 60))
    assert check(client, "GET", f"/preview/{token}/", problems).status_code == 404
    time_machine.move_to(timezone.now() - timedelta(seconds=settings.PREVIEW_MAX_AGE + 60))
    pinned = make_preview_token(draft, pin_version=True)
    draft.title = "Edited since"
    draft.save()
    assert check(client, "GET", f"/preview/{pinned}/", problems).status_code == 404
    assert_clean(problems)


def test_every_method_on_every_endpoint(client, site, api_key):
    problems = []
    article = site["article"]
    token = make_preview_token(site["draft"])
    paths = [
        "/",
        article.get_absolute_url(),
        "/categories/world/",
        "/tags/news/",
        "/authors/ana/",
        "/search/?q=news",
        "/feed/",
        "/categories/world/feed/",
        "/tags/news/feed/",
        "/sitemap.xml",
        "/sitemap-articles.xml",
        "/news-sitemap.xml",
        "/robots.txt",
        "/healthz",
        f"/preview/{token}/",
        "/api/v1/articles/",
        f"/api/v1/articles/{article.slug}/",
        "/api/v1/categories/",
        "/api/v1/categories/world/",
        "/api/v1/tags/",
        "/api/v1/changes/?since=2026-01-01T00:00:00Z",
        "/api/v1/schema/",
        "/api/v1/docs/",
    ]
    for path in paths:
        assert check(client, "GET", path, problems, api_key=api_key).status_code == 200, path
        head = check(client, "HEAD", path, problems, api_key=api_key)
        assert head.status_code == 200 and head.content == b"", path
        for method in METHODS:
            response = check(client, method, path, problems, api_key=api_key, data="{}")
            if method != "OPTIONS":
                assert response.status_code in {403, 405}, (method, path, response.status_code)
                if response.status_code == 405:
                    assert "GET" in response["Allow"]
    assert Article.objects.filter(pk=article.pk).exists()
    assert_clean(problems)
