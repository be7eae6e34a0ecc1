"""A history a person can read: word diffs instead of truncated HTML, saves that changed nothing
visible left out, and any two revisions compared."""

import pytest

from articles.models import Article
from tests.articles.test_editorial import change_url, form_data
from tests.articles.test_working_copies import signed_in, staff
from tests.factories import make_article, make_category

pytestmark = pytest.mark.django_db


@pytest.fixture
def edited(django_user_model):
    editor = signed_in(staff(django_user_model, "eddie"))
    article = make_article(
        title="Cranes go electric",
        body="<p>The port retires its diesel cranes this year.</p>",
        status=Article.Status.DRAFT,
        category=make_category(name="Markets"),
    )
    other = make_category(name="Energy")
    editor.post(
        change_url(article),
        form_data(
            article,
            title="Cranes go electric at last",
            body="<p>The port retires its last diesel cranes this year.</p>",
            category=other.pk,
        ),
    )
    article.refresh_from_db()
    editor.post(change_url(article), form_data(article))  # a save that changes nothing visible
    return editor, article


def test_the_history_shows_word_diffs_and_leaves_out_saves_that_changed_nothing(edited):
    editor, article = edited
    assert article.history.count() == 3
    page = editor.get(f"/admin/articles/article/{article.pk}/history/").content.decode()
    assert "Cranes go electric <ins>at last</ins>" in page
    assert "retires its <ins>last</ins> diesel" in page and "&lt;p&gt;" not in page
    assert "<del>Markets</del> → <ins>Energy</ins>" in page
    assert page.count('name="from"') == 2  # three saves, one of which changed nothing visible
    assert "Updated at" not in page and "Version:" not in page


def test_two_revisions_compared(edited):
    editor, article = edited
    oldest, newest = article.history.order_by("history_date").first(), article.history.first()
    url = f"/admin/articles/article/{article.pk}/history/compare/"
    compared = editor.get(url, {"from": newest.pk, "to": oldest.pk})  # either order
    page = compared.content.decode()
    assert compared.status_code == 200
    assert "Cranes go electric <ins>at last</ins>" in page
    assert "<dt>Category</dt>" in page
    same = editor.get(url, {"from": newest.pk, "to": newest.pk}).content.decode()
    assert "Nothing anyone would see changed" in same


def test_comparing_needs_two_revisions_of_this_article(edited):
    editor, article = edited
    other = make_article(category=make_category())
    url = f"/admin/articles/article/{article.pk}/history/compare/"
    newest = article.history.first().pk
    assert editor.get(url).status_code == 400
    assert editor.get(url, {"from": "x", "to": newest}).status_code == 400
    foreign = other.history.first().pk
    assert editor.get(url, {"from": foreign, "to": newest}).status_code == 404
    assert editor.get(
        "/admin/articles/article/999999/history/compare/?from=1&to=2"
    ).status_code in (
        302,
        404,
    )
