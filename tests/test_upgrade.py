"""An upgrade loses nothing: a database made by the release before the apps were split by area
(models moved from `articles` to `partners` and `caching`, tables kept) migrates to this code with
every row, file, relation and permission intact.

The previous release's code comes from this repository's history (git archive); it runs in the
same virtual environment, against a SQLite file and a media folder of the test's own.
"""

import importlib
import json
import subprocess
import tarfile
from pathlib import Path

import pytest

from tests.processes import ROOT, manage, shell, site_environment

pytestmark = pytest.mark.processes

# The last commit of the one-app layout.
PREVIOUS_RELEASE = "00f4cc7ad3c1d96ec12324defe26581e7acfe2f1"

# Made with the previous release's code: its demo content (corrections, live coverage, an
# embargoed article, history), and what partners leave behind.
FILL_OLD_DATABASE = """
from datetime import timedelta
from django.contrib.auth import get_user_model
from django.utils import timezone
from articles.models import (
    Article, Correction, EmbargoFetch, PartnerKey, PublicationAnnouncement, WebhookDelivery,
    WebhookEndpoint,
)
key, secret = PartnerKey.objects.create_key(name="wire", can_see_embargoed=True)
endpoint = WebhookEndpoint.objects.create(key=key, url="https://hooks.example.com/n", events=["published"])
article = Article.objects.live().first()
WebhookDelivery.objects.create(
    endpoint=endpoint, event="published", article_id=article.pk, payload={"id": "x"}, attempts=2,
)
PublicationAnnouncement.objects.create(article_id=article.pk, went_live_at=article.published_at)
embargoed = Article.objects.embargoed().first()
EmbargoFetch.objects.create(article=embargoed, key=key)
note = Correction.objects.first()
note.text = note.text + " (edited)"
note.save()  # a second history row
get_user_model().objects.create_user("writer", "w@example.com", "pw").groups.add(
    __import__("django.contrib.auth.models", fromlist=["Group"]).Group.objects.get(name="Writers")
)
print(secret)
"""

# What a database holds, read by table name so that both releases count the same rows.
INVENTORY = """
import json
from django.apps import apps
from django.contrib.auth.models import Group
from django.db import connection
tables = sorted(connection.introspection.table_names())
with connection.cursor() as cursor:
    counts = {}
    for table in tables:
        cursor.execute(f'SELECT COUNT(*) FROM "{table}"')
        counts[table] = cursor.fetchone()[0]
Article = apps.get_model("articles", "Article")
files = sorted(
    name
    for article in Article.objects.exclude(hero_image="")
    for name in [article.hero_image.name, *(r[2] for f in article.hero_renditions.get("formats", {}).values() for r in f)]
)
print(json.dumps({
    "counts": counts,
    "files": files,
    "roles": {
        group.name: sorted(f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.all())
        for group in Group.objects.all()
    },
}))
"""

AFTER_UPGRADE = """
import json
from django.contrib.contenttypes.models import ContentType
from django.core.files.storage import default_storage
from articles.models import Article
from partners.models import EmbargoFetch, PartnerKey, WebhookDelivery, WebhookEndpoint
key = PartnerKey.objects.get_from_key(SECRET)
endpoint = WebhookEndpoint.objects.get()
delivery = WebhookDelivery.objects.get()
fetch = EmbargoFetch.objects.get()
print(json.dumps({
    "key_works": PartnerKey.objects.find(SECRET) == key and key.can_see_embargoed,
    "endpoint_of_key": endpoint.key_id == key.pk,
    "delivery_of_endpoint": delivery.endpoint_id == endpoint.pk and delivery.attempts == 2,
    "fetch_relations": fetch.key_id == key.pk and fetch.article.is_under_embargo,
    "stale_content_types": sorted(
        ContentType.objects.filter(app_label="articles", model__in=[
            "partnerkey", "webhookendpoint", "webhookdelivery", "publicationannouncement",
            "embargofetch", "contentgeneration",
        ]).values_list("model", flat=True)
    ),
    "files_exist": all(
        default_storage.exists(a.hero_image.name) for a in Article.objects.exclude(hero_image="")
    ),
}))
"""


def run(python_code: str, *, cwd: Path, env: dict) -> str:
    """The last line a manage.py shell of the code at `cwd` printed."""
    return shell(env, python_code, timeout=300, cwd=cwd).strip().splitlines()[-1]


def previous_release(into: Path) -> Path:
    archive = subprocess.run(
        ["git", "-C", str(ROOT), "archive", "--format=tar", PREVIOUS_RELEASE],
        capture_output=True,
        timeout=120,
    )
    assert archive.returncode == 0, (
        f"the previous release ({PREVIOUS_RELEASE}) is not in this clone's history: "
        + archive.stderr.decode()
    )
    (into / "release.tar").write_bytes(archive.stdout)
    with tarfile.open(into / "release.tar") as tar:
        tar.extractall(into / "previous", filter="data")
    return into / "previous"


def test_an_upgrade_keeps_every_row_file_relation_and_permission(tmp_path):
    old_code = previous_release(tmp_path)
    env = site_environment(
        tmp_path, f"sqlite:///{tmp_path / 'site.sqlite3'}", static_root=tmp_path / "static"
    )
    manage(env, "migrate", "--noinput", "-v0", cwd=old_code, timeout=300)
    manage(env, "demo_content", "-v0", cwd=old_code, timeout=300)
    secret = run(FILL_OLD_DATABASE, cwd=old_code, env=env)
    before = json.loads(run(INVENTORY, cwd=old_code, env=env))

    manage(env, "migrate", "--noinput", "-v0", timeout=300)
    after = json.loads(run(INVENTORY, cwd=ROOT, env=env))
    checks = json.loads(run(f"SECRET = {secret!r}\n{AFTER_UPGRADE}", cwd=ROOT, env=env))

    # Every table is still there with every row. Since that release: the cache's tag counts and
    # editors' working copies (both empty), their content types and permissions; the migrations
    # table gains the rows of the migrations since.
    # Editors' group gains the newsletter's permissions.
    grown = {
        "django_migrations",
        "django_content_type",
        "auth_permission",
        "auth_group_permissions",
    }
    assert {
        t: n for t, n in after["counts"].items() if t in before["counts"] and t not in grown
    } == {t: n for t, n in before["counts"].items() if t not in grown}
    assert all(after["counts"][t] >= before["counts"][t] for t in grown)
    assert set(after["counts"]) - set(before["counts"]) == {
        "caching_tagcount",
        "articles_workingcopy",
        "articles_pendingchange",
        "articles_editorialnote",
        "newsletters_subscriber",
        "newsletters_unsubscribed",
        "newsletters_edition",
        "newsletters_delivery",
        "newsletters_subscriberevent",
        "readership_readcount",
        "readership_foldedminute",
    }
    for table in [
        "articles_article",
        "articles_historicalarticle",
        "articles_correction",
        "articles_historicalcorrection",
        "articles_liveentry",
        "articles_partnerkey",
        "articles_webhookendpoint",
        "articles_webhookdelivery",
        "articles_publicationannouncement",
        "articles_embargofetch",
        "articles_contentgeneration",
    ]:
        assert after["counts"][table] > 0, table
    print("\nrows kept:", {t: n for t, n in before["counts"].items() if n and t not in grown})
    assert after["files"] == before["files"] and after["files"]
    # The roles keep their permissions: the moved models' content types moved with them; Editors
    # gain the newsletter's and the read counts' (the migrations below).
    renamed = {"articles.view_embargofetch": "partners.view_embargofetch"}
    gained = {"Editors": []}
    for app_label, migration in [
        ("newsletters", "0002_editors_roles"),
        ("newsletters", "0004_editors_see_the_audit_log"),
        ("readership", "0002_editors_see_reads"),
    ]:
        granted = importlib.import_module(f"{app_label}.migrations.{migration}")
        gained["Editors"] += [f"{app_label}.{codename}" for codename in granted.EDITOR_PERMISSIONS]
    assert after["roles"] == {
        group: sorted([*(renamed.get(p, p) for p in permissions), *gained.get(group, [])])
        for group, permissions in before["roles"].items()
    }
    assert checks == {
        "key_works": True,
        "endpoint_of_key": True,
        "delivery_of_endpoint": True,
        "fetch_relations": True,
        "stale_content_types": [],
        "files_exist": True,
    }
