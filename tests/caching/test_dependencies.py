"""What each model's change makes stale is declared by the app that owns it: a new model cannot
be forgotten, and a change the public never sees makes nothing stale."""

import pytest
from django.apps import apps
from django.utils import timezone

from articles.models import Article, Correction
from caching import dependencies, freshness
from tests.factories import make_article, make_category

# Our apps, and the library whose model a public surface shows (taggit's tags).
APPS_WITH_MODELS = ["articles", "partners", "caching", "public", "taggit"]


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
    assert version() == before


@pytest.mark.django_db
def test_what_the_public_sees_moves_the_version():
    live = make_article()
    before = version()
    live.title = "A typo fixed"
    live.save()
    after_edit = version()
    assert after_edit != before
    Correction.objects.create(article=live, text="A date was wrong.")
    assert version() != after_edit


@pytest.mark.django_db
def test_article_tags_name_its_page_its_section_and_the_lists():
    live = make_article()
    assert dependencies.tags_for(live) == {
        f"article:{live.pk}",
        f"section:{live.category_id}",
        "lists",
    }
    assert dependencies.tags_for(make_article(status="draft")) == set()
