"""Browser tests: Playwright driving Debian's Chromium against a live test server.

They skip when /usr/bin/chromium is missing (a fresh machine with only Python), unless
NEWSROOM_REQUIRE_BROWSER=1, which CI sets so that a missing browser fails loudly instead.
"""

import os
from pathlib import Path

import pytest

from tests.conftest import require_tool

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
SCREENSHOTS = Path(
    os.environ.get("NEWSROOM_SCREENSHOTS", Path(__file__).parents[2] / "screenshots")
)


@pytest.fixture(scope="session")
def browser():
    require_tool(Path(CHROMIUM).exists(), f"{CHROMIUM} (apt-get install -y chromium)")
    # Playwright's sync API refuses to start inside a running asyncio loop; Django's async-unsafe
    # checks would otherwise trip over its event loop in the test thread.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def watch_csp_violations(page):
    """Collect the browser's Content-Security-Policy refusals: a page that needs one is broken."""
    violations = []
    page.on(
        "console",
        lambda message: violations.append(message.text)
        if "Content Security Policy" in message.text
        else None,
    )
    return violations


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1440, "height": 1000})
    page = context.new_page()
    page.set_default_timeout(15_000)
    violations = watch_csp_violations(page)
    yield page
    context.close()
    assert violations == [], f"Content-Security-Policy refused: {violations}"


@pytest.fixture(scope="session")
def screenshots():
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    print(f"\nScreenshots: {SCREENSHOTS}")
    return SCREENSHOTS


def full_page_screenshot(page, path):
    """Scroll through the page first, so lazy images below the fold are in the picture."""
    page.evaluate(
        """async () => {
            for (let y = 0; y < document.body.scrollHeight; y += 500) {
                window.scrollTo(0, y);
                await new Promise((resolve) => setTimeout(resolve, 30));
            }
            window.scrollTo(0, 0);
        }"""
    )
    page.wait_for_load_state("networkidle")
    page.screenshot(path=path, full_page=True)


def open_section(page, key: str) -> None:
    """Show one section of the article form (content, promotion, publishing, coverage)."""
    page.click(f"#section-tab-{key}")
