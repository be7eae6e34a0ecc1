"""Autosave's working copies, the in-page sign-in and the JSON answer to a stale token: what the
article form's script (static/admin_newsroom/autosave.js) relies on, checked on the server."""

import json

import pytest
from django.contrib.auth.models import Group
from django.test import Client

from articles.backup import export_content
from articles.models import Article, WorkingCopy
from partners.models import PartnerKey, WebhookDelivery, WebhookEndpoint
from tests.articles.test_editorial import change_url, form_data
from tests.factories import ensure_editorial_roles, make_article, make_category

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery"


def staff(django_user_model, username, group="Editors"):
    ensure_editorial_roles()  # a transactional test before may have flushed the groups
    user = django_user_model.objects.create_user(username, password=PASSWORD, is_staff=True)
    user.groups.add(Group.objects.get(name=group))
    return user


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def autosave(client, article, data, base_version=None, **extra):
    body = {"data": data, "base_version": base_version or article.version}
    return client.post(
        f"/admin/articles/article/{article.pk}/autosave/",
        json.dumps(body),
        content_type="application/json",
        headers={"accept": "application/json"},
        **extra,
    )


@pytest.fixture
def editor(django_user_model):
    return staff(django_user_model, "eddie")


@pytest.fixture
def live(db):
    return make_article(slug="on-the-site", category=make_category())


def test_autosave_keeps_one_working_copy_and_nothing_public_moves(
    editor, live, client, api_client, django_assert_max_num_queries
):
    page, detail = (
        client.get("/articles/on-the-site/"),
        api_client.get("/api/v1/articles/on-the-site/"),
    )
    history = live.history.count()
    key, _ = PartnerKey.objects.create_key(name="wire")  # a partner who hears of every change
    WebhookEndpoint.objects.create(
        key=key, url="https://partner.example/hook", events=["published", "updated"]
    )
    editing = signed_in(editor)
    with django_assert_max_num_queries(6):  # session, user, article, permissions, one upsert
        first = autosave(editing, live, {"title": ["Draft headline"], "body": ["<p>typed</p>"]})
    assert first.status_code == 200 and "saved_at" in first.json()
    autosave(editing, live, {"title": ["Second try"], "body": ["<p>typed more</p>"]})

    copy = WorkingCopy.objects.get()
    assert (copy.article, copy.editor, copy.base_version) == (live, editor, live.version)
    assert copy.data["title"] == ["Second try"]
    live.refresh_from_db()
    assert live.title != "Second try" and live.history.count() == history
    # Readers and partners see the saved article, and their caches did not move.
    again = client.get("/articles/on-the-site/")
    assert "Second try" not in again.content.decode()
    assert again["ETag"] == page["ETag"]
    assert api_client.get("/api/v1/articles/on-the-site/")["ETag"] == detail["ETag"]
    # Nor in a backup, nor sent to partners.
    assert "Second try" not in json.dumps(export_content(), default=str)
    assert not WebhookDelivery.objects.exists()


def test_the_form_offers_the_working_copy_and_save_discards_it(editor, live):
    editing = signed_in(editor)
    autosave(editing, live, {"title": ["Unsaved headline"]})
    form = editing.get(change_url(live))
    config = json.loads(
        form.content.decode()
        .split('id="working-copy-config" type="application/json">')[1]
        .split("</script>")[0]
    )
    assert config["working_copy"]["data"] == {"title": ["Unsaved headline"]}
    assert config["autosave_url"] == f"/admin/articles/article/{live.pk}/autosave/"

    saved = editing.post(change_url(live), form_data(live, title="Unsaved headline"))
    assert saved.status_code == 302
    assert not WorkingCopy.objects.exists()
    assert Article.objects.get(pk=live.pk).title == "Unsaved headline"


def test_each_editor_has_their_own_working_copy(editor, live, django_user_model):
    other = staff(django_user_model, "olga")
    autosave(signed_in(editor), live, {"title": ["Eddie's"]})
    theirs = signed_in(other)
    autosave(theirs, live, {"title": ["Olga's"]})
    assert WorkingCopy.objects.count() == 2
    # Olga's form offers hers, never Eddie's; discarding hers leaves his.
    assert "Eddie&#x27;s" not in theirs.get(change_url(live)).content.decode()
    assert "Eddie" not in json.dumps(
        json.loads(
            theirs.get(change_url(live))
            .content.decode()
            .split('type="application/json">')[1]
            .split("</script>")[0]
        )["working_copy"]
    )
    gone = theirs.delete(f"/admin/articles/article/{live.pk}/autosave/")
    assert gone.status_code == 200
    assert list(WorkingCopy.objects.values_list("editor__username", flat=True)) == ["eddie"]


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("not json", "must be JSON"),
        ('["a list"]', "must be JSON: an object"),
        ('{"data": "text", "base_version": 1}', "field names and values"),
        ('{"data": {"title": [1]}, "base_version": 1}', "values must be strings"),
        ('{"data": {"title": ["x"]}, "base_version": 0}', "a version this article had"),
        ('{"data": {"title": ["x"]}, "base_version": 99}', "a version this article had"),
        ('{"data": {"title": ["x"]}, "base_version": "1"}', "a version this article had"),
        ('{"data": {"title": ["x"]}}', "a version this article had"),
    ],
)
def test_bad_autosaves_get_a_clear_400_and_write_nothing(editor, live, body, message):
    response = signed_in(editor).post(
        f"/admin/articles/article/{live.pk}/autosave/", body, content_type="application/json"
    )
    assert response.status_code == 400 and message in response.json()["detail"]
    assert not WorkingCopy.objects.exists()


def test_too_much_text_is_refused(editor, live):
    response = autosave(signed_in(editor), live, {"body": ["x" * 1_000_001]})
    assert response.status_code in (400, 413)
    assert not WorkingCopy.objects.exists()


def test_who_may_autosave(editor, live, django_user_model, client):
    missing = autosave(signed_in(editor), live, {"title": ["x"]})
    assert missing.status_code == 200
    deleted_id = live.pk
    Article.objects.filter(pk=deleted_id).delete()
    gone = signed_in(editor).post(
        f"/admin/articles/article/{deleted_id}/autosave/",
        '{"data": {}, "base_version": 1}',
        content_type="application/json",
    )
    assert gone.status_code == 404 and gone.json()["detail"] == "No such article."

    article = make_article(category=make_category())  # live: a writer may not change it
    writer = staff(django_user_model, "wendy", "Writers")
    refused = autosave(signed_in(writer), article, {"title": ["x"]})
    assert refused.status_code == 403
    signed_out = autosave(client, article, {"title": ["x"]})
    assert signed_out.status_code == 401 and signed_out.json()["signed_out"] is True
    assert (
        signed_in(editor).get(f"/admin/articles/article/{article.pk}/autosave/").status_code == 405
    )
    assert WorkingCopy.objects.count() == 0


def test_the_session_answer_and_the_in_page_sign_in(editor, django_user_model):
    browser = Client(enforce_csrf_checks=True)
    session = browser.get("/admin/session/").json()
    assert session["authenticated"] is False and session["csrf_token"]
    token = {"HTTP_X_CSRFTOKEN": session["csrf_token"]}

    def sign_in(body):
        return browser.post("/admin/sign-in/", body, content_type="application/json", **token)

    assert sign_in("nonsense").status_code == 400
    assert sign_in('{"username": ["eddie"], "password": "x"}').status_code == 400
    wrong = sign_in(json.dumps({"username": "eddie", "password": "wrong"}))
    assert wrong.status_code == 401 and "correct username and password" in wrong.json()["detail"]
    reader = django_user_model.objects.create_user("reader", password=PASSWORD)
    assert sign_in(json.dumps({"username": "reader", "password": PASSWORD})).status_code == 401
    assert reader.is_staff is False

    done = sign_in(json.dumps({"username": "eddie", "password": PASSWORD}))
    assert done.status_code == 200 and done.json()["username"] == "eddie"
    # The sign-in rotated the token: the one it gave back is the one that works now.
    assert done.json()["csrf_token"] != session["csrf_token"]
    assert browser.get("/admin/session/").json() | {"csrf_token": None} == {
        "authenticated": True,
        "username": "eddie",
        "csrf_token": None,
    }


def test_repeated_wrong_passwords_lock_the_dialog_too(editor, settings):
    browser = Client(headers={"accept": "application/json"})
    for _ in range(settings.AXES_FAILURE_LIMIT):
        browser.post(
            "/admin/sign-in/",
            json.dumps({"username": "eddie", "password": "wrong"}),
            content_type="application/json",
        )
    locked = browser.post(
        "/admin/sign-in/",
        json.dumps({"username": "eddie", "password": PASSWORD}),
        content_type="application/json",
    )
    assert locked.status_code == 429 and "Too many failed sign-ins" in locked.json()["detail"]


def test_a_stale_token_gets_json_a_script_can_act_on(editor, live):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(editor)
    stale = autosave(browser, live, {"title": ["x"]}, HTTP_X_CSRFTOKEN="stale" * 8)
    assert stale.status_code == 403 and stale.json()["csrf_stale"] is True
    page = browser.post(change_url(live), {"title": "x"})  # a page, not a script: Django's page
    assert page.status_code == 403 and b"CSRF verification failed" in page.content
    assert not WorkingCopy.objects.exists()


# Conflicts that end well (articles.conflicts)


def test_a_refused_save_takes_their_changes_where_i_did_not_touch_and_saves_next_time(
    editor, django_user_model
):
    from tests.articles.test_editorial import draft

    other = staff(django_user_model, "olga")
    article = draft(title="Original", summary="The original summary.", body="<p>Original.</p>")
    opened = form_data(article)  # both opened version 1
    assert (
        signed_in(other)
        .post(
            change_url(article),
            {**opened, "title": "Olga's title", "summary": "Olga's summary of it."},
        )
        .status_code
        == 302
    )
    mine = signed_in(editor)
    refused = mine.post(
        change_url(article),
        {**opened, "body": "<p>Eddie's new body.</p>", "summary": "Eddie's summary of it."},
    )
    assert refused.status_code == 200
    form = refused.context["adminform"].form
    conflict = form.conflict
    assert [change.name for change in conflict.taken] == ["title"]
    assert [change.name for change in conflict.both] == ["summary"]
    html = refused.content.decode()
    assert "Someone saved this article after you opened it" in html
    # A readable word diff, theirs struck out, mine inserted, no raw HTML.
    assert "<del>Olga&#x27;s</del> <ins>Eddie&#x27;s</ins> summary of it." in html
    assert 'name="conflict-summary" value="theirs"' in html
    # The form now holds their title, my body and summary, and the current version.
    assert form["title"].value() == "Olga's title"
    assert form["body"].value() == "<p>Eddie's new body.</p>"
    assert form["expected_version"].value() == "2"

    resent = {key: form.data.getlist(key) for key in form.data}
    assert mine.post(change_url(article), resent).status_code == 302
    article.refresh_from_db()
    assert article.title == "Olga's title"
    assert article.body == "<p>Eddie's new body.</p>"
    assert article.summary == "Eddie's summary of it."
    assert article.version == 3


def test_a_forged_version_is_a_conflict_not_an_overwrite(editor):
    from tests.articles.test_editorial import draft

    article = draft(title="Kept")
    forged = signed_in(editor).post(
        change_url(article), form_data(article, title="Forged", expected_version=99)
    )
    assert forged.status_code == 200 and forged.context["adminform"].form.conflict
    assert Article.objects.get(pk=article.pk).title == "Kept"


def test_each_editor_sees_who_else_has_the_article_open(editor, live, django_user_model, client):
    other = staff(django_user_model, "olga")
    other.first_name, other.last_name = "Olga", "Ortiz"
    other.save()
    url = f"/admin/articles/article/{live.pk}/presence/"
    eddie, olga = signed_in(editor), signed_in(other)
    beat = {"content_type": "application/json"}
    assert eddie.post(url, "{}", **beat).json() == {"others": []}
    assert olga.post(url, "{}", **beat).json() == {"others": ["eddie"]}
    assert eddie.post(url, "{}", **beat).json() == {"others": ["Olga Ortiz"]}
    assert olga.post(url, '{"leaving": true}', **beat).json() == {"others": ["eddie"]}
    assert eddie.post(url, "{}", **beat).json() == {"others": []}
    assert eddie.post(url, "not json", **beat).status_code == 400
    assert eddie.get(url).status_code == 405
    assert client.post(url, "{}", **beat).status_code == 401
    assert eddie.post("/admin/articles/article/999999/presence/", "{}", **beat).status_code == 404
