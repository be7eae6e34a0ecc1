"""The newsroom's tools in a real browser: an editor posts a correction and a live entry from
the admin, readers see them (the live entry without a reload), at phone and desktop widths, with
axe-core's accessibility checks."""

import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone

from articles.models import Correction, LiveEntry
from tests.browser.conftest import full_page_screenshot, open_section, watch_csp_violations
from tests.browser.test_editor_journey import log_in
from tests.conftest import require_tool
from tests.factories import ensure_editorial_roles, make_article, make_author, make_category

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

AXE = Path(__file__).parents[2] / "node_modules" / "axe-core" / "axe.min.js"
WIDTHS = {"phone": 375, "desktop": 1440}


@pytest.fixture
def desk(django_user_model):
    ensure_editorial_roles()
    editor = django_user_model.objects.create_user(
        "eddie", password="correct horse battery", is_staff=True
    )
    editor.groups.add(Group.objects.get(name="Editors"))
    author = make_author(name="Eddie Editor", slug="eddie-editor", user=editor)
    section = make_category(name="Markets", slug="markets")
    return {"editor": editor, "author": author, "section": section}


def axe_violations(browser, url: str) -> list:
    require_tool(AXE.exists(), f"{AXE}: run `npm ci` (axe-core from the npm registry)")
    found = []
    for width in WIDTHS.values():
        page = browser.new_page(viewport={"width": width, "height": 900}, bypass_csp=True)
        page.goto(url)
        page.add_script_tag(path=str(AXE))
        result = page.evaluate("async () => await axe.run(document)")
        found += [
            (width, v["id"], [n["target"] for n in v["nodes"]][:3]) for v in result["violations"]
        ]
        page.close()
    return found


def test_editor_posts_a_correction_readers_see_it(page, browser, live_server, desk, screenshots):
    article = make_article(
        title="Harbour authority approves the new berth",
        slug="new-berth",
        category=desk["section"],
        authors=[desk["author"]],
        body="<p>The authority approved the berth on Monday.</p>",
    )
    log_in(page, live_server, "eddie")
    page.goto(f"{live_server.url}/admin/articles/article/{article.pk}/change/")
    open_section(page, "coverage")
    page.click("text=Add another Correction or update")
    page.select_option("#id_corrections-0-kind", "correction")
    page.fill(
        "#id_corrections-0-text",
        "An earlier version said the berth was approved on Monday. It was approved on Tuesday.",
    )
    page.click("input[name=_save]")
    page.wait_for_selector(".messagelist")
    note = Correction.objects.get()
    assert note.created_by == desk["editor"]

    for device, width in WIDTHS.items():
        reader = browser.new_page(viewport={"width": width, "height": 900})
        violations = watch_csp_violations(reader)
        reader.goto(f"{live_server.url}/articles/new-berth/")
        assert "Updated" in reader.inner_text(".article__header .meta")
        notes = reader.locator(".corrections .note")
        assert notes.count() == 1
        assert "approved on Tuesday" in notes.first.inner_text()
        reader.locator(".corrections").scroll_into_view_if_needed()
        full_page_screenshot(reader, screenshots / f"correction-{device}.png")
        reader.click("text=All corrections")
        reader.wait_for_selector("h1:has-text('Corrections')")
        assert "Harbour authority approves the new berth" in reader.inner_text("main")
        reader.close()
        assert violations == []
    assert axe_violations(browser, f"{live_server.url}/articles/new-berth/") == []
    assert axe_violations(browser, f"{live_server.url}/corrections/") == []


def test_editor_posts_a_live_entry_in_seconds_and_it_reaches_an_open_page(
    page, browser, live_server, desk, screenshots, settings
):
    settings.LIVE_POLL_SECONDS = 1  # the reader's page asks every second, for the test
    started = timezone.now() - timedelta(hours=1)
    article = make_article(
        title="Election night, as it happens",
        slug="election-night",
        category=desk["section"],
        authors=[desk["author"]],
        live_coverage_started_at=started,
    )
    for minutes, text, key in [
        (5, "Polls have closed across the region.", False),
        (20, "Turnout is the highest in twenty years, officials say.", True),
        (35, "The first results are expected within the hour.", False),
    ]:
        LiveEntry.objects.create(
            article=article,
            body=f"<p>{text}</p>",
            is_key_point=key,
            author=desk["author"],
            posted_at=started + timedelta(minutes=minutes),
        )

    reader = browser.new_page(viewport={"width": 1440, "height": 900})
    reader_violations = watch_csp_violations(reader)
    reader.goto(f"{live_server.url}/articles/election-night/")
    assert reader.locator(".live-entry").count() == 3
    assert reader.locator(".article__header .label--live").count() == 1

    log_in(page, live_server, "eddie")
    page.goto(f"{live_server.url}/admin/articles/article/{article.pk}/change/")
    began = time.monotonic()
    open_section(page, "coverage")
    page.click("text=Post a live entry")
    page.fill("#id_body", "<p>The first district has declared: a narrow win for the incumbent.</p>")
    page.check("#id_is_key_point")
    page.click("input[name=_save]")
    page.wait_for_selector(".messagelist .success")
    posting_seconds = time.monotonic() - began
    print(f"\nPosting a live entry from the article's admin page: {posting_seconds:.1f} s")
    assert posting_seconds < 10
    assert page.input_value("#id_body") == ""  # ready for the next one
    entry = LiveEntry.objects.get(is_key_point=True, body__contains="first district")
    assert entry.author == desk["author"]

    # The open page shows it without a reload, on top, marked new.
    reader.wait_for_selector(f"#entry-{entry.pk}", timeout=10_000)
    assert reader.locator(".live-entry").first.get_attribute("id") == f"entry-{entry.pk}"
    assert "1 new entry" in reader.inner_text(".live__status")
    reader.close()
    assert reader_violations == []

    for device, width in WIDTHS.items():
        view = browser.new_page(viewport={"width": width, "height": 900})
        view.goto(f"{live_server.url}/articles/election-night/")
        assert view.locator(".key-points li").count() == 2
        full_page_screenshot(view, screenshots / f"live-coverage-{device}.png")
        view.close()
    assert axe_violations(browser, f"{live_server.url}/articles/election-night/") == []


def test_a_live_page_is_complete_without_javascript(browser, live_server, desk):
    article = make_article(
        slug="no-script-live",
        category=desk["section"],
        live_coverage_started_at=timezone.now() - timedelta(minutes=30),
    )
    for number in range(3):
        LiveEntry.objects.create(article=article, body=f"<p>Entry {number}.</p>")
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{live_server.url}/articles/no-script-live/")
    assert page.locator(".live-entry").count() == 3
    LiveEntry.objects.create(article=article, body="<p>Entry after.</p>")
    page.reload()
    assert page.locator(".live-entry").count() == 4
    context.close()
