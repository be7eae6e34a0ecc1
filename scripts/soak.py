"""Soak: the production server under a steady mix of traffic while an editor publishes.

Runs gunicorn (2 sync workers, DEBUG off) on 127.0.0.1 with PostgreSQL and Redis, drives it with
wrk at a fixed rate over a shuffled mix of pages, searches and API calls for a fixed time, and
meanwhile publishes and unpublishes an article every few seconds through the editorial services,
timing how long each change takes to show to readers. Reports requests, status counts, p50/p99
latency, worker memory over time and every publish's visibility delay.

    scripts/soak [--seconds 300] [--rate 300] [--articles 2000] [--editor-every 3] [--markdown FILE]
"""

import argparse
import json
import os
import random
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import bench

sys.path.insert(0, str(bench.ROOT))
from tests.processes import StaffSession  # noqa: E402  (the repository root, just added)

PORT = 8766
BASE = f"http://127.0.0.1:{PORT}"
CONNECTIONS = 8
# What Newsroom promises: an editor's change shows at the origin within this many seconds
# (each worker re-reads the content-change marker at least once a second).
VISIBILITY_PROMISE_SECONDS = 2.0
EDITOR_PASSWORD = "soak-editor-password-not-for-production"
SEARCH_TERMS = ["ledger", "rates", "harbour", "council", "energy", "zzznothing", "water supply"]

LUA = """
local paths = %(paths)s
local key = %(key)s
local threads = {}
local pause = %(pause)d

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  counts = {}
  position = math.random(1, #paths)
end

function delay()
  return pause
end

function request()
  position = (position %% #paths) + 1
  local path = paths[position]
  if string.sub(path, 1, 5) == "/api/" then
    return wrk.format("GET", path, {["Authorization"] = "Api-Key " .. key})
  end
  return wrk.format("GET", path)
end

function response(status, headers, body)
  counts[status] = (counts[status] or 0) + 1
end

function done(summary, latency, requests)
  local total = {}
  for _, thread in ipairs(threads) do
    for status, count in pairs(thread:get("counts")) do
      total[status] = (total[status] or 0) + count
    end
  end
  for status, count in pairs(total) do
    io.write(string.format("status %%d %%d\\n", status, count))
  end
end
"""


def lua_list(items) -> str:
    return "{" + ", ".join(json.dumps(item) for item in items) + "}"


def site_facts(env) -> dict:
    script = """
import json
from django.contrib.auth import get_user_model
from articles.models import Article, Category
from partners.models import PartnerKey
from articles.querysets import live_tags
live = list(Article.objects.live().values_list("slug", flat=True)[:300])
pool = []
for n in range(40):
    article, _ = Article.objects.update_or_create(
        slug=f"soak-edit-{n}",
        defaults=dict(title=f"Soak desk piece {n}", summary="Written during the soak.",
                      body="<p>Soak.</p>", category=Category.objects.first(),
                      status=Article.Status.DRAFT),
    )
    pool.append([article.slug, article.pk])
get_user_model().objects.filter(username="soak-editor").delete()
get_user_model().objects.create_superuser("soak-editor", "soak@example.com", "%(password)s")
PartnerKey.objects.filter(name="soak").delete()
_, key = PartnerKey.objects.create_key(name="soak", requests_per_minute=10_000_000)
print(json.dumps({
    "live": live, "pool": pool, "key": key,
    "categories": list(Category.objects.public().values_list("slug", flat=True)),
    "tags": [tag.slug for tag in live_tags()[:30]],
}))
"""
    script %= {"password": EDITOR_PASSWORD}
    return json.loads(bench.manage(env, "shell", "-c", script).strip().splitlines()[-1])


def traffic_mix(facts: dict, size: int = 2000) -> list[str]:
    """60 % pages, 15 % search, 25 % API, shuffled."""
    rng = random.Random(7)
    live, categories, tags = facts["live"], facts["categories"], facts["tags"]
    makers = [
        (15, lambda: "/"),
        (30, lambda: f"/articles/{rng.choice(live)}/"),
        (10, lambda: f"/categories/{rng.choice(categories)}/?page={rng.randint(1, 5)}"),
        (5, lambda: f"/tags/{rng.choice(tags)}/"),
        (15, lambda: f"/search/?q={rng.choice(SEARCH_TERMS).replace(' ', '+')}"),
        (10, lambda: f"/api/v1/articles/?page_size={rng.choice([10, 20, 50])}"),
        (5, lambda: f"/api/v1/articles/{rng.choice(live)}/?include=body"),
        (5, lambda: f"/api/v1/articles/?category={rng.choice(categories)}"),
        (5, lambda: "/api/v1/changes/?since=2026-01-01T00:00:00Z"),
    ]
    paths = []
    for weight, make in makers:
        paths += [make() for _ in range(size * weight // 100)]
    rng.shuffle(paths)
    return paths


def fetch(path: str, key: str | None = None) -> tuple[int, str]:
    request = urllib.request.Request(BASE + path)
    if key:
        request.add_header("Authorization", f"Api-Key {key}")
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status, response.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as error:
        return error.code, ""


def surfaces(slug: str, key: str, *, live: bool) -> dict:
    """What a reader (or a partner) sees of `slug` on each surface: True once it reflects the
    change (published: there; unpublished: gone)."""
    address = f"/articles/{slug}/"

    def on_page(status, body):
        return (status == 200) == live

    def listed(status, body):
        return status == 200 and (address in body) == live

    def in_api(status, body):
        return status == 200 and (f'"slug":"{slug}"' in body) == live

    return {
        "article page": (address, None, on_page),
        "home": ("/", None, listed),
        "feed": ("/feed/", None, listed),
        "API": ("/api/v1/articles/", key, in_api),
    }


class Editor(threading.Thread):
    """Publishes one article through the admin's own save path (sign-in, change form, CSRF,
    transaction, revision, inlines, tags), then unpublishes the one from four edits before,
    every few seconds; times how long each change takes to show on every surface."""

    def __init__(self, facts: dict, every: float, stop: threading.Event):
        super().__init__(daemon=True)
        self.facts, self.every, self.stop = facts, every, stop
        self.delays: list[tuple[str, str, float]] = []  # (action, surface, seconds)
        self.late: list[str] = []
        self.errors: list[str] = []

    def run(self):
        editor = StaffSession(PORT)
        editor.sign_in("soak-editor", EDITOR_PASSWORD)
        published: list[tuple[str, int]] = []
        pool = iter(self.facts["pool"] * 100)
        while not self.stop.wait(self.every):
            try:
                slug, pk = next(pool)
                change = f"/admin/articles/article/{pk}/change/"
                if (slug, pk) in published:
                    self.save(editor, change, "_unpublish")
                    published.remove((slug, pk))
                self.save(editor, change, "_publish_now")
                self.observe("publish", slug, live=True)
                published.append((slug, pk))
                if len(published) > 3:
                    gone, gone_pk = published.pop(0)
                    self.save(editor, f"/admin/articles/article/{gone_pk}/change/", "_unpublish")
                    self.observe("unpublish", gone, live=False)
            except Exception as error:  # noqa: BLE001 - reported, the soak goes on
                self.errors.append(repr(error))

    @staticmethod
    def save(editor: StaffSession, change: str, button: str) -> None:
        response = editor.submit(change, {}, button=button)
        if response.status != 302:
            raise RuntimeError(f"{button} on {change}: {response.status}")

    def observe(self, action: str, slug: str, *, live: bool):
        started = time.monotonic()
        pending = surfaces(slug, self.facts["key"], live=live)
        while pending and time.monotonic() - started < 30:
            for name, (path, key, reflects) in list(pending.items()):
                if reflects(*fetch(path, key)):
                    delay = time.monotonic() - started
                    self.delays.append((action, name, delay))
                    if delay > VISIBILITY_PROMISE_SECONDS:
                        self.late.append(f"{action} {slug} on {name}: {delay:.2f} s")
                    del pending[name]
            time.sleep(0.05)
        for name in pending:
            self.late.append(f"{action} {slug} on {name}: not within 30 s")


def sample_memory(server, stop: threading.Event, samples: list):
    started = time.monotonic()
    while not stop.wait(10):
        samples.append((time.monotonic() - started, bench.worker_memory_mb(server)))


def parse_wrk(output: str) -> dict:
    statuses = {int(s): int(n) for s, n in re.findall(r"^status (\d+) (\d+)$", output, re.M)}
    socket_errors = 0
    match = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output
    )
    if match:
        socket_errors = sum(int(n) for n in match.groups())
    return {
        "requests": sum(statuses.values()),
        "statuses": statuses,
        "socket_errors": socket_errors,
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)),
        "p50": bench.latency(output, "50%"),
        "p99": bench.latency(output, "99%"),
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=300)
    parser.add_argument("--rate", type=int, default=300, help="requests per second, in all")
    parser.add_argument("--articles", type=int, default=2000)
    parser.add_argument("--editor-every", type=float, default=3.0, help="seconds between edits")
    parser.add_argument("--markdown", type=Path, help="also write the report to this file")
    args = parser.parse_args()
    if not shutil.which("wrk"):
        sys.exit("wrk is missing: apt-get install -y wrk")
    if not (bench.answers("127.0.0.1", 5432) and bench.answers("127.0.0.1", 6379)):
        sys.exit("The soak runs as in production: it needs PostgreSQL and Redis on 127.0.0.1.")

    database_url, label = bench.prepare_database(args.articles, name="newsroom_soak")
    subprocess.run(["redis-cli", "-n", "4", "flushdb"], capture_output=True)
    env = bench.environment("redis://127.0.0.1:6379/4", database_url)
    facts = site_facts(env)
    paths = traffic_mix(facts)
    pause_ms = round(1000 * CONNECTIONS / args.rate)
    script = Path(tempfile.mkstemp(suffix=".lua")[1])
    script.write_text(
        LUA % {"paths": lua_list(paths), "key": json.dumps(facts["key"]), "pause": pause_ms}
    )

    server_log = Path(tempfile.gettempdir()) / "newsroom-soak-server.log"
    server = bench.start_server(env, PORT, log=server_log.open("w"))
    stop = threading.Event()
    try:
        for path in set(paths[:200]):  # both workers import everything and warm up
            if not path.startswith("/api/"):
                fetch(path)
        memory = [(0.0, bench.worker_memory_mb(server))]
        sampler = threading.Thread(target=sample_memory, args=(server, stop, memory), daemon=True)
        editor = Editor(facts, args.editor_every, stop)
        load = subprocess.Popen(
            [
                "wrk",
                "-t2",
                f"-c{CONNECTIONS}",
                f"-d{args.seconds}s",
                "--latency",
                "--timeout",
                "5s",
                "-s",
                str(script),
                BASE,
            ],
            stdout=subprocess.PIPE,
            text=True,
        )
        sampler.start()
        editor.start()
        output, _ = load.communicate()
        stop.set()
        editor.join(timeout=35)
        memory.append((args.seconds, bench.worker_memory_mb(server)))
    finally:
        stop.set()
        os.killpg(server.pid, signal.SIGTERM)
        server.wait()
        script.unlink(missing_ok=True)

    result = parse_wrk(output)
    text = report(result, memory, editor, label, args)
    print(text)
    if args.markdown:
        args.markdown.write_text(text + "\n")
    bad = sum(n for s, n in result["statuses"].items() if s >= 400 and s != 429)
    if bad or result["socket_errors"] or editor.late or editor.errors:
        sys.exit(1)


def report(result, memory, editor, label, args) -> str:
    statuses = result["statuses"]
    errors = sum(n for s, n in statuses.items() if s >= 500)
    refusals = sum(n for s, n in statuses.items() if 400 <= s < 500 and s != 429)
    start, end = memory[0][1], memory[-1][1]
    early = statistics.mean(sum(m) / len(m) for t, m in memory if t <= 60 and m)
    late = statistics.mean(sum(m) / len(m) for t, m in memory if t >= args.seconds - 60 and m)
    surface_names = list(surfaces("x", "", live=True))

    def spread(values):
        if not values:
            return "none"
        return f"{len(values)}, median {statistics.median(values):.2f} s, max {max(values):.2f} s"

    return "\n".join(
        [
            f"Soak: {args.seconds} s at {args.rate} req/s target, wrk {CONNECTIONS} connections; "
            f"gunicorn 2 sync workers, DEBUG off, {label} + Redis, {args.articles} generated "
            f"articles; mix 60 % pages / 15 % search / 25 % API; an editor publishes every "
            f"{args.editor_every:g} s and unpublishes the piece from four edits before.",
            "",
            "| figure | value |",
            "| --- | --- |",
            f"| requests served | {result['requests']} ({result['rps']:.0f} req/s) |",
            "| statuses | " + ", ".join(f"{s}: {n}" for s, n in sorted(statuses.items())) + " |",
            f"| errors (5xx) | {errors} |",
            f"| other refusals (4xx except 429) | {refusals} |",
            f"| socket errors / timeouts | {result['socket_errors']} |",
            f"| latency p50 / p99 | {result['p50']:.1f} ms / {result['p99']:.1f} ms |",
            "| worker memory at start | " + ", ".join(f"{m:.0f} MB" for m in start) + " |",
            "| worker memory at end | " + ", ".join(f"{m:.0f} MB" for m in end) + " |",
            f"| mean worker memory, first vs last minute | {early:.1f} MB → {late:.1f} MB "
            f"({late - early:+.1f} MB) |",
            "| mean worker memory every 30 s | "
            + " → ".join(f"{sum(m) / len(m):.0f}" for t, m in memory if m and round(t) % 30 == 0)
            + " MB |",
        ]
        + [
            f"| {action}es shown on the {surface} | "
            + spread([d for a, n, d in editor.delays if a == action and n == surface])
            + " |"
            for action in ("publish", "unpublish")
            for surface in surface_names
        ]
        + [
            f"| changes later than the {VISIBILITY_PROMISE_SECONDS:g} s promise | "
            f"{len(editor.late)} |",
            f"| editor errors | {len(editor.errors)} |",
        ]
        + (["", "Late: " + "; ".join(editor.late)] if editor.late else [])
        + (["", "Editor errors: " + "; ".join(editor.errors[:5])] if editor.errors else [])
    )


if __name__ == "__main__":
    main()
