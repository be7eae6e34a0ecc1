"""What an editor saves, every reader sees: real servers, real writers, real time.

Each test starts gunicorn (two workers, production settings) on 127.0.0.1 against a database of
its own, writes from another process, and reads every surface until the change shows, on every
worker. The delays are printed (run with -s to see them) and bounded by the promise: a change
committed anywhere shows everywhere within about a second (FRESHNESS_CHECK_SECONDS).
"""

import json
import subprocess
import sys
import threading
import time

import pytest

from tests.conftest import require_tool
from tests.processes import (
    POSTGRES,
    PYTHON,
    REDIS,
    ROOT,
    STAFF,
    Server,
    StaffSession,
    answers,
    collect_static,
    empty_redis_database,
    postgres_database,
    seed_site,
    shell,
    site_environment,
    wait_until,
)

pytestmark = pytest.mark.processes


@pytest.fixture(scope="module")
def static_root(tmp_path_factory):
    root = tmp_path_factory.mktemp("static")
    collect_static(root)
    return root


# The promise is about a second; the margin covers a busy 2-core machine serving the polls.
PROMISE_SECONDS = 2.0


def require_postgres_and_redis():
    require_tool(answers(POSTGRES) and answers(REDIS), "PostgreSQL and Redis on 127.0.0.1")


def poll(server: Server, checks: dict, *, seconds: float, threads: int = 2) -> dict:
    """Ask every surface from `threads` clients at once (so every worker answers) for
    `seconds`; for each surface, the time of its last answer that did not reflect the change."""
    last_stale = dict.fromkeys(checks)
    answers_seen = dict.fromkeys(checks, 0)
    lock = threading.Lock()
    deadline = time.time() + seconds

    def reader():
        while time.time() < deadline:
            for name, (path, headers, reflects) in checks.items():
                started = time.time()
                ok = reflects(server.get(path, headers))
                with lock:
                    answers_seen[name] += 1
                    if not ok:
                        last_stale[name] = max(last_stale[name] or 0, started)

    workers = [threading.Thread(target=reader) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert all(answers_seen.values())
    return last_stale


def delays_since(moment: float, last_stale: dict) -> dict:
    return {name: max(0.0, (stale or moment) - moment) for name, stale in last_stale.items()}


def contains(text):
    return lambda response: response.status == 200 and text in response.body


def category_count(count):
    def check(response):
        if response.status != 200:
            return False
        counts = {c["slug"]: c["article_count"] for c in json.loads(response.body)}
        return counts.get("markets") == count

    return check


def warm(server: Server, checks: dict) -> None:
    for _ in range(6):
        poll(server, checks, seconds=0.01)


WRITE_FROM_MANAGE_PY = """
import time
from django.utils import timezone
from articles.models import Article, Category
second = Article.objects.create(
    title="The second story", slug="second-story", summary="A summary.", body="<p>Body.</p>",
    category=Category.objects.get(slug="markets"), status="published", published_at=timezone.now(),
)
second.tags.add("breaking-tag")
first = Article.objects.get(slug="first-story")
first.slug = "first-story-renamed"
first.save()
print(time.time())
"""


def test_two_workers_on_the_default_settings_follow_a_write_from_manage_py(tmp_path, static_root):
    """The README's set-up (SQLite file, local-memory cache) under `gunicorn -w 2`."""
    env = site_environment(
        tmp_path, f"sqlite:///{tmp_path / 'site.sqlite3'}", static_root=static_root
    )
    key = seed_site(env)
    api = {"Authorization": f"Api-Key {key}"}
    checks = {
        "home": ("/", {}, contains("/articles/second-story/")),
        "feed": ("/feed/", {}, contains("/articles/second-story/")),
        "news sitemap": ("/news-sitemap.xml", {}, contains("/articles/second-story/")),
        "API category filter": (
            "/api/v1/articles/?category=markets",
            api,
            contains("second-story"),
        ),
        "API category counts": ("/api/v1/categories/", api, category_count(2)),
        "API tags": ("/api/v1/tags/", api, contains('"breaking-tag"')),
        "old slug redirects": ("/articles/first-story/", {}, lambda r: r.status == 301),
    }
    with Server(env, tmp_path, workers=2) as server:
        warm(server, checks)
        assert all(poll(server, checks, seconds=0.3).values())  # every surface still old
        assert len(server.workers_that_answered("/")) == 2

        committed_at = float(shell(env, WRITE_FROM_MANAGE_PY).split()[-1])
        delays = delays_since(committed_at, poll(server, checks, seconds=4))
        print("\nmanage.py write, 2 workers (SQLite, local memory): delays", delays)
        assert max(delays.values()) <= PROMISE_SECONDS, delays
        assert not any(poll(server, checks, seconds=0.5).values())

        # Validators are the same whichever worker answers.
        listing = [server.get("/api/v1/articles/", api) for _ in range(12)]
        assert len({(r.headers["ETag"], r.headers["Last-Modified"]) for r in listing}) == 1
        revalidated = [
            server.get("/api/v1/articles/", {**api, "If-None-Match": listing[0].headers["ETag"]})
            for _ in range(12)
        ]
        assert {r.status for r in revalidated} == {304}
        pages = [server.get("/") for _ in range(12)]
        assert len({r.headers["Last-Modified"] for r in pages}) == 1
        assert len(server.workers_that_answered("/api/v1/articles/")) == 2


WRITE_IN_AN_OPEN_TRANSACTION = """
import time
from django.db import transaction
from articles.models import Article
with transaction.atomic():
    article = Article.objects.get(slug="first-story")
    article.title = "The corrected headline"
    article.save()
    print("saved", time.time(), flush=True)
    time.sleep(3)
print("committed", time.time(), flush=True)
"""


def test_readers_during_an_open_transaction_never_pin_the_old_page(tmp_path, static_root):
    """PostgreSQL + Redis: readers arrive while a save is uncommitted; once it commits, every
    reader gets the new headline within the promise, and keeps getting it."""
    require_postgres_and_redis()
    with postgres_database() as database_url:
        env = site_environment(
            tmp_path, database_url, empty_redis_database(13), static_root=static_root
        )
        seed_site(env)
        checks = {
            "article page": ("/articles/first-story/", {}, contains("The corrected headline")),
            "home": ("/", {}, contains("The corrected headline")),
        }
        with Server(env, tmp_path, workers=2) as server:
            warm(server, checks)
            writer = subprocess.Popen(
                [str(PYTHON), "manage.py", "shell", "-v", "0", "-c", WRITE_IN_AN_OPEN_TRANSACTION],
                cwd=ROOT,
                env=env,
                stdout=subprocess.PIPE,
                text=True,
            )
            try:
                saved_at = float(writer.stdout.readline().split()[1])
                # Readers during the open transaction see the old headline (and cache it).
                during = poll(server, checks, seconds=2.0)
                assert all(during.values())
                committed_at = float(writer.stdout.readline().split()[1])
                assert committed_at - saved_at >= 3
                delays = delays_since(committed_at, poll(server, checks, seconds=4))
            finally:
                writer.wait(timeout=30)
            print("\nwrite in an open transaction (PostgreSQL, Redis): delays", delays)
            assert max(delays.values()) <= PROMISE_SECONDS, delays
            time.sleep(1)
            assert not any(poll(server, checks, seconds=1).values())
        # A restart reads the shared cache again: nothing old was stored under the new version.
        with Server(env, tmp_path, workers=2) as restarted:
            assert not any(poll(restarted, checks, seconds=1).values())


def test_a_publish_in_the_admin_of_one_node_shows_on_the_other(tmp_path, static_root):
    """Two app servers on two ports share PostgreSQL and Redis; an editor publishes a draft
    through node A's admin (its whole save: transaction, revision, inlines, tags)."""
    require_postgres_and_redis()
    with postgres_database() as database_url:
        env = site_environment(
            tmp_path, database_url, empty_redis_database(14), static_root=static_root
        )
        key = seed_site(env)
        draft_id = int(shell(env, DRAFT_ID).split()[-1])
        api = {"Authorization": f"Api-Key {key}"}
        checks = {
            "article page": ("/articles/waiting-draft/", {}, lambda r: r.status == 200),
            "home": ("/", {}, contains("/articles/waiting-draft/")),
            "feed": ("/feed/", {}, contains("/articles/waiting-draft/")),
            "API list": ("/api/v1/articles/", api, contains("waiting-draft")),
        }
        with Server(env, tmp_path) as node_a, Server(env, tmp_path) as node_b:
            warm(node_b, checks)
            editor = StaffSession(node_a.port)
            editor.sign_in(*STAFF)
            published = editor.submit(
                f"/admin/articles/article/{draft_id}/change/",
                {"tags": "economy, desk-tag"},
                button="_publish_now",
            )
            assert published.status == 302, published.body[-2000:]
            published_at = time.time()
            delays = delays_since(published_at, poll(node_b, checks, seconds=4))
            print("\nadmin publish on node A, seen on node B: delays", delays)
            assert max(delays.values()) <= PROMISE_SECONDS, delays
            assert node_b.get("/tags/desk-tag/").status == 200


def test_a_draft_saved_on_one_node_leaves_the_other_nodes_cache_alone(tmp_path, static_root):
    """A writer saves a draft through node A's admin, again and again: node B keeps serving its
    cached pages (X-Cache: hit), never rebuilding one, on every worker."""
    require_postgres_and_redis()
    with postgres_database() as database_url:
        env = site_environment(
            tmp_path, database_url, empty_redis_database(13), static_root=static_root
        )
        seed_site(env)
        draft_id = int(shell(env, DRAFT_ID).split()[-1])
        pages = ["/", "/articles/first-story/", "/categories/markets/", "/feed/"]
        with Server(env, tmp_path) as node_a, Server(env, tmp_path) as node_b:
            for _ in range(6):  # both workers have each page from the shared cache
                for page in pages:
                    node_b.get(page)
            writer = StaffSession(node_a.port)
            writer.sign_in(*STAFF)
            rebuilt = []
            for words in ["First words.", "More words.", "The last words."]:
                saved = writer.submit(
                    f"/admin/articles/article/{draft_id}/change/",
                    {"body": f"<p>{words}</p>", "tags": "economy, new-tag"},
                    button="_continue",
                )
                assert saved.status == 302, saved.body[-2000:]
                deadline = time.time() + 1.5  # longer than a freshness check
                while time.time() < deadline:
                    for page in pages:
                        answer = node_b.get(page)
                        assert answer.status == 200
                        if answer.headers.get("X-Cache") != "hit":
                            rebuilt.append(page)
            assert rebuilt == []
            assert "new-tag" not in node_b.get("/").body


DRAFT_ID = """
from articles.models import Article
print(Article.objects.get(slug="waiting-draft").pk)
"""


def test_content_changed_command_makes_caches_follow_a_write_outside_the_app(tmp_path, static_root):
    """A manual fix through QuerySet.update() sends no signal; the command announces it."""
    env = site_environment(
        tmp_path, f"sqlite:///{tmp_path / 'site.sqlite3'}", static_root=static_root
    )
    seed_site(env)
    checks = {"article page": ("/articles/first-story/", {}, contains("Fixed by hand"))}
    with Server(env, tmp_path, workers=2) as server:
        warm(server, checks)
        shell(env, FIX_BY_HAND)
        time.sleep(1.5)
        assert all(poll(server, checks, seconds=0.3).values())  # still the cached page
        output = subprocess.run(
            [sys.executable, "manage.py", "content_changed"],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
            check=True,
        ).stdout
        announced_at = time.time()
        assert "Content generation" in output
        wait_until(
            lambda: checks["article page"][2](server.get("/articles/first-story/")), timeout=5
        )
        delays = delays_since(announced_at, poll(server, checks, seconds=2))
        assert max(delays.values()) <= PROMISE_SECONDS, delays


FIX_BY_HAND = """
from articles.models import Article
Article.objects.filter(slug="first-story").update(title="Fixed by hand")
"""
