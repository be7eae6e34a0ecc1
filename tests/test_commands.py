import pytest
from django.core.management import CommandError, call_command
from rest_framework.test import APIClient

from articles.models import Article, Category, RelatedLink
from partners.models import PartnerKey

pytestmark = pytest.mark.django_db


def run(*args) -> str:
    from io import StringIO

    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_demo_content_creates_the_promised_content_and_is_idempotent(client):
    run("demo_content")
    counts = (Category.objects.count(), Article.objects.count(), RelatedLink.objects.count())
    run("demo_content")
    assert (
        Category.objects.count(),
        Article.objects.count(),
        RelatedLink.objects.count(),
    ) == counts

    names = set(Category.objects.values_list("name", flat=True))
    assert {"Policy & Regulation", "Web3 & Enterprise"} <= names and len(names) >= 4
    # The 24 stories (the article under live coverage is test_newsroom_tools' subject).
    live = Article.objects.live().filter(live_coverage_started_at=None)
    assert live.count() == 24
    for article in live.prefetch_related("tags", "authors"):
        assert 3 <= len(article.tags.all()) <= 6, article.slug
        assert article.authors.all()
        assert article.hero_image and article.hero_width == 1200
        assert article.hero_credit.startswith("Photo by")
        assert article.related_links.exists()
    # Stored, not measured from the file on every load (an ImageField's post_init does that).
    stored = set(live.values_list("hero_width", "hero_height"))
    assert stored == {(1200, 675)}
    assert live.filter(is_featured=True, label="Top").exists()
    assert Article.objects.filter(status=Article.Status.DRAFT).count() == 1
    scheduled = Article.objects.scheduled()
    assert scheduled.count() == 2  # one for a later time, one under embargo


def test_demo_drafts_and_scheduled_articles_show_nowhere_public(client):
    run("demo_content")
    hidden = Article.objects.exclude(pk__in=Article.objects.live())
    pages = ["/", "/feed/", "/sitemap-articles.xml", "/news-sitemap.xml", "/search/?q=story"]
    pages += [c.get_absolute_url() for c in Category.objects.all()]
    bodies = [client.get(url).content.decode() for url in pages]
    for article in hidden:
        for url, body in zip(pages, bodies, strict=True):
            assert article.get_absolute_url() not in body, url
            assert article.title not in body, url


def test_generated_articles_are_added_in_bulk(django_assert_max_num_queries):
    run("demo_content")
    before = Article.objects.live().count()
    # Bulk inserts: SQLite caps parameters per statement, so about one INSERT per 40 rows,
    # never one per article.
    with django_assert_max_num_queries(150):
        run("demo_content", "--articles", "1500")
    run("demo_content", "--articles", "10")
    assert Article.objects.live().count() == before + 1510
    generated = Article.objects.filter(slug__startswith="generated-").prefetch_related("tags")
    assert all(len(a.tags.all()) == 3 for a in generated[:50])


def test_negative_article_count_is_refused():
    with pytest.raises(CommandError):
        run("demo_content", "--articles", "-1")


def test_create_api_key_prints_a_working_key_alone_on_the_last_line():
    output = run("create_api_key", "Example Partner")
    key = output.strip().splitlines()[-1]
    assert " " not in key and "." in key
    assert PartnerKey.objects.get(name="Example Partner").is_valid(key)
    response = APIClient().get("/api/v1/articles/", HTTP_AUTHORIZATION=f"Api-Key {key}")
    assert response.status_code == 200


def test_create_api_key_refuses_an_empty_name():
    with pytest.raises(CommandError):
        run("create_api_key", "  ")


def test_ensure_local_admin_creates_one_admin_once(settings, tmp_path, monkeypatch):
    from django.contrib.auth import get_user_model

    from articles.management.commands import ensure_local_admin

    monkeypatch.setattr(ensure_local_admin, "CREDENTIALS_FILE", tmp_path / "login")
    first = run("ensure_local_admin")
    second = run("ensure_local_admin")
    assert "user: admin  password: " in first
    assert second == first
    password = first.split("password: ")[1].strip()
    assert get_user_model().objects.get(username="admin").check_password(password)


def test_createsuperuser_noinput_works_from_the_environment(monkeypatch):
    from django.contrib.auth import get_user_model

    monkeypatch.setenv("DJANGO_SUPERUSER_USERNAME", "boss")
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", "a-long-pass-phrase")
    monkeypatch.setenv("DJANGO_SUPERUSER_EMAIL", "boss@example.com")
    call_command("createsuperuser", "--noinput", verbosity=0)
    assert get_user_model().objects.get(username="boss").is_superuser
