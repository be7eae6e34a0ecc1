"""Changes to a live article can wait: saved for later (nothing public moves), previewed and
shared, then published as an ordinary save, refused on a stale base like any save."""

import html

import pytest
from django.contrib.admin.models import LogEntry
from django.test import Client

from articles.models import Article, PendingChange
from tests.articles.test_editorial import change_url, form_data
from tests.articles.test_working_copies import signed_in, staff
from tests.factories import hero_upload, make_article, make_category

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor(django_user_model):
    return staff(django_user_model, "eddie")


@pytest.fixture
def live(db):
    return make_article(slug="on-the-site", title="The live headline", category=make_category())


def public_state(api_client):
    reader = Client()
    page = reader.get("/articles/on-the-site/")
    return {
        "page": page["ETag"],
        "api": api_client.get("/api/v1/articles/on-the-site/")["ETag"],
        "feed": reader.get("/feed/")["ETag"],
        "shows": "The live headline" in page.content.decode(),
    }


def save_for_later(client, article, **changes):
    return client.post(
        change_url(article),
        form_data(article, _save_for_later="Save changes for later", **changes),
    )


def test_changes_saved_for_later_are_invisible_until_published(editor, live, api_client):
    before = public_state(api_client)
    history, logged = live.history.count(), LogEntry.objects.count()
    desk = signed_in(editor)
    kept = save_for_later(desk, live, title="The corrected headline")
    assert kept.status_code == 302 and kept["Location"] == change_url(live)

    live.refresh_from_db()
    assert live.title == "The live headline" and live.history.count() == history
    assert LogEntry.objects.count() == logged
    assert public_state(api_client) == before  # page, API and feed: not a byte moved
    pending = PendingChange.objects.get(article=live)
    assert pending.data["title"] == ["The corrected headline"] and pending.saved_by == editor
    assert "_save_for_later" not in pending.data

    form = desk.get(change_url(live)).content.decode()
    assert "Changes saved for later" in form and 'name="_publish_changes"' in form

    published = desk.post(change_url(live), {"_publish_changes": "Publish changes"})
    assert published.status_code == 302
    live.refresh_from_db()
    assert live.title == "The corrected headline" and live.version == 2
    assert not PendingChange.objects.exists()
    assert "The corrected headline" in Client().get("/articles/on-the-site/").content.decode()


def test_the_preview_and_its_share_link_show_the_waiting_changes(editor, live):
    desk = signed_in(editor)
    save_for_later(desk, live, title="The corrected headline", body="<p>New text.</p>")
    preview = desk.get(f"/admin/articles/article/{live.pk}/preview/?pending=1")
    page = preview.content.decode()
    assert preview.status_code == 200 and "The corrected headline" in page
    assert "Preview of changes saved for later" in page and "New text." in page
    share = page.split("link to these changes")[0].rsplit('href="', 1)[1].split('"')[0]
    shared = Client().get(share)
    assert shared.status_code == 200 and "The corrected headline" in shared.content.decode()
    # Saved again, the old link stops; published, so does the new one.
    save_for_later(desk, live, title="Third try")
    assert Client().get(share).status_code == 404
    assert "The live headline" in Client().get("/articles/on-the-site/").content.decode()


def test_publishing_changes_made_against_an_older_version_is_a_conflict(
    editor, live, django_user_model
):
    desk = signed_in(editor)
    save_for_later(desk, live, summary="A waiting summary.")
    other = signed_in(staff(django_user_model, "olga"))
    assert other.post(change_url(live), form_data(live, title="Olga's fix")).status_code == 302
    refused = desk.post(change_url(live), {"_publish_changes": "Publish changes"})
    assert refused.status_code == 200 and refused.context["adminform"].form.conflict
    live.refresh_from_db()
    assert (live.title, live.version) == ("Olga's fix", 2)
    assert live.summary != "A waiting summary."
    assert PendingChange.objects.filter(article=live).exists()


def test_what_cannot_wait_is_refused_clearly(editor, live):
    desk = signed_in(editor)
    draft = make_article(status=Article.Status.DRAFT, category=live.category)
    refused = save_for_later(desk, draft, title="x")
    assert refused.status_code == 200
    assert "Only a live article's changes can wait" in html.unescape(refused.content.decode())
    with_image = save_for_later(desk, live, hero_image=hero_upload(), hero_alt="x")
    assert with_image.status_code == 200
    assert "A new image can't wait" in html.unescape(with_image.content.decode())
    nothing = desk.post(change_url(live), {"_publish_changes": "Publish changes"})
    assert nothing.status_code == 302
    assert not PendingChange.objects.exists()
    assert Article.objects.get(pk=live.pk).version == 1


def test_discarding_and_who_may_publish(editor, live, django_user_model):
    desk = signed_in(editor)
    save_for_later(desk, live, title="Maybe")
    writer = signed_in(staff(django_user_model, "wendy", "Writers"))
    assert writer.post(change_url(live), {"_publish_changes": "1"}).status_code == 403
    assert writer.post(change_url(live), {"_discard_pending": "1"}).status_code == 403
    assert PendingChange.objects.exists()
    assert desk.post(change_url(live), {"_discard_pending": "1"}).status_code == 302
    assert not PendingChange.objects.exists()
    assert Article.objects.get(pk=live.pk).title == "The live headline"
    assert desk.get(f"/admin/articles/article/{live.pk}/preview/?pending=1").status_code == 404
