"""What each model's change makes stale is declared by the app that owns it: a new model cannot
be forgotten, and a change the public never sees makes nothing stale."""

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.utils import timezone

from articles.models import Article, Correction, PendingChange, WorkingCopy
from caching import dependencies, freshness
from tests.factories import make_article, make_category

# Our apps, and the library whose model a public surface shows (taggit's tags).
APPS_WITH_MODELS = [
    "articles",
    "partners",
    "newsletters",
    "readership",
    "caching",
    "public",
    "taggit",
]


def test_every_model_of_ours_is_declared():
    undeclared = [
        model._meta.label
        for label in APPS_WITH_MODELS
        for model in apps.get_app_config(label).get_models(include_auto_created=True)
        if not dependencies.is_declared(model)
    ]
    assert undeclared == []


def test_an_undeclared_model_is_found(monkeypatch):
    """The walk above fails for a model nobody declared."""
    monkeypatch.delitem(dependencies._declared, Correction)
    assert not dependencies.is_declared(Correction)
    assert dependencies.tags_for(Correction()) == set()


def version() -> str:
    freshness.forget_local_snapshot()
    return freshness.snapshot().version


@pytest.mark.django_db
def test_what_the_public_never_sees_moves_no_version():
    category = make_category()
    before = version()
    draft = Article.objects.create(
        title="Draft", slug="draft", summary="S", category=category, status="draft"
    )
    draft.title = "Draft, again"
    draft.save()
    draft.tags.add("quiet")
    scheduled = make_article(
        category=category, published_at=timezone.now() + timezone.timedelta(days=1)
    )
    scheduled.summary = "Still to come"
    scheduled.save()
    live = make_article(category=category)
    before = version()
    editor = get_user_model().objects.create_user("eddie")
    WorkingCopy.objects.create(
        article=live, editor=editor, data={}, base_version=1, saved_at=timezone.now()
    )
    PendingChange.objects.create(article=live, data={}, base_version=1, saved_at=timezone.now())
    assert version() == before


def count(tag: str) -> int:
    freshness.forget_local_snapshot()
    return freshness.snapshot().counts.get(tag, (0,))[0]


@pytest.mark.django_db
def test_what_the_public_sees_names_what_shows_it():
    live = make_article()
    page, row, card = f"article:{live.pk}", f"row:{live.pk}", f"card:{live.pk}"
    before = {tag: count(tag) for tag in (page, row, card, "list:all")}
    live.body = "<p>A typo fixed.</p>"
    live.save()
    assert count(page) == before[page] + 1 and count(row) == before[row] + 1
    assert count(card) == before[card] and count("list:all") == before["list:all"]
    live.title = "A better headline"
    live.save()
    assert count(card) == before[card] + 1 and count("list:all") == before["list:all"]
    Correction.objects.create(article=live, text="A date was wrong.")
    assert count(page) == before[page] + 3 and count("corrections") >= 1
    version = freshness.snapshot().version
    assert version == freshness.snapshot().version  # no change named everything


@pytest.mark.django_db
def test_article_tags_name_its_page_its_rows_and_the_lists_it_joins():
    category = make_category()
    live = make_article(category=category, tags=["ports"])
    live.refresh_from_db()  # as a save finds it: no state from before
    tags = dependencies.tags_for(live)
    assert {f"article:{live.pk}", f"row:{live.pk}", f"card:{live.pk}", "list:all"} <= tags
    assert {f"list:section:{category.pk}", "list:tag:ports", "menu"} <= tags
    assert dependencies.tags_for(make_article(status="draft", category=category)) == set()
