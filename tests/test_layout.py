"""Apps by area (docs/design.md): imports point one way, and models that moved kept their tables."""

import subprocess

from django.apps import apps

from tests.processes import PYTHON, ROOT


def test_imports_point_one_way():
    """The import-linter contract of pyproject.toml: newsroom → public | partners → articles →
    caching, and the reader site and partners never import each other."""
    result = subprocess.run(
        [str(PYTHON.with_name("lint-imports"))], cwd=ROOT, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout[-3000:]
    assert "0 broken" in result.stdout


def test_moved_models_keep_their_tables():
    tables = {
        model._meta.label: model._meta.db_table
        for label in ["partners", "caching"]
        for model in apps.get_app_config(label).get_models()
    }
    assert tables == {
        "partners.PartnerKey": "articles_partnerkey",
        "partners.WebhookEndpoint": "articles_webhookendpoint",
        "partners.WebhookDelivery": "articles_webhookdelivery",
        "partners.PublicationAnnouncement": "articles_publicationannouncement",
        "partners.EmbargoFetch": "articles_embargofetch",
        "caching.ContentGeneration": "articles_contentgeneration",
        "caching.TagCount": "caching_tagcount",  # new with this layout
    }


def test_the_reader_site_has_no_models():
    assert list(apps.get_app_config("public").get_models()) == []
