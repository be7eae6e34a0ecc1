"""Data safety: export_content / import_content round trip, deletion that asks and keeps a revision."""

import json
from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import timezone
from taggit.models import Tag

from articles.backup import SECTIONS
from articles.models import (
    Article,
    ArticleRedirect,
    ArticleWithdrawal,
    Author,
    Category,
    Correction,
    LiveEntry,
)
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def newsroom(django_user_model):
    writer = django_user_model.objects.create_user("ana", password="x")
    policy = factories.make_category(name="Policy", slug="policy", position=2)
    markets = factories.make_category(name="Markets", slug="markets", description="Money.")
    ana = factories.make_author(name="Ana Ruiz", slug="ana-ruiz", bio="Reports.", user=writer)
    ben = factories.make_author(name="Ben Ode", slug="ben-ode")
    lead = factories.make_article(
        title="Rates hold — for now",
        slug="rates-hold",
        category=markets,
        tags=["rates", "central banks"],
        authors=[ana, ben],
        body="<p>Body with <strong>bold</strong> and ünïcode ✓.</p>",
        label="Analysis",
        is_featured=True,
        seo_title="Rates hold",
        live_coverage_started_at=timezone.now() - timedelta(hours=1),
    )
    Correction.objects.create(article=lead, text="It held <em>again</em>.", created_by=writer)
    LiveEntry.objects.create(article=lead, body="<p>Decision at noon.</p>", author=ana)
    other = factories.make_article(slug="budget-vote", category=policy, tags=["budget"])
    factories.make_article(slug="a-draft", category=policy, status=Article.Status.DRAFT)
    factories.make_article(
        slug="scheduled", category=policy, published_at=timezone.now() + timedelta(days=1)
    )
    factories.make_related_link(lead, target=other, position=0)
    factories.make_related_link(lead, url="https://example.org/a", title="Elsewhere", position=1)
    lead.slug = "rates-hold-steady"
    lead.save()  # records a redirect from the old slug
    gone = factories.make_article(slug="withdrawn", category=policy)
    gone.status = Article.Status.DRAFT
    gone.save()  # records a withdrawal for the changes feed
    return lead


def export(tmp_path, name="backup.json") -> dict:
    path = tmp_path / name
    call_command("export_content", output=str(path))
    return json.loads(path.read_text())


def wipe_content():
    for model, _ in reversed(SECTIONS.values()):
        model._default_manager.all().delete()
    ArticleWithdrawal.objects.all().delete()  # deleting live articles wrote new tombstones


def test_round_trip_restores_everything_identically(newsroom, tmp_path):
    before = export(tmp_path)
    assert {len(before[s]) for s in ("articles", "categories", "authors", "tags")} != {0}
    assert len(before["articles"]) == 5 and len(before["related_links"]) == 2
    assert len(before["redirects"]) == 1 and len(before["withdrawals"]) == 1
    assert len(before["corrections"]) == 1 and len(before["live_entries"]) == 1
    wipe_content()
    assert Article.objects.count() == 0

    call_command("import_content", str(tmp_path / "backup.json"))

    after = export(tmp_path, "again.json")
    before.pop("exported_at"), after.pop("exported_at")
    assert after == before
    restored = Article.objects.get(slug="rates-hold-steady")
    assert restored.authors.get(slug="ana-ruiz").user.username == "ana"
    assert sorted(restored.tags.names()) == ["central banks", "rates"]
    assert ArticleRedirect.objects.get(old_slug="rates-hold").article == restored


def test_restored_site_serves_and_accepts_new_content(newsroom, tmp_path, client):
    export(tmp_path)
    wipe_content()
    call_command("import_content", str(tmp_path / "backup.json"))

    assert client.get("/articles/rates-hold-steady/").status_code == 200
    assert client.get("/articles/rates-hold/").status_code == 301
    assert client.get("/articles/a-draft/").status_code == 404
    # Sequences were moved past the restored ids.
    fresh = factories.make_article(category=Category.objects.first())
    assert fresh.pk > max(Article.objects.exclude(pk=fresh.pk).values_list("pk", flat=True))
    Tag.objects.create(name="new tag", slug="new-tag")
    if connection.vendor == "postgresql":
        assert list(Article.objects.matching("bold").values_list("slug", flat=True)) == [
            "rates-hold-steady"
        ]


def test_restoring_into_a_database_with_content_is_refused(newsroom, tmp_path):
    export(tmp_path)
    with pytest.raises(CommandError, match="already holds content .*5 articles"):
        call_command("import_content", str(tmp_path / "backup.json"))


def test_a_broken_backup_writes_nothing(newsroom, tmp_path):
    data = export(tmp_path)
    wipe_content()
    data["articles"][-1]["category"] = 999_999  # points at no category
    (tmp_path / "broken.json").write_text(json.dumps(data))
    with pytest.raises(CommandError, match="nothing was written"):
        call_command("import_content", str(tmp_path / "broken.json"))
    assert Category.objects.count() == Author.objects.count() == Article.objects.count() == 0


@pytest.mark.parametrize(
    "content, message",
    [
        ("not json", "is not JSON"),
        ('{"format": "something-else"}', "Not a Newsroom content export"),
        ('{"format": "newsroom-content", "version": 99}', "version 99 is not supported"),
        ("[1, 2]", "Not a Newsroom content export"),
    ],
)
def test_wrong_files_are_refused_clearly(tmp_path, content, message):
    path = tmp_path / "wrong.json"
    path.write_text(content)
    with pytest.raises(CommandError, match=message):
        call_command("import_content", str(path))


def test_a_missing_file_is_refused_clearly(tmp_path):
    with pytest.raises(CommandError, match="Can't read"):
        call_command("import_content", str(tmp_path / "nope.json"))


def test_deleting_an_article_asks_first_and_keeps_a_revision(staff_client, article):
    url = f"/admin/articles/article/{article.pk}/delete/"
    confirm = staff_client.get(url)
    assert confirm.status_code == 200
    assert "Are you sure you want to delete" in confirm.content.decode()
    assert Article.objects.filter(pk=article.pk).exists()  # asking deleted nothing

    staff_client.post(url, {"post": "yes"})

    assert not Article.objects.filter(pk=article.pk).exists()
    revision = Article.history.filter(id=article.pk).latest("history_date")
    assert revision.history_type == "-"
    assert revision.title == article.title and revision.body == article.body
    assert revision.history_user.username == "editor"


def test_bulk_delete_asks_first_too(staff_client, article):
    response = staff_client.post(
        "/admin/articles/article/",
        {"action": "delete_selected", "_selected_action": [article.pk]},
    )
    assert "Are you sure" in response.content.decode()
    assert Article.objects.filter(pk=article.pk).exists()
