import os

import pytest
from rest_framework.test import APIClient

import caching
from partners.models import PartnerKey
from tests import factories


def require_tool(present, what: str) -> None:
    """Skip a test whose tool this machine lacks, saying which; where every test must run
    (CI sets NEWSROOM_REQUIRE_BROWSER=1), fail instead."""
    if present:
        return
    if os.environ.get("NEWSROOM_REQUIRE_BROWSER") == "1":
        pytest.fail(f"missing: {what}")
    pytest.skip(f"missing: {what}")


@pytest.fixture(autouse=True)
def fast_and_isolated(settings, tmp_path):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.MEDIA_ROOT = tmp_path / "media"
    # Content changes in tests are made by this process, which forgets its memo at once; a
    # longer memo keeps query counts of warm pages exact however slow the machine is.
    settings.FRESHNESS_CHECK_SECONDS = 60
    # Webhook deliveries after the commit in the test's own thread, so that a test sees them
    # (tests/partners/test_webhooks.py has the threads' own test).
    settings.WEBHOOK_DELIVERY_THREADS = 0
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    caching.reset()
    yield
    caching.reset()


@pytest.fixture
def category(db):
    return factories.make_category(name="Markets", slug="markets")


@pytest.fixture
def article(db, category):
    return factories.make_article(
        title="A live story", slug="a-live-story", category=category, tags=["economy"]
    )


@pytest.fixture
def staff_client(client, django_user_model):
    user = django_user_model.objects.create_superuser("editor", "editor@example.com", "pw")
    client.force_login(user)
    return client


@pytest.fixture
def api_key(db):
    _, key = PartnerKey.objects.create_key(name="partner")
    return key


@pytest.fixture
def api_client(api_key):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Api-Key {api_key}")
    return client


def pytest_terminal_summary(terminalreporter):
    import sys

    test_api_fuzz = sys.modules.get("tests.partners.test_api_fuzz")
    if test_api_fuzz and test_api_fuzz.runs["requests"]:
        terminalreporter.write_line(
            f"schemathesis: {test_api_fuzz.runs['requests']} generated API requests sent"
        )
    test_hostile = sys.modules.get("tests.test_hostile")
    if test_hostile and test_hostile.runs["requests"]:
        terminalreporter.write_line(
            f"hostile table: {test_hostile.runs['requests']} requests sent, "
            f"{test_hostile.runs['5xx']} answered 5xx"
        )


@pytest.fixture
def caching_off(settings):
    """CACHE_URL=dummy://: every response is built from the database, the key looked up too."""
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
