"""Most read in a real browser: reading an article sends its beacon (no cookie, the page from
the cache), the home's "Most read" block fills from /most-read/, and axe-core finds nothing."""

import time

import pytest

from readership import counting
from readership.ranking import most_read, rank
from tests.browser.test_newsroom_tools_browser import AXE
from tests.conftest import require_tool
from tests.factories import make_article, make_category

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

RULES = "{runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice']}}"
# Headless Chromium says "HeadlessChrome", which the count takes for a robot; a reader's doesn't.
READER = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0 Safari/537.36"


def counted(pk: int, expected: int) -> int:
    """The reads of `pk` in the cache once the beacons' requests are through (a beacon is
    sent when the page loads; its answer may come after)."""
    deadline = time.monotonic() + 10
    while True:
        minute = int(time.time() // 60)
        reads = sum(counting.counts_of_minute(m).get(pk, 0) for m in (minute - 1, minute))
        if reads >= expected or time.monotonic() > deadline:
            return reads
        time.sleep(0.05)


@pytest.mark.parametrize("width", [375, 1440])
def test_a_read_reaches_the_most_read_block(browser, live_server, screenshots, width):
    require_tool(AXE.exists(), f"{AXE}: run `npm ci` (axe-core from the npm registry)")
    section = make_category(name="Harbour", slug="harbour")
    story = make_article(title="Cranes go electric along the whole quay", category=section)
    make_article(title="Ferry timetable changes", category=section)
    context = browser.new_context(
        viewport={"width": width, "height": 900}, user_agent=READER, bypass_csp=True
    )
    try:
        page = context.new_page()
        # The article's own Most read block asks for this minute's ranking as the beacon goes:
        # held back here, so that the ranking is built after the read is counted.
        page.route("**/most-read/", lambda route: route.abort())
        with page.expect_request(f"**/reads/{story.pk}/") as beacon:
            page.goto(f"{live_server.url}{story.get_absolute_url()}")
        assert beacon.value.method == "POST"
        assert counted(story.pk, 1) == 1
        # The counted read is in the cache: the ranking of this minute holds it.
        assert [(item.article.pk, item.reads) for item in most_read("24h")] == [(story.pk, 1)]
        assert context.cookies() == []

        page.unroute("**/most-read/")
        page.goto(f"{live_server.url}/")
        block = page.locator(".most-read")
        block.locator("ol.most-read__list li").first.wait_for()
        assert block.locator("li a").all_inner_texts() == [story.title]
        block.scroll_into_view_if_needed()
        page.screenshot(path=screenshots / f"most-read-home-{width}.png", full_page=True)
        assert page.evaluate("document.documentElement.scrollWidth") <= width

        page.goto(f"{live_server.url}/most-read/")
        page.screenshot(path=screenshots / f"most-read-page-{width}.png", full_page=True)
        for url in ("/most-read/", "/"):
            page.goto(f"{live_server.url}{url}")
            page.locator(".most-read__list").first.wait_for()
            page.add_script_tag(path=str(AXE))
            found = page.evaluate(f"async () => (await axe.run(document, {RULES})).violations")
            assert [(v["id"], [n["target"] for n in v["nodes"]][:3]) for v in found] == []
        assert context.cookies() == []
    finally:
        context.close()


def test_a_robot_and_a_reload_are_not_counted(browser, live_server):
    story = make_article(title="Cranes go electric", category=make_category())
    reader = browser.new_context(user_agent=READER)
    robot = browser.new_context()  # HeadlessChrome's own user agent
    try:
        for context in (reader, reader, robot):  # a read, its reload, a robot
            page = context.new_page()
            with page.expect_request(f"**/reads/{story.pk}/"):
                page.goto(f"{live_server.url}{story.get_absolute_url()}")
            page.close()
        time.sleep(1)  # the last beacon's answer, had it counted
        assert counted(story.pk, 1) == 1
        # Built now (the pages' blocks may have asked for this minute's before the first read).
        assert [(item.article.pk, item.reads) for item in rank("24h", time.time())] == [
            (story.pk, 1)
        ]
    finally:
        reader.close()
        robot.close()
