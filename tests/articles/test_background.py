"""Background work on Celery: image renditions and the search index leave the editor's request,
are sent only once the transaction commits, and a real worker does them (Redis as the broker)."""

import shutil
import subprocess
import time
from functools import partial

import pytest
from django.test import override_settings

from articles import tasks
from articles.models import Article
from tests.conftest import require_tool
from tests.factories import hero_upload, make_article, make_category
from tests.processes import (
    POSTGRES,
    REDIS,
    Server,
    answers,
    celery_worker,
    collect_static,
    empty_redis_database,
    postgres_database,
    seed_site,
    shell,
    site_environment,
    wait_until,
)

pytestmark = pytest.mark.django_db

with_a_broker = override_settings(CELERY_TASK_ALWAYS_EAGER=False)


@with_a_broker
def test_with_a_broker_nothing_is_sent_before_the_commit(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as sent_at_commit:
        article = make_article(hero_image=hero_upload(), hero_alt="A", category=make_category())
        assert article.hero_renditions == {}
    # The renditions, the search index and the publication's announcement, once it commits.
    sent = [callback for callback in sent_at_commit if isinstance(callback, partial)]
    names = sorted(callback.func.__self__.name for callback in sent)
    assert names == [
        "articles.tasks.announce",
        "articles.tasks.build_hero_renditions",
        "articles.tasks.refresh_search_vector",
    ]


@with_a_broker
def test_while_renditions_are_pending_pages_show_the_original_at_its_size(
    client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks():
        make_article(
            slug="pending",
            hero_image=hero_upload(size=(640, 360)),
            hero_alt="A harbour",
            category=make_category(),
        )
    html = client.get("/articles/pending/").content.decode()
    assert "<picture>" not in html
    assert 'alt="A harbour" width="640" height="360"' in html
    original = Article.objects.get(slug="pending").hero_image
    assert f'<img src="{original.url}"' in html
    assert client.get(original.url).status_code == 200  # never a broken image


def test_without_a_broker_the_work_is_done_in_the_save_as_before(client):
    article = make_article(
        slug="eager", hero_image=hero_upload(), hero_alt="A", category=make_category()
    )
    assert article.hero_renditions["source"] == article.hero_image.name
    assert "<picture>" in client.get("/articles/eager/").content.decode()


def test_a_task_for_an_image_replaced_since_does_nothing():
    article = make_article(hero_image=hero_upload(), hero_alt="A", category=make_category())
    assert tasks.build_hero_renditions(article.pk, "heroes/an-older-image.png") is None
    assert tasks.build_hero_renditions(10**9, article.hero_image.name) is None


# A real worker


STORY = """
from django.core.files.base import ContentFile
from django.utils import timezone
from articles.models import Article, Category
from tests.factories import hero_upload
article = Article(
    title="Cranes return to the harbour", slug="cranes", summary="S.",
    body="<p>Seventeen zqcranesword cranes.</p>", category=Category.objects.get(slug="markets"),
    status="published", published_at=timezone.now(), hero_alt="Cranes",
)
article.hero_image = hero_upload(size=(1600, 900))
article.save()
print(Article.objects.get(pk=article.pk).hero_renditions)
"""


RABBITMQ = ("127.0.0.1", 5672)


@pytest.mark.processes
@pytest.mark.parametrize("broker", ["redis", "rabbitmq"])
def test_a_real_worker_makes_renditions_and_the_search_index_after_the_commit(tmp_path, broker):
    require_tool(answers(POSTGRES) and answers(REDIS), "PostgreSQL and Redis on 127.0.0.1")
    if broker == "rabbitmq":
        require_tool(
            answers(RABBITMQ) and shutil.which("rabbitmqctl"),
            "RabbitMQ on 127.0.0.1:5672 (guest/guest) and rabbitmqctl",
        )
    static_root = tmp_path / "static"
    collect_static(static_root)
    with postgres_database() as database_url:
        env = site_environment(
            tmp_path, database_url, empty_redis_database(12), static_root=static_root
        )
        env["CELERY_BROKER_URL"] = (
            empty_redis_database(13)
            if broker == "redis"
            else f"amqp://guest:guest@127.0.0.1:5672/{tmp_path.name}"
        )
        if broker == "rabbitmq":
            # A virtual host of its own: nothing left in a queue by another run.
            subprocess.run(
                ["rabbitmqctl", "add_vhost", tmp_path.name], check=True, capture_output=True
            )
            subprocess.run(
                ["rabbitmqctl", "set_permissions", "-p", tmp_path.name, "guest", ".*", ".*", ".*"],
                check=True,
                capture_output=True,
            )
        seed_site(env)
        try:
            with (
                celery_worker(env, tmp_path / "worker.log"),
                Server(env, tmp_path, workers=1) as site,
            ):
                started = time.monotonic()
                # The editor's save returns before any rendition exists.
                assert shell(env, STORY).strip().splitlines()[-1] == "{}"
                saved = time.monotonic() - started
                page = site.get("/articles/cranes/").body
                # The original at its size until the worker is done (it may be done already).
                assert 'width="1600" height="900"' in page or "<picture>" in page
                made = wait_until(
                    lambda: "<picture>" in site.get("/articles/cranes/").body, timeout=30
                )
                found = wait_until(
                    lambda: "/articles/cranes/" in site.get("/search/?q=zqcranesword").body,
                    timeout=30,
                )
                print(
                    f"\nsave with a 1600x900 upload: {saved:.2f} s (process included); "
                    f"renditions on the page {made:.2f} s later, searchable {found:.2f} s later"
                )
                page = site.get("/articles/cranes/").body
                assert 'srcset="' in page and "1200w" in page
        finally:
            if broker == "rabbitmq":
                subprocess.run(["rabbitmqctl", "delete_vhost", tmp_path.name], capture_output=True)
        log = (tmp_path / "worker.log").read_text()
        assert "articles.tasks.build_hero_renditions" in log and "succeeded" in log, log[-3000:]
