"""A change rebuilds only the responses that show it (issue 23): what each kind of change makes
stale, watched through the page cache's X-Cache header (hit: served from the cache; miss: built)."""

import threading
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import connection, connections, transaction
from django.utils import timezone

from articles.models import Article, Correction, LiveEntry
from articles.services import article_publish
from tests.factories import make_article, make_author, make_category

pytestmark = pytest.mark.django_db


@pytest.fixture
def site(db):
    """Two sections with two live articles each, one of them under live coverage."""
    markets, sport = make_category(slug="markets", name="Markets"), make_category(slug="sport")
    author = make_author(slug="ann", name="Ann")
    return {
        "markets": markets,
        "sport": sport,
        "rates": make_article(slug="rates", category=markets, tags=["economy"], authors=[author]),
        "ports": make_article(
            slug="ports", category=markets, live_coverage_started_at=timezone.now()
        ),
        "final": make_article(slug="final", category=sport, tags=["football"]),
        "derby": make_article(slug="derby", category=sport, tags=["football"]),
    }


@pytest.fixture
def editor_user(django_user_model):
    return django_user_model.objects.create_superuser("chief", "chief@example.com", "pw")


PAGES = [
    "/",
    "/articles/rates/",
    "/articles/ports/",
    "/articles/final/",
    "/articles/derby/",
    "/categories/markets/",
    "/categories/sport/",
    "/tags/economy/",
    "/tags/football/",
    "/authors/ann/",
    "/feed/",
    "/sitemap-articles.xml",
]


def rebuilt(client) -> set[str]:
    """Which pages a reader's next visit does not find in the cache (all were warm before)."""
    return {page for page in PAGES if client.get(page).get("X-Cache") != "hit"}


def warm(client) -> None:
    for page in PAGES:
        assert client.get(page).status_code == 200, page
    assert rebuilt(client) == set()


def test_a_draft_saved_again_and_again_rebuilds_nothing(client, site):
    warm(client)
    draft = make_article(slug="draft", category=site["markets"], status=Article.Status.DRAFT)
    for words in ["First words.", "More words.", "Yet more."]:
        draft.body = f"<p>{words}</p>"
        draft.save()
        draft.tags.add("economy")
    scheduled = make_article(category=site["sport"], published_at=timezone.now() + timedelta(1))
    scheduled.title = "A new headline for later"
    scheduled.save()
    assert rebuilt(client) == set()


def test_a_live_entry_rebuilds_its_article_and_the_feeds_of_rows_only(client, site):
    warm(client)
    LiveEntry.objects.create(article=site["ports"], body="<p>The harbour reopens.</p>")
    assert rebuilt(client) == {"/articles/ports/", "/feed/", "/sitemap-articles.xml"}
    assert "The harbour reopens." in client.get("/articles/ports/").content.decode()


def test_a_typo_fix_rebuilds_its_page_and_rows_not_the_lists(client, site):
    warm(client)
    site["rates"].body = "<p>Rates rose by a quarter point, not a half.</p>"
    site["rates"].save()
    assert rebuilt(client) == {"/articles/rates/", "/feed/", "/sitemap-articles.xml"}


def test_a_correction_rebuilds_its_page_and_the_corrections_log(client, site):
    client.get("/corrections/")
    warm(client)
    Correction.objects.create(article=site["final"], text="The score was 2-1.")
    assert rebuilt(client) == {"/articles/final/", "/feed/", "/sitemap-articles.xml"}
    assert client.get("/corrections/")["X-Cache"] == "miss"


def test_a_new_headline_rebuilds_the_lists_showing_its_card(client, site):
    warm(client)
    site["derby"].title = "Derby ends in a draw"
    site["derby"].save()
    # Its page and card; the lists that show the card; the other section's articles show it in
    # More to Read (their section fill), this one's section is sport: final's page shows it.
    assert rebuilt(client) == {
        "/",
        "/articles/derby/",
        "/articles/final/",
        "/categories/sport/",
        "/tags/football/",
        "/feed/",
        "/sitemap-articles.xml",
    }


def test_publishing_rebuilds_the_lists_it_joins_and_its_sections_pages(client, site, editor_user):
    warm(client)
    draft = make_article(
        slug="new-final", category=site["sport"], tags=["football"], status=Article.Status.DRAFT
    )
    article_publish(article=draft, by=editor_user)
    # Home, its section's list and its articles' More to Read, its tag, the feeds, the sitemaps;
    # the other section's pages, tag and author stay as they were.
    assert rebuilt(client) == {
        "/",
        "/articles/final/",
        "/articles/derby/",
        "/categories/sport/",
        "/tags/football/",
        "/feed/",
        "/sitemap-articles.xml",
    }
    assert "/articles/new-final/" in client.get("/").content.decode()


def test_renaming_a_section_rebuilds_every_page_its_menu_is_on(client, site):
    warm(client)
    site["sport"].name = "Sports"
    site["sport"].save()
    assert rebuilt(client) == set(PAGES)


def test_renaming_a_tag_rebuilds_what_shows_it(client, site):
    warm(client)
    tag = site["rates"].tags.get()
    tag.name = "The economy"
    tag.save()
    assert "/articles/final/" not in rebuilt(client)
    assert client.get("/tags/economy/").content.decode().count("The economy") >= 1


def test_content_changed_rebuilds_everything(client, site):
    warm(client)
    call_command("content_changed", verbosity=0)
    assert rebuilt(client) == set(PAGES)


def test_pages_carry_their_tags_for_the_cache_in_front(client, site):
    tags = set(client.get("/articles/rates/")["xkey"].split())
    rates = site["rates"]
    assert {"all", f"article:{rates.pk}", "menu", "tag:economy", "author:ann"} <= tags
    assert f"list:section:{site['markets'].pk}" in tags  # its More to Read fill
    home = set(client.get("/")["xkey"].split())
    assert {"list:all", f"card:{rates.pk}", f"card:{site['derby'].pk}"} <= home
    assert not any(tag.startswith("article:") for tag in home)


def test_last_modified_is_that_of_what_the_page_shows(client, site):
    before = client.get("/articles/final/")["Last-Modified"]
    site["rates"].body = "<p>Edited elsewhere.</p>"
    site["rates"].save()
    # Another article's edit leaves this page's validators alone.
    assert client.get("/articles/final/")["Last-Modified"] == before


@pytest.mark.django_db(transaction=True)
def test_two_saves_of_two_articles_in_open_transactions_do_not_wait(site):
    """While one editor's transaction is open, another's saves of another article commit."""
    if connection.vendor != "postgresql":
        pytest.skip("row locks: PostgreSQL (SQLite has one writer at a time by design)")
    first_saved, second_done = threading.Event(), threading.Event()
    errors = []

    def first_editor():
        try:
            with transaction.atomic():
                rates = Article.objects.get(slug="rates")
                rates.body = "<p>Held open.</p>"
                rates.save()
                LiveEntry.objects.create(article=Article.objects.get(slug="ports"), body="<p>A</p>")
                first_saved.set()
                second_done.wait(timeout=10)  # keep the transaction open meanwhile
        except Exception as error:  # reported by the main thread
            errors.append(error)
        finally:
            connections.close_all()

    def second_editor():
        try:
            with connection.cursor() as cursor:
                cursor.execute("SET lock_timeout = '2s'")
            with transaction.atomic():
                derby = Article.objects.get(slug="derby")
                derby.body = "<p>Not waiting.</p>"
                derby.save()
                LiveEntry.objects.create(article=Article.objects.get(slug="final"), body="<p>B</p>")
                draft = make_article(slug="draft-two", status=Article.Status.DRAFT)
                draft.title = "Saved while the other is open"
                draft.save()
            second_done.set()
        except Exception as error:
            errors.append(error)
        finally:
            connections.close_all()

    first = threading.Thread(target=first_editor)
    first.start()
    assert first_saved.wait(timeout=10)
    second = threading.Thread(target=second_editor)
    second.start()
    second.join(timeout=15)
    first.join(timeout=15)
    assert errors == [] and second_done.is_set()


def test_deleting_an_author_rebuilds_the_pages_of_its_articles(client, site):
    warm(client)
    site["rates"].authors.get().delete()
    assert "/articles/rates/" in rebuilt(client)
    assert "Ann" not in client.get("/articles/rates/").content.decode().split("<main")[1]
