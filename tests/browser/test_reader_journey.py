"""The reader's journey in a real browser, at phone and desktop widths, and axe-core checks."""

from pathlib import Path

import pytest
from django.core.management import call_command

from tests.browser.conftest import full_page_screenshot, watch_csp_violations
from tests.conftest import require_tool

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

AXE = Path(__file__).parents[2] / "node_modules" / "axe-core" / "axe.min.js"
WIDTHS = {"phone": 375, "desktop": 1440}


@pytest.fixture
def demo_site(live_server):
    call_command("demo_content", "--articles", "150", verbosity=0)
    return live_server


@pytest.mark.parametrize("device", WIDTHS)
def test_reader_goes_home_article_more_to_read_category_load_more_search(
    browser, demo_site, screenshots, device
):
    page = browser.new_page(viewport={"width": WIDTHS[device], "height": 900})
    csp_violations = watch_csp_violations(page)
    base = demo_site.url

    page.goto(base + "/")
    assert page.locator(".top-story h2").count() == 1
    full_page_screenshot(page, screenshots / f"home-{device}.png")

    page.locator(".card-grid .card__title a").first.click()
    page.wait_for_selector("article.article h1")
    assert page.locator(".more-to-read .card").count() == 3
    full_page_screenshot(page, screenshots / f"article-{device}.png")

    # "More to Read" loads more from the category without leaving the page.
    before = page.locator(".more-to-read .card").count()
    page.click(".more-to-read a.load-more")
    page.locator(".more-to-read .card").nth(before).wait_for()
    url_before = page.url
    assert page.url == url_before

    page.locator(".more-to-read .card__title a").first.click()
    page.wait_for_selector("article.article h1")
    page.click("a:has-text('View All')")
    page.wait_for_selector(".list-header h1")
    cards = page.locator("[data-load-more] .card").count()
    assert cards == 24
    page.click("a.load-more")
    page.locator("[data-load-more] .card").nth(24).wait_for()
    assert "/categories/" in page.url and "page=" not in page.url
    full_page_screenshot(page, screenshots / f"category-{device}.png")

    page.fill("#site-search", "ledger")
    page.press("#site-search", "Enter")
    page.wait_for_selector(".list-header h1")
    assert "ledger" in page.inner_text(".list-header h1")
    assert page.locator("mark").count() > 0
    full_page_screenshot(page, screenshots / f"search-{device}.png")
    page.close()
    assert csp_violations == [], csp_violations


def test_every_section_of_the_menu_is_in_sight_on_a_phone(browser, demo_site, screenshots):
    page = browser.new_page(viewport={"width": WIDTHS["phone"], "height": 900})
    page.goto(demo_site.url + "/categories/markets/")
    links = page.locator(".category-nav a")
    assert links.count() == 5
    for index in range(links.count()):
        box = links.nth(index).bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= WIDTHS["phone"], (index, box)
    assert page.locator(".category-nav a[aria-current='page']").inner_text() == "Markets"
    # No part of the page is wider than the phone: nothing scrolls sideways out of sight.
    assert page.evaluate("document.documentElement.scrollWidth") <= WIDTHS["phone"]
    page.locator(".site-header").screenshot(path=screenshots / "menu-phone.png")
    page.close()


def test_pages_work_without_javascript(browser, demo_site):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(demo_site.url + "/categories/markets/")
    page.click("a.load-more")
    page.wait_for_url("**/categories/markets/?page=2")
    assert page.locator(".card").count() > 0
    context.close()


@pytest.mark.parametrize(
    "path",
    ["/", "ARTICLE", "/categories/policy-regulation/", "/search/?q=ledger", "/no-such-page/"],
)
def test_no_axe_core_violations(browser, demo_site, path):
    require_tool(AXE.exists(), f"{AXE}: run `npm ci` (axe-core from the npm registry)")
    if path == "ARTICLE":
        from articles.models import Article

        path = Article.objects.live().first().get_absolute_url()
    for width in WIDTHS.values():
        # axe-core is injected as an inline script: test tooling, so the page's CSP is bypassed.
        page = browser.new_page(viewport={"width": width, "height": 900}, bypass_csp=True)
        page.goto(demo_site.url + path)
        page.add_script_tag(path=str(AXE))
        result = page.evaluate("async () => await axe.run(document)")
        violations = [
            (v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3])
            for v in result["violations"]
        ]
        assert violations == [], f"{path} at {width}px: {violations}"
        page.close()


def test_partner_api_docs_render_under_the_content_security_policy(page, live_server):
    # The `page` fixture fails the test on any CSP refusal.
    page.goto(f"{live_server.url}/api/v1/docs/")
    page.wait_for_selector(".swagger-ui .info")
    assert "Newsroom partner API" in page.inner_text(".swagger-ui .info")
