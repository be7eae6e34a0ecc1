"""Media on object storage: uploads and renditions go to an S3-compatible server (moto's server
mode on 127.0.0.1, a real HTTP server speaking the S3 protocol), pages and the API point at it,
and an unreachable store fails an upload clearly with nothing half-written."""

import json
import os
import socket
import subprocess
import sys
import urllib.error
import urllib.request
import uuid
from datetime import timedelta

import pytest
import time_machine
from django.contrib.messages import get_messages
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.utils import timezone

from articles.models import Article
from tests.factories import hero_upload, inline_management, make_article, make_category

pytestmark = pytest.mark.django_db


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="session")
def s3_server():
    """moto's S3-compatible server on 127.0.0.1, for this test session."""
    from moto.server import ThreadedMotoServer

    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    yield f"http://127.0.0.1:{port}"
    server.stop()


def s3_options(endpoint: str, bucket: str) -> dict:
    import botocore.config

    return {
        "bucket_name": bucket,
        "endpoint_url": endpoint,
        "access_key": "newsroom-test",
        "secret_key": "newsroom-test-secret",
        "region_name": "us-east-1",
        "url_protocol": "http:",
        "file_overwrite": False,
        "addressing_style": "path",
        "client_config": botocore.config.Config(
            connect_timeout=1, read_timeout=5, retries={"max_attempts": 1}
        ),
    }


def use_storage(settings, options: dict) -> None:
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "newsroom.storage.GatedS3Storage", "OPTIONS": options},
    }


@pytest.fixture
def bucket(s3_server, settings):
    import boto3

    name = f"newsroom-{uuid.uuid4().hex[:12]}"
    client = boto3.client(
        "s3",
        endpoint_url=s3_server,
        aws_access_key_id="newsroom-test",
        aws_secret_access_key="newsroom-test-secret",
        region_name="us-east-1",
    )
    client.create_bucket(Bucket=name)
    use_storage(settings, s3_options(s3_server, name))

    def keys() -> list[str]:
        listed = client.list_objects_v2(Bucket=name)
        return sorted(item["Key"] for item in listed.get("Contents", []))

    return {"name": name, "url": f"{s3_server}/{name}/", "keys": keys}


def fetch(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as refused:
        return refused.code, b""


def test_uploads_and_renditions_go_to_the_bucket_and_every_surface_points_at_the_gate(
    bucket, client, api_client
):
    article = make_article(
        slug="pictured", hero_image=hero_upload(), hero_alt="A harbour", category=make_category()
    )
    stored = bucket["keys"]()
    assert article.hero_image.name in stored
    assert sum(key.startswith("renditions/") for key in stored) >= 2
    assert not default_storage.exists("heroes/never-there.jpg")

    page = client.get("/articles/pictured/").content.decode()
    assert 'src="/media/renditions/' in page and bucket["url"] not in page
    item = api_client.get("/api/v1/articles/pictured/").json()
    assert item["hero_image"]["url"].startswith("http://testserver/media/renditions/")
    feed = client.get("/feed/").content.decode()
    assert 'url="http://testserver/media/renditions/' in feed and "<enclosure " in feed
    # The gate sends readers to a signed address in the bucket, which serves the image; the
    # object itself is private: its plain address is refused.
    gate = client.get(item["hero_image"]["url"].removeprefix("http://testserver"))
    assert gate.status_code == 302 and gate["Location"].startswith(bucket["url"] + "renditions/")
    assert "public" in gate["Cache-Control"]
    status, body = fetch(gate["Location"])
    assert status == 200 and body[:3] == b"\xff\xd8\xff"  # a JPEG rendition
    assert fetch(gate["Location"].split("?")[0])[0] == 403
    # Every reader is sent to the same signed address while it is fresh: one copy in caches.
    assert client.get(gate.wsgi_request.path)["Location"] == gate["Location"]


def test_an_embargoed_articles_files_stay_in_the_private_bucket(bucket, staff_client):
    from django.test import Client

    client = Client()
    later = timezone.now() + timedelta(hours=2)
    article = make_article(
        slug="not-yet",
        hero_image=hero_upload(),
        hero_alt="A harbour",
        category=make_category(),
        published_at=later,
    )
    names = [article.hero_image.name, *(key for key in bucket["keys"]() if "renditions/" in key)]
    for name in names:
        hidden = client.get(f"/media/{name}")
        assert hidden.status_code == 404 and "no-store" in hidden["Cache-Control"]
        assert fetch(f"{bucket['url']}{name}")[0] == 403  # the bucket's own address: refused
        # Staff previewing it get a private, short-lived address.
        shown = staff_client.get(f"/media/{name}")
        assert shown.status_code == 302 and "no-store" in shown["Cache-Control"]
        assert fetch(shown["Location"])[0] == 200
    with time_machine.travel(later + timedelta(seconds=1)):
        assert client.get(f"/media/{names[0]}").status_code == 302


def test_upload_validation_is_unchanged_and_a_refused_file_is_never_stored(bucket, staff_client):
    category = make_category()
    image = hero_upload().read()
    polyglot = SimpleUploadedFile("trick.png", image + b"<script>alert(1)</script>", "image/png")
    response = staff_client.post(
        "/admin/articles/article/add/",
        {
            "title": "Polyglot",
            "slug": "polyglot",
            "summary": "S",
            "body": "<p>B</p>",
            "category": category.pk,
            "hero_image": polyglot,
            "hero_alt": "x",
            **inline_management(),
        },
    )
    assert response.status_code == 200 and "hero_image" in response.context["adminform"].form.errors
    assert bucket["keys"]() == [] and not Article.objects.exists()


def test_an_unreachable_store_fails_the_upload_clearly_with_nothing_written(settings, staff_client):
    use_storage(settings, s3_options(f"http://127.0.0.1:{free_port()}", "gone"))
    category = make_category()
    response = staff_client.post(
        "/admin/articles/article/add/",
        {
            "title": "Unlucky",
            "slug": "unlucky",
            "summary": "S",
            "body": "<p>B</p>",
            "category": category.pk,
            "hero_image": hero_upload(),
            "hero_alt": "x",
            **inline_management(),
        },
    )
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors["hero_image"]
    assert "image store can't be reached" in errors[0]
    assert not Article.objects.exists()


def test_a_write_failing_after_the_check_rolls_everything_back(settings, staff_client, monkeypatch):
    from articles.admin import forms as article_admin
    from tests.articles.test_editorial import form_data

    article = make_article(slug="kept", category=make_category())
    version = article.version
    # The store answers the form's check, then is gone when the file is written.
    monkeypatch.setattr(article_admin, "media_storage_reachable", lambda: True)
    use_storage(settings, s3_options(f"http://127.0.0.1:{free_port()}", "gone"))
    response = staff_client.post(
        f"/admin/articles/article/{article.pk}/change/",
        form_data(article, hero_image=hero_upload(), hero_alt="x", title="Changed"),
    )
    assert response.status_code == 302
    messages = [str(m) for m in get_messages(response.wsgi_request)]
    assert any("image store can't be reached" in m for m in messages)
    article.refresh_from_db()
    assert article.title != "Changed" and article.version == version and not article.hero_image


def test_export_and_import_work_with_object_storage(bucket, tmp_path, client):
    article = make_article(
        slug="backed-up", hero_image=hero_upload(), hero_alt="A", category=make_category()
    )
    name = article.hero_image.name
    call_command("export_content", output=str(tmp_path / "backup.json"))
    exported = json.loads((tmp_path / "backup.json").read_text())
    assert exported["articles"][0]["hero_image"] == name
    from tests.articles.test_backup import wipe_content

    wipe_content()
    call_command("import_content", str(tmp_path / "backup.json"))
    restored = Article.objects.get(slug="backed-up")
    assert restored.hero_image.url == f"/media/{name}" and default_storage.exists(name)
    assert client.get(f"/media/{name}").status_code == 302


def deployment_settings(**environment) -> tuple[str, list, bool]:
    """(default storage backend, CSP img-src, SERVE_MEDIA) under these environment variables,
    read in a fresh interpreter as a deployment would."""
    script = (
        "import django, json; django.setup(); from django.conf import settings as s;"
        "print(json.dumps([s.STORAGES['default']['BACKEND'],"
        " s.CONTENT_SECURITY_POLICY['DIRECTIVES']['img-src'], s.SERVE_MEDIA]))"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "newsroom.settings", **environment}
    env = {key: value for key, value in env.items() if value is not None}
    output = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True
    ).stdout
    return tuple(json.loads(output.strip().splitlines()[-1]))


def test_production_settings_point_at_the_bucket_and_allow_its_images():
    backend, img_src, serve_media = deployment_settings(
        AWS_STORAGE_BUCKET_NAME="news-media", AWS_S3_CUSTOM_DOMAIN="cdn.example.com"
    )
    assert backend == "newsroom.storage.GatedS3Storage"
    assert "https://cdn.example.com" in img_src and serve_media is True  # the gate
    backend, img_src, _ = deployment_settings(AWS_STORAGE_BUCKET_NAME=None)
    assert backend == "django.core.files.storage.FileSystemStorage"
    assert img_src == ["'self'", "data:"]
