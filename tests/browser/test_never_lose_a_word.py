"""An editor never loses a word, in a real browser: a session that ends before Save, a tab
that closes, a network that drops during autosave, and a sign-in in another tab."""

import json

import pytest
from django.contrib.auth.models import Group
from django.test import Client

from articles.models import Article, PendingChange, WorkingCopy
from tests.browser.conftest import watch_csp_violations
from tests.browser.test_newsroom_tools_browser import AXE
from tests.conftest import require_tool
from tests.factories import ensure_editorial_roles, make_article, make_category

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

PASSWORD = "correct horse battery"
# About 1,700 characters, as an editor types them in a few minutes.
TYPED = " ".join(
    f"Sentence {n} of the new paragraph, typed by the editor before the session ended."
    for n in range(1, 22)
)


@pytest.fixture
def editor(django_user_model):
    ensure_editorial_roles()
    user = django_user_model.objects.create_user("eddie", password=PASSWORD, is_staff=True)
    user.groups.add(Group.objects.get(name="Editors"))
    return user


@pytest.fixture
def story(db):
    return make_article(
        title="Harbour cranes go electric",
        slug="harbour-cranes",
        body="<p>The first paragraph.</p>",
        category=make_category(name="Markets", slug="markets"),
    )


@pytest.fixture
def desk(browser):
    """A browser profile of its own (cookies and localStorage survive closing a tab)."""
    context = browser.new_context(viewport={"width": 1440, "height": 1000})
    yield context
    context.close()


def sign_in(page, live_server):
    page.goto(f"{live_server.url}/admin/login/")
    page.fill("#id_username", "eddie")
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_selector("#site-name")


def open_form(context, live_server, article):
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.goto(f"{live_server.url}/admin/articles/article/{article.pk}/change/")
    page.wait_for_selector(".ProseMirror[contenteditable=true]")
    page.wait_for_function("() => document.getElementById('autosave-status') !== null")
    return page


def type_into_body(page, text):
    body = page.locator(".ProseMirror[contenteditable=true]")
    body.click()
    page.keyboard.press("Control+End")
    page.keyboard.press("Enter")
    page.keyboard.insert_text(text)


def public_etag(path):
    return Client().get(path)["ETag"]


def test_a_session_that_ended_before_save_asks_for_the_password_and_saves_what_was_typed(
    desk, live_server, editor, story, screenshots
):
    sign_in(desk.new_page(), live_server)
    page = open_form(desk, live_server, story)
    violations = watch_csp_violations(page)
    type_into_body(page, TYPED)
    desk.clear_cookies(name="sessionid")  # the session is gone, as after a timeout

    page.click("input[name=_continue]")
    dialog = page.locator("#sign-in-dialog")
    dialog.wait_for(state="visible")
    assert "Everything you typed is still here" in dialog.inner_text()
    page.screenshot(path=screenshots / "admin-sign-in-dialog.png")
    page.fill("#sign-in-password", "wrong password")
    page.click("#sign-in-form input[type=submit]")
    page.locator("#sign-in-error").wait_for(state="visible")
    assert "correct username and password" in page.inner_text("#sign-in-error")
    page.fill("#sign-in-password", PASSWORD)
    page.click("#sign-in-form input[type=submit]")
    page.wait_for_selector(".messagelist")
    assert "was changed successfully" in page.inner_text(".messagelist")

    story.refresh_from_db()
    assert TYPED in story.body and "The first paragraph." in story.body
    assert not WorkingCopy.objects.exists()  # saved: nothing left unsaved
    assert page.url.endswith(f"/admin/articles/article/{story.pk}/change/")
    assert violations == []


def test_the_sign_in_dialog_passes_axe(browser, live_server, editor, story):
    require_tool(AXE.exists(), f"{AXE}: run `npm ci` (axe-core from the npm registry)")
    context = browser.new_context(viewport={"width": 1440, "height": 1000}, bypass_csp=True)
    try:
        page = context.new_page()
        sign_in(page, live_server)
        page.goto(f"{live_server.url}/admin/articles/article/{story.pk}/change/")
        page.wait_for_selector(".ProseMirror[contenteditable=true]")
        type_into_body(page, "A few words.")
        context.clear_cookies(name="sessionid")
        page.click("input[name=_continue]")
        page.locator("#sign-in-dialog").wait_for(state="visible")
        page.add_script_tag(path=str(AXE))
        result = page.evaluate(
            "async () => await axe.run(document.getElementById('sign-in-dialog'))"
        )
        assert [v["id"] for v in result["violations"]] == []
    finally:
        context.close()


def test_the_offer_the_waiting_changes_and_the_conflict_panel_pass_axe(
    browser, live_server, editor, story
):
    require_tool(AXE.exists(), f"{AXE}: run `npm ci` (axe-core from the npm registry)")
    WorkingCopy.objects.create(
        article=story,
        editor=editor,
        data={"title": ["An unsaved title"]},
        base_version=story.version,
        saved_at=story.updated_at,
    )
    PendingChange.objects.create(
        article=story,
        data={"title": ["A waiting title"]},
        base_version=story.version,
        saved_by=editor,
        saved_at=story.updated_at,
    )
    context = browser.new_context(viewport={"width": 1440, "height": 1000}, bypass_csp=True)
    try:
        page = context.new_page()
        sign_in(page, live_server)
        page.goto(f"{live_server.url}/admin/articles/article/{story.pk}/change/")
        page.wait_for_selector("#unsaved-offer:not([hidden])")
        page.add_script_tag(path=str(AXE))
        for region in ["unsaved-offer", "pending-change"]:
            found = page.evaluate(
                f"async () => (await axe.run(document.getElementById('{region}'))).violations"
            )
            assert [v["id"] for v in found] == [], (region, found)
        Article.objects.get(pk=story.pk).save()  # someone saved meanwhile
        page.fill("#id_title", "Mine")
        page.click("input[name=_continue]")
        page.wait_for_selector("#conflict")
        page.add_script_tag(path=str(AXE))
        found = page.evaluate(
            "async () => (await axe.run(document.getElementById('conflict'))).violations"
        )
        assert [v["id"] for v in found] == []
    finally:
        context.close()


def test_text_survives_closing_the_tab_and_is_offered_back(
    desk, live_server, editor, story, screenshots
):
    sign_in(desk.new_page(), live_server)
    page = open_form(desk, live_server, story)
    page.fill("#id_title", "Harbour cranes go electric, and quieter")
    page.fill("#id_summary", "A summary the editor will decide not to keep.")
    type_into_body(page, "A second paragraph that was never saved.")
    page.wait_for_function(
        "() => document.getElementById('autosave-status').textContent.includes('Autosaved')"
    )
    asked = []
    page.on("dialog", lambda dialog: (asked.append(dialog.type), dialog.accept()))
    with page.expect_event("close"):
        page.close(run_before_unload=True)
    assert asked == ["beforeunload"]  # leaving with unsaved changes asks first

    again = open_form(desk, live_server, story)
    offer = again.locator("#unsaved-offer")
    offer.wait_for(state="visible")
    assert "Title" in offer.inner_text() and "Body" in offer.inner_text()
    again.screenshot(path=screenshots / "admin-unsaved-changes-offer.png")
    # Field by field: the summary is left as saved.
    again.locator("#unsaved-offer-fields label", has_text="Summary").locator("input").uncheck()
    again.click("#unsaved-restore")
    assert again.input_value("#id_summary") == story.summary
    assert again.input_value("#id_title") == "Harbour cranes go electric, and quieter"
    assert "never saved" in again.inner_text(".ProseMirror[contenteditable=true]")
    again.click("input[name=_continue]")
    again.wait_for_selector(".messagelist")
    story.refresh_from_db()
    assert story.title == "Harbour cranes go electric, and quieter"
    assert "A second paragraph that was never saved." in story.body
    assert not WorkingCopy.objects.exists()
    # Opened again after the save: nothing is offered.
    last = open_form(desk, live_server, story)
    last.wait_for_timeout(500)
    assert last.locator("#unsaved-offer").is_hidden()


def test_a_network_cut_during_autosave_loses_nothing(desk, live_server, editor, story):
    page_etag = public_etag("/articles/harbour-cranes/")
    history = story.history.count()
    sign_in(desk.new_page(), live_server)
    page = open_form(desk, live_server, story)
    desk.set_offline(True)
    type_into_body(page, "Typed on a train, in a tunnel.")
    page.wait_for_function(
        "() => document.getElementById('autosave-status').textContent.includes('Offline')",
        timeout=20_000,
    )
    kept = page.evaluate(
        f"() => JSON.parse(localStorage.getItem('newsroom:article:{story.pk}:eddie'))"
    )
    assert "Typed on a train" in kept["data"]["body"][0] and kept["sent"] is False
    assert not WorkingCopy.objects.exists()

    desk.set_offline(False)
    page.wait_for_function(
        "() => document.getElementById('autosave-status').textContent.includes('Autosaved')",
        timeout=20_000,
    )
    copy = WorkingCopy.objects.get()
    assert "Typed on a train, in a tunnel." in copy.data["body"][0]
    # Autosave is not a save: no revision, and readers' caches did not move.
    story.refresh_from_db()
    assert "tunnel" not in story.body and story.history.count() == history
    assert public_etag("/articles/harbour-cranes/") == page_etag


def test_a_sign_in_in_another_tab_does_not_break_the_first_tabs_save(
    desk, live_server, editor, story
):
    sign_in(desk.new_page(), live_server)
    first = open_form(desk, live_server, story)
    first.fill("#id_title", "Typed in the first tab")
    # In a second tab: sign out and in again (a new session, a new CSRF token).
    other = desk.new_page()
    other.goto(f"{live_server.url}/admin/")
    other.click("#logout-form button")
    sign_in(other, live_server)
    first.click("input[name=_continue]")
    first.wait_for_selector(".messagelist")
    assert "was changed successfully" in first.inner_text(".messagelist")
    assert Article.objects.get(pk=story.pk).title == "Typed in the first tab"


def test_the_page_config_names_no_other_editors_copy(
    desk, live_server, editor, story, django_user_model
):
    other = django_user_model.objects.create_user("olga", password=PASSWORD, is_staff=True)
    other.groups.add(Group.objects.get(name="Editors"))
    WorkingCopy.objects.create(
        article=story,
        editor=other,
        data={"title": ["Olga's unsaved title"]},
        base_version=story.version,
        saved_at=story.updated_at,
    )
    sign_in(desk.new_page(), live_server)
    page = open_form(desk, live_server, story)
    config = json.loads(page.inner_text("#working-copy-config"))
    assert config["working_copy"] is None
    page.wait_for_timeout(500)
    assert page.locator("#unsaved-offer").is_hidden()


def test_two_editors_one_article_the_second_save_merges_and_succeeds(
    browser, live_server, editor, story, django_user_model, screenshots
):
    other = django_user_model.objects.create_user(
        "olga", password=PASSWORD, is_staff=True, first_name="Olga", last_name="Ortiz"
    )
    other.groups.add(Group.objects.get(name="Editors"))
    contexts = [browser.new_context(viewport={"width": 1440, "height": 1000}) for _ in range(2)]
    try:
        pages = []
        for context, username in zip(contexts, ["olga", "eddie"], strict=True):
            login = context.new_page()
            login.goto(f"{live_server.url}/admin/login/")
            login.fill("#id_username", username)
            login.fill("#id_password", PASSWORD)
            login.click("input[type=submit]")
            login.wait_for_selector("#site-name")
            pages.append(open_form(context, live_server, story))
        olga, eddie = pages
        # Each sees that the other has it open.
        eddie.reload()
        eddie.wait_for_selector("#also-editing:not([hidden])")
        assert "Olga Ortiz has this article open too" in eddie.inner_text("#also-editing")

        olga.fill("#id_title", "Harbour cranes go electric at last")  # A: the title
        type_into_body(eddie, "Eddie's paragraph about the noise.")  # B: the body
        olga.click("input[name=_continue]")
        olga.wait_for_selector(".messagelist")

        eddie.click("input[name=_continue]")
        eddie.wait_for_selector("#conflict")
        panel = eddie.inner_text("#conflict")
        assert "Someone saved this article after you opened it" in panel
        assert "Title" in panel and "at last" in eddie.inner_text("#conflict ins")
        assert eddie.input_value("#id_title") == "Harbour cranes go electric at last"
        assert "noise" in eddie.inner_text(".ProseMirror[contenteditable=true]")
        eddie.screenshot(path=screenshots / "admin-conflict-merged.png")

        eddie.click("input[name=_continue]")
        eddie.wait_for_selector(".messagelist")
        assert "was changed successfully" in eddie.inner_text(".messagelist")
        story.refresh_from_db()
        assert story.title == "Harbour cranes go electric at last"
        assert "Eddie's paragraph about the noise." in story.body
    finally:
        for context in contexts:
            context.close()


def test_changes_to_a_live_story_wait_until_published(
    desk, browser, live_server, editor, story, api_client, screenshots
):
    sign_in(desk.new_page(), live_server)
    page = open_form(desk, live_server, story)
    page.fill("#id_title", "Harbour cranes go electric: the full story")
    page.click("input[name=_save_for_later]")
    page.wait_for_selector(".messagelist")
    assert "saved for later" in page.inner_text(".messagelist")
    page.wait_for_selector("#pending-change")
    page.wait_for_timeout(300)
    assert page.locator("#unsaved-offer").is_hidden()  # kept for later: nothing is unsaved
    page.screenshot(path=screenshots / "admin-pending-change.png")

    reader = browser.new_page()
    try:
        reader.goto(f"{live_server.url}/articles/harbour-cranes/")
        assert reader.inner_text("h1") == "Harbour cranes go electric"
        feed = reader.request.get(f"{live_server.url}/feed/").text()
        assert "the full story" not in feed
        detail = api_client.get("/api/v1/articles/harbour-cranes/").json()
        assert detail["title"] == "Harbour cranes go electric"

        with desk.expect_page() as opened:
            page.click("#pending-change a")
        preview = opened.value
        preview.wait_for_load_state()
        assert preview.inner_text("h1") == "Harbour cranes go electric: the full story"
        assert "Preview of changes saved for later" in preview.inner_text(".preview-banner")

        page.click("input[name=_publish_changes]")
        page.wait_for_selector(".messagelist")
        assert "published: readers see them now" in page.inner_text(".messagelist")
        reader.reload()
        assert reader.inner_text("h1") == "Harbour cranes go electric: the full story"
    finally:
        reader.close()
