"""The editor's day, in a real browser: a writer drafts and submits, an editor previews,
schedules and publishes, and the article is live on the site."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone
from taggit.models import Tag

from articles.models import Article
from tests.browser.conftest import full_page_screenshot, open_section
from tests.factories import ensure_editorial_roles, make_author, make_category

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def make_staff(django_user_model, username, group):
    ensure_editorial_roles()  # a transactional test before may have flushed the groups
    user = django_user_model.objects.create_user(username, password="correct horse battery")
    user.is_staff = True
    user.save()
    user.groups.add(Group.objects.get(name=group))
    return user


def log_in(page, live_server, username):
    page.context.clear_cookies()
    page.goto(f"{live_server.url}/admin/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", "correct horse battery")
    page.click("input[type=submit]")
    page.wait_for_selector("#site-name")


def choose_autocomplete(page, field, text):
    page.click(f"#select2-id_{field}-container, #id_{field} + .select2 .select2-selection")
    page.fill(".select2-container--open .select2-search__field", text)
    page.click(f".select2-results__option:has-text('{text}')")


def test_writer_drafts_editor_previews_schedules_and_publishes(
    page, live_server, django_user_model, screenshots
):
    make_category(name="Markets", slug="markets")
    Tag.objects.create(name="energy", slug="energy")
    writer = make_staff(django_user_model, "wendy", "Writers")
    make_author(name="Wendy Writer", slug="wendy-writer", user=writer)
    make_staff(django_user_model, "eddie", "Editors")

    # The writer drafts with the rich-text editor, tags, a related link, and submits.
    log_in(page, live_server, "wendy")
    page.goto(f"{live_server.url}/admin/articles/article/add/")
    page.locator("#id_title").press_sequentially("Port cranes go electric")
    assert page.input_value("#id_slug") == "port-cranes-go-electric"
    page.fill("#id_summary", "Two terminals retire their diesel cranes.")
    editor = page.locator(".ProseMirror[contenteditable=true]")
    editor.click()
    page.keyboard.type("The first electric crane lifted its first box ")
    page.keyboard.press("Control+b")
    page.keyboard.type("on Monday")
    page.keyboard.press("Control+b")
    page.keyboard.type(".")
    open_section(page, "promotion")
    choose_autocomplete(page, "category", "Markets")
    page.locator("#id_tags").press_sequentially("ports, ene")
    suggestion = page.locator("#tag-suggestions option").first
    suggestion.wait_for(state="attached")
    assert suggestion.get_attribute("value") == "ports, energy"
    page.fill("#id_tags", "ports, energy")
    page.fill("#id_related_links-0-url", "https://example.com/cranes")
    page.fill("#id_related_links-0-title", "The operator's announcement")
    full_page_screenshot(page, screenshots / "admin-change-form-writer.png")
    page.click("input[name=_submit_review]")
    page.wait_for_selector(".messagelist")
    assert "submitted for review" in page.inner_text(".messagelist")
    page.goto(f"{live_server.url}/admin/articles/article/")
    full_page_screenshot(page, screenshots / "admin-change-list.png")

    article = Article.objects.get(slug="port-cranes-go-electric")
    assert article.status == Article.Status.REVIEW
    assert "<strong>on Monday</strong>" in article.body
    assert sorted(article.tags.names()) == ["energy", "ports"]
    assert [a.name for a in article.authors.all()] == ["Wendy Writer"]

    # The editor previews, schedules, then publishes now.
    log_in(page, live_server, "eddie")
    page.goto(f"{live_server.url}/admin/articles/article/{article.pk}/change/")
    with page.context.expect_page() as preview_tab:
        page.click("text=Preview")
    preview = preview_tab.value
    preview.wait_for_load_state()
    assert "Port cranes go electric" in preview.inner_text("h1")
    assert "Preview" in preview.inner_text(".preview-banner")
    full_page_screenshot(preview, screenshots / "preview.png")
    preview.close()

    later = timezone.localtime(timezone.now() + timedelta(days=1))
    open_section(page, "publishing")
    page.fill("#id_published_at_0", later.strftime("%Y-%m-%d"))
    page.fill("#id_published_at_1", later.strftime("%H:%M:%S"))
    page.click("input[name=_schedule]")
    page.wait_for_selector(".messagelist")
    assert "scheduled" in page.inner_text(".messagelist")
    assert page.request.get(f"{live_server.url}/articles/port-cranes-go-electric/").status == 404

    page.goto(f"{live_server.url}/admin/articles/article/{article.pk}/change/")
    full_page_screenshot(page, screenshots / "admin-change-form-editor.png")
    page.click("input[name=_publish_now]")
    page.wait_for_selector(".messagelist")
    assert "published" in page.inner_text(".messagelist")

    # Live on the site, with the related link.
    page.goto(f"{live_server.url}/articles/port-cranes-go-electric/")
    assert page.inner_text("h1") == "Port cranes go electric"
    assert "The operator's announcement" in page.inner_text(".more-to-read")
    full_page_screenshot(page, screenshots / "published-article.png")
