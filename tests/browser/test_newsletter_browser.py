"""The newsletter's page in a real browser at 375 and 1440 px: it reads well and axe-core finds nothing."""

import pytest

from tests.browser.test_newsroom_tools_browser import AXE
from tests.conftest import require_tool

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

RULES = "{runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice']}}"


@pytest.mark.parametrize("width", [375, 1440])
def test_the_newsletter_page_passes_axe(browser, live_server, screenshots, width):
    require_tool(AXE.exists(), f"{AXE}: run `npm ci` (axe-core from the npm registry)")
    context = browser.new_context(viewport={"width": width, "height": 900}, bypass_csp=True)
    try:
        page = context.new_page()
        page.goto(f"{live_server.url}/newsletter/")
        page.screenshot(path=screenshots / f"newsletter-{width}.png", full_page=True)
        page.add_script_tag(path=str(AXE))
        found = page.evaluate(f"async () => (await axe.run(document, {RULES})).violations")
        assert [(v["id"], [n["target"] for n in v["nodes"]][:3]) for v in found] == []
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        assert context.cookies() == []  # no cookie for readers
    finally:
        context.close()
