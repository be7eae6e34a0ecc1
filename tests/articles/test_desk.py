"""The desk: the admin home by role, and an article list that answers "mine" and "today"."""

from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from articles.models import Article, Correction
from tests.articles.test_working_copies import signed_in, staff
from tests.factories import make_article, make_author, make_category

pytestmark = pytest.mark.django_db

# Noon in the site's time zone, so that "today" and "this week" are unambiguous.
NOON = timezone.make_aware(timezone.datetime(2026, 12, 2, 12, 0))


@pytest.fixture
def newsroom(django_user_model):
    with time_machine.travel(NOON, tick=False):
        writer = staff(django_user_model, "wendy", "Writers")
        editor = staff(django_user_model, "eddie", "Editors")
        wendy = make_author(name="Wanda Writer", slug="wanda", user=writer)
        section = make_category(name="Markets", slug="markets")
        pieces = {
            "draft": make_article(
                title="Wendy's draft",
                status=Article.Status.DRAFT,
                authors=[wendy],
                category=section,
                body="<p>On executive compensation.</p>",
            ),
            "review": make_article(
                title="Waiting since morning",
                status=Article.Status.REVIEW,
                authors=[wendy],
                category=section,
            ),
            "tonight": make_article(
                title="Goes live tonight",
                published_at=NOON + timedelta(hours=8),
                category=section,
            ),
            # Scheduled for an hour ago, under embargo until Friday: it is Friday's.
            "embargoed": make_article(
                title="Embargoed to Friday",
                published_at=NOON - timedelta(hours=1),
                embargoed_until=NOON + timedelta(days=2),
                category=section,
            ),
            "live": make_article(title="Live this morning", authors=[wendy], category=section),
        }
        Correction.objects.create(article=pieces["live"], text="A figure was wrong.")
    return {"writer": writer, "editor": editor, "pieces": pieces}


def section_titles(response, key):
    section = response.content.decode().split(f'id="desk-{key}"')[1].split("</section>")[0]
    return section


@time_machine.travel(NOON, tick=False)
def test_an_editor_sees_what_waits_and_what_goes_live_when(newsroom):
    home = signed_in(newsroom["editor"]).get("/admin/")
    assert home.status_code == 200
    assert "Waiting since morning" in section_titles(home, "review")
    today = section_titles(home, "today")
    assert "Goes live tonight" in today and "Embargoed to Friday" not in today
    week = section_titles(home, "this-week")
    assert "Embargoed to Friday" in week and "goes live Fri Dec 4, 12:00" in week
    assert "Live this morning" in section_titles(home, "published")
    assert "A figure was wrong" not in home.content.decode()  # titles, not the note's text
    assert "Live this morning" in section_titles(home, "corrections")
    # Each section links to the list filtered the same way.
    assert 'href="/admin/articles/article/?state=scheduled&amp;goes_live=today"' in today


@time_machine.travel(NOON, tick=False)
def test_a_writer_sees_their_own_pieces(newsroom, django_user_model):
    other = make_author(name="Someone Else", slug="else")
    make_article(title="Not Wendy's", status=Article.Status.DRAFT, authors=[other])
    home = signed_in(newsroom["writer"]).get("/admin/")
    page = home.content.decode()
    assert "Wendy&#x27;s draft" in section_titles(home, "my-drafts")
    assert "Waiting since morning" in section_titles(home, "my-review")
    assert "Live this morning" in section_titles(home, "my-published")
    assert "Not Wendy" not in page and 'id="desk-review"' not in page


def add_articles(count: int, start: int = 0) -> None:
    section = make_category()
    statuses = [Article.Status.DRAFT, Article.Status.REVIEW, Article.Status.PUBLISHED]
    Article.objects.bulk_create(
        Article(
            title=f"Bulk {n}",
            slug=f"bulk-{n}",
            summary="S",
            body="<p>B</p>",
            category=section,
            status=statuses[n % 3],
            published_at=timezone.now() + timedelta(hours=n % 48 - 24),
        )
        for n in range(start, start + count)
    )


def queries_for(client, path: str) -> list[str]:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(path).status_code == 200
    return [query["sql"] for query in queries.captured_queries]


@pytest.mark.parametrize("path", ["/admin/", "/admin/articles/article/"])
def test_the_desk_and_the_list_cost_the_same_queries_for_1000_or_2000_articles(newsroom, path):
    editor = signed_in(newsroom["editor"])
    add_articles(1_000)
    editor.get(path)  # warm: the session, the permission cache
    thousand = queries_for(editor, path)
    add_articles(1_000, start=1_000)
    assert len(queries_for(editor, path)) == len(thousand) <= 20, thousand


@time_machine.travel(NOON, tick=False)
def test_the_list_files_an_embargoed_piece_under_the_day_it_goes_live(newsroom):
    editor = signed_in(newsroom["editor"])
    today = editor.get("/admin/articles/article/?goes_live=today").content.decode()
    assert "Goes live tonight" in today and "Embargoed to Friday" not in today
    week = editor.get("/admin/articles/article/?goes_live=rest_of_week").content.decode()
    assert "Embargoed to Friday" in week
    listed = editor.get("/admin/articles/article/").content.decode()
    row = listed.split(">Embargoed to Friday</a>")[1].split("</tr>")[0]
    assert "Dec 4, 12:00" in row and "Scheduled for Dec 4" in row


@time_machine.travel(NOON, tick=False)
def test_the_list_puts_work_in_progress_first_and_answers_mine_and_search(newsroom):
    writer = signed_in(newsroom["writer"])
    listed = writer.get("/admin/articles/article/").content.decode()
    order = [listed.index(title) for title in ["Waiting since morning", "Wendy&#x27;s draft"]]
    assert order == sorted(order) and listed.index("Wendy&#x27;s draft") < listed.index(
        "Live this morning"
    )
    mine = writer.get("/admin/articles/article/?mine=1").content.decode()
    assert "Goes live tonight" not in mine and "Live this morning" in mine
    by_body = writer.get("/admin/articles/article/?q=compensation").content.decode()
    assert "Wendy&#x27;s draft" in by_body and "Live this morning" not in by_body
    by_author = writer.get("/admin/articles/article/?q=Wanda").content.decode()
    assert "Live this morning" in by_author and "Goes live tonight" not in by_author


def test_each_role_sees_only_the_fields_it_may_change(newsroom):
    draft = newsroom["pieces"]["draft"]
    url = f"/admin/articles/article/{draft.pk}/change/"
    writer_form = signed_in(newsroom["writer"]).get(url).content.decode()
    editor_form = signed_in(newsroom["editor"]).get(url).content.decode()
    for field in ['name="is_featured"', 'name="embargoed_until_0"', "Embargo record"]:
        assert field not in writer_form and field in editor_form.replace(
            "embargo record", "Embargo record"
        )
    # Each fieldset names its section, for the tabs.
    for section in ["content", "promotion", "publishing", "coverage"]:
        assert f"section-{section}" in editor_form


def test_a_writer_cannot_feature_by_forging_the_field(newsroom):
    from tests.articles.test_editorial import change_url, form_data

    draft = newsroom["pieces"]["draft"]
    writer = signed_in(newsroom["writer"])
    response = writer.post(change_url(draft), form_data(draft, is_featured="on"))
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.is_featured is False
