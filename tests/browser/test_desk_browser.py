"""The desk in a real browser at 1440 and 375 px: the desk chief's "today", a headline that reads
in two lines, title and state on a phone without sideways scrolling; axe-core on the pages."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.core import mail
from django.utils import timezone

from articles.models import Article
from tests.browser.test_newsroom_tools_browser import AXE
from tests.conftest import require_tool
from tests.factories import ensure_editorial_roles, make_article, make_author, make_category

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

PASSWORD = "correct horse battery"
# WCAG 2.2 AA and axe's best practices, target sizes included.
AXE_RULES = "{runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice']}}"
HEADLINE = "Port authority approves the electric crane plan after a year of talks with the unions"


@pytest.fixture
def desk(django_user_model):
    ensure_editorial_roles()
    editor = django_user_model.objects.create_user("eddie", password=PASSWORD, is_staff=True)
    editor.groups.add(Group.objects.get(name="Editors"))
    section = make_category(name="Markets", slug="markets")
    author = make_author(name="Wanda Writer", slug="wanda")
    later = timezone.localtime().replace(hour=23, minute=30, second=0, microsecond=0)
    if later <= timezone.now():
        later = timezone.now() + timedelta(minutes=5)
    make_article(title=HEADLINE, published_at=later, category=section, authors=[author])
    make_article(title="Waiting for an editor", status=Article.Status.REVIEW, category=section)
    make_article(title="On the site already", category=section, authors=[author])
    return editor


def signed_in_page(browser, live_server, width, *, bypass_csp=False):
    context = browser.new_context(viewport={"width": width, "height": 900}, bypass_csp=bypass_csp)
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.goto(f"{live_server.url}/admin/login/")
    page.fill("#id_username", "eddie")
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_selector("#desk")
    return page


@pytest.mark.parametrize("width", [1440, 375])
def test_the_desk_chiefs_today(browser, live_server, desk, screenshots, width):
    page = signed_in_page(browser, live_server, width)
    try:
        assert "Waiting for an editor" in page.inner_text("#desk-review")
        assert HEADLINE in page.inner_text("#desk-today")
        page.screenshot(path=screenshots / f"admin-desk-{width}.png", full_page=True)
        page.click("#desk-today-title a")  # one click from the desk to today's list
        page.wait_for_selector("#result_list")
        assert HEADLINE in page.inner_text("#result_list")
        assert "On the site already" not in page.inner_text("#result_list")
        page.screenshot(path=screenshots / f"admin-list-today-{width}.png", full_page=True)
        title = page.locator("#result_list .field-title").first
        state = page.locator("#result_list .field-state_badge").first
        lines = page.evaluate(
            """(cell) => Math.round(cell.querySelector('a').getBoundingClientRect().height /
                 parseFloat(getComputedStyle(cell.querySelector('a')).lineHeight))""",
            title.element_handle(),
        )
        if width == 1440:
            assert lines <= 2, f"a 90-character headline takes {lines} lines"
        # Title and state without scrolling sideways.
        box = state.bounding_box()
        assert box["x"] + box["width"] <= width
        assert page.evaluate("document.documentElement.scrollWidth") <= width + 1
    finally:
        page.context.close()


@pytest.mark.parametrize("width", [1440, 375])
def test_the_desk_and_the_list_pass_axe(browser, live_server, desk, width):
    require_tool(AXE.exists(), f"{AXE}: run `npm ci` (axe-core from the npm registry)")
    page = signed_in_page(browser, live_server, width, bypass_csp=True)
    try:
        found = {}
        for path in ["/admin/", "/admin/articles/article/"]:
            page.goto(f"{live_server.url}{path}")
            page.add_script_tag(path=str(AXE))
            violations = page.evaluate(
                f"async () => (await axe.run(document.getElementById('content'), {AXE_RULES})).violations"
            )
            found[path] = [(v["id"], [n["target"] for n in v["nodes"]][:3]) for v in violations]
        assert found == {"/admin/": [], "/admin/articles/article/": []}
    finally:
        page.context.close()


@pytest.mark.parametrize("width", [1440, 375])
def test_the_article_forms_pass_axe(browser, live_server, desk, width):
    require_tool(AXE.exists(), f"{AXE}: run `npm ci` (axe-core from the npm registry)")
    page = signed_in_page(browser, live_server, width, bypass_csp=True)
    live = Article.objects.get(title="On the site already")
    try:
        found = {}
        for path in ["/admin/articles/article/add/", f"/admin/articles/article/{live.pk}/change/"]:
            page.goto(f"{live_server.url}{path}")
            page.wait_for_selector(".ProseMirror[contenteditable=true]")
            page.add_script_tag(path=str(AXE))
            violations = page.evaluate(
                f"async () => (await axe.run(document, {AXE_RULES})).violations"
            )
            found[path] = [
                (v["id"], len(v["nodes"]), [n["target"] for n in v["nodes"]][:4])
                for v in violations
            ]
        assert all(not v for v in found.values()), found
    finally:
        page.context.close()


def test_an_editor_returns_a_piece_and_the_writer_sees_why(
    browser, live_server, desk, django_user_model, screenshots
):
    writer = django_user_model.objects.create_user(
        "wendy", email="wendy@example.com", password=PASSWORD, is_staff=True
    )
    writer.groups.add(Group.objects.get(name="Writers"))
    author = make_author(name="Wendy Writer", slug="wendy-writer", user=writer)
    piece = make_article(
        title="Crane noise, measured",
        status=Article.Status.REVIEW,
        authors=[author],
        category=make_category(name="Energy", slug="energy"),
    )
    mail.outbox.clear()
    editor = signed_in_page(browser, live_server, 1440)
    try:
        editor.click(f"#desk-review a:has-text('{piece.title}')")  # desk → the piece: one click
        editor.wait_for_selector(".ProseMirror[contenteditable=true]")
        editor.fill("#id_editorial_note", "Add the decibel figures from the port's report.")
        editor.click("input[name=_request_changes]")
        editor.wait_for_selector(".messagelist")
        assert "returned to its writer" in editor.inner_text(".messagelist")
    finally:
        editor.context.close()
    assert [m.subject for m in mail.outbox] == ["Changes requested: Crane noise, measured"]

    context = browser.new_context(viewport={"width": 375, "height": 900})
    try:
        page = context.new_page()
        page.goto(f"{live_server.url}/admin/login/")
        page.fill("#id_username", "wendy")
        page.fill("#id_password", PASSWORD)
        page.click("input[type=submit]")
        page.wait_for_selector("#desk-returned")
        returned = page.inner_text("#desk-returned")
        assert piece.title in returned and "decibel figures" in returned
        page.screenshot(path=screenshots / "admin-desk-writer-returned-375.png", full_page=True)
        page.click(f"#desk-returned a:has-text('{piece.title}')")
        page.wait_for_selector(".changes-requested")
        assert "decibel figures" in page.inner_text(".changes-requested")
        page.check("#id_resolve_notes input[type=checkbox]")
        page.click("input[name=_submit_review]")
        page.wait_for_selector(".messagelist")
    finally:
        context.close()
    piece.refresh_from_db()
    assert piece.status == Article.Status.REVIEW
    assert not piece.editorial_notes.filter(resolved_at__isnull=True).exists()
