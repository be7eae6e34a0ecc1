"""Outages: with the cache down the site and API answer from the database; with the database
down, /healthz says so and pages answer a clear 503 (or a cached copy)."""

from datetime import timedelta

import pytest
import time_machine
from django.db import OperationalError
from django.db.backends.utils import CursorWrapper
from django.utils import timezone

pytestmark = pytest.mark.django_db

CACHE_DOWN = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens there
        "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
    }
}
PAGES = ["/", "/articles/a-live-story/", "/categories/markets/", "/search/?q=live", "/feed/"]
API = [
    "/api/v1/articles/",
    "/api/v1/articles/a-live-story/",
    "/api/v1/categories/",
    "/api/v1/tags/",
]


@pytest.fixture
def database_down(monkeypatch):
    def refuse(*args, **kwargs):
        raise OperationalError("connection refused (simulated outage)")

    monkeypatch.setattr(CursorWrapper, "execute", refuse)
    monkeypatch.setattr(CursorWrapper, "executemany", refuse)


def test_with_the_cache_down_pages_and_api_answer_from_the_database(
    client, api_client, article, settings
):
    settings.CACHES = CACHE_DOWN
    for url in PAGES:
        assert client.get(url).status_code == 200, url
    for url in API:
        assert api_client.get(url).status_code == 200, url
    health = client.get("/healthz")
    assert health.status_code == 503
    assert health.json()["checks"] == {"database": True, "cache": False}


def test_with_the_database_down_pages_answer_a_clear_503(
    client, api_client, article, database_down
):
    response = client.get("/categories/markets/")
    assert response.status_code == 503
    assert b"back in a moment" in response.content
    assert b"Traceback" not in response.content and b"OperationalError" not in response.content
    assert response["Retry-After"] == "30"
    api = api_client.get("/api/v1/articles/")
    # The key can't be checked without a database: that is the service's fault, not the key's.
    assert api.status_code == 503
    assert "detail" in api.json()


def test_with_the_database_down_healthz_says_503(client, db, database_down):
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"]["database"] is False


def test_with_the_database_down_cached_pages_are_still_served(client, article, monkeypatch):
    assert client.get("/articles/a-live-story/").status_code == 200  # cached now

    def refuse(*args, **kwargs):
        raise OperationalError("simulated outage")

    monkeypatch.setattr(CursorWrapper, "execute", refuse)
    with time_machine.travel(timezone.now() + timedelta(seconds=5)):  # past the local memo
        assert client.get("/articles/a-live-story/").status_code == 200
        assert client.get("/categories/markets/").status_code == 503  # never cached


def test_a_save_that_fails_half_way_writes_nothing(editor_client, monkeypatch):
    """The admin saves an article and its related links in one transaction: when the second
    part fails, the first is rolled back too."""
    from articles.models import Article, RelatedLink
    from tests.articles.test_editorial import change_url, form_data, inline_management
    from tests.factories import make_article

    article = make_article(title="Before", status=Article.Status.DRAFT)
    target = make_article()
    version = article.version

    def failing_save(self, *args, **kwargs):
        raise OperationalError("could not extend file: No space left on device")

    monkeypatch.setattr(RelatedLink, "save", failing_save)
    data = form_data(article, title="After", **inline_management(related_links=1))
    data.update({"related_links-0-position": "0", "related_links-0-target": target.pk})
    response = editor_client.post(change_url(article), data)

    assert response.status_code == 503
    article.refresh_from_db()
    assert (article.title, article.version) == ("Before", version)
    assert not RelatedLink.objects.exists()
    assert not Article.history.filter(id=article.pk, title="After").exists()


@pytest.fixture
def editor_client(client, django_user_model):
    user = django_user_model.objects.create_superuser("ed", "ed@example.com", "pw")
    client.force_login(user)
    return client
