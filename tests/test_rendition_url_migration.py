"""Migration articles.0021: rendition addresses stored when the bucket was public point at the
media gate afterwards; addresses already there are left alone."""

import importlib

import pytest
from django.apps import apps

from articles.models import Article
from tests.factories import make_article, make_category

pytestmark = pytest.mark.django_db

migration = importlib.import_module("articles.migrations.0021_rendition_urls_through_the_gate")


def test_bucket_addresses_of_renditions_move_behind_the_gate():
    bucket = "https://news-media.s3.amazonaws.com/renditions/0123456789abcdef/hero-640.jpeg"
    gated = "/media/renditions/fedcba9876543210/hero-640.jpeg"
    old = make_article(category=make_category())
    current = make_article(category=old.category)
    Article.objects.filter(pk=old.pk).update(
        hero_renditions={"formats": {"jpeg": [[640, 360, bucket, 1000]]}}
    )
    Article.objects.filter(pk=current.pk).update(
        hero_renditions={"formats": {"jpeg": [[640, 360, gated, 1000]]}}
    )
    migration.through_the_gate(apps, None)
    old.refresh_from_db()
    current.refresh_from_db()
    assert old.hero_renditions["formats"]["jpeg"][0][2] == (
        "/media/renditions/0123456789abcdef/hero-640.jpeg"
    )
    assert current.hero_renditions["formats"]["jpeg"][0][2] == gated
