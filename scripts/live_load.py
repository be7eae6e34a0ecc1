"""Live coverage under load: many readers polling a live article while an editor posts.

Runs the production server (gunicorn, 2 sync workers, DEBUG off) as scripts/bench does, on
PostgreSQL + Redis when they answer (else SQLite and local memory), with the demo content's live
article. Then, in one run:

1. the bare-Django ceiling and the poll endpoint at full speed (wrk): requests/s against the
   ceiling, p99;
2. READERS simulated readers, each asking the poll endpoint every POLL_SECONDS with the ETag of
   its last answer (as a browser does), while an editor posts an entry every POST_SECONDS from
   another process: the readers' requests/s and p99, 304 share, and how long each entry took
   to reach each reader (from the editor's commit to the reader's first answer carrying it).

    scripts/live-load [--readers 500] [--poll 15] [--post 10] [--seconds 90] [--sqlite]
"""

import argparse
import json
import os
import random
import signal
import statistics
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request

import bench

EDITOR = r"""
import json, sys, time
import django
django.setup()
from articles.models import Article, LiveEntry
article = Article.objects.get(slug=sys.argv[1])
every, count = float(sys.argv[2]), int(sys.argv[3])
for number in range(count):
    time.sleep(every)
    entry = LiveEntry.objects.create(article=article, body=f"<p>Load test entry {number}.</p>")
    print(json.dumps({"id": entry.pk, "at": time.time()}), flush=True)
"""


class Reader(threading.Thread):
    """One reader's open page: polls, remembers the ETag and the newest entry it has."""

    def __init__(self, url: str, after: int, poll: float, until: float, log: list):
        super().__init__(daemon=True)
        self.url, self.after, self.poll, self.until, self.log = url, after, poll, until, log
        self.etag = None
        self.seen: dict[int, float] = {}
        self.polls: list[tuple[float, int]] = []  # (when a poll started, newest entry after it)

    def run(self):
        time.sleep(random.uniform(0, self.poll))  # readers opened the page at different times
        while time.time() < self.until:
            started = time.time()
            status = self.ask()
            self.log.append((started, time.time() - started, status))
            self.polls.append((started, self.after))
            time.sleep(max(0.0, self.poll - (time.time() - started)))

    def ask(self) -> int:
        headers = {"Accept": "application/json"}
        if self.etag:
            headers["If-None-Match"] = self.etag
        request = urllib.request.Request(f"{self.url}?after={self.after}", headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                body = json.loads(response.read())
                self.etag = response.headers.get("ETag")
        except urllib.error.HTTPError as error:
            return error.code  # 304: nothing new
        except OSError:
            return 0
        now = time.time()
        for entry in body["entries"]:
            self.seen.setdefault(entry["id"], now)
            self.after = max(self.after, entry["id"])
        if body["entries"]:
            self.etag = None  # a new `after` is a new address
        return 200


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--readers", type=int, default=500)
    parser.add_argument("--poll", type=float, default=15)
    parser.add_argument("--post", type=float, default=10)
    parser.add_argument("--seconds", type=int, default=90)
    parser.add_argument("--wrk-seconds", type=int, default=10)
    parser.add_argument("--sqlite", action="store_true")
    args = parser.parse_args()

    database_url, label = bench.prepare_database(200, "newsroom_live_load", sqlite=args.sqlite)
    redis = not args.sqlite and bench.answers("127.0.0.1", 6379)
    cache_url = "redis://127.0.0.1:6379/4" if redis else "locmem://"
    if redis:
        subprocess.run(["redis-cli", "-n", "4", "flushdb"], capture_output=True)
    env = bench.environment(cache_url, database_url)
    slug, newest = bench.manage(
        env,
        "shell",
        "-c",
        "from articles.models import Article;"
        "a = Article.objects.exclude(live_coverage_started_at=None).get();"
        "print(a.slug, a.live_entries.order_by('-id').values_list('id', flat=True).first())",
    ).split()[-2:]
    poll_path = f"/articles/{slug}/live/"

    ceiling_env = dict(bench.environment("dummy://", database_url))
    ceiling_env["DJANGO_SETTINGS_MODULE"] = "benchmarks.ceiling_settings"
    server = bench.start_server(ceiling_env)
    try:
        bench.wrk(bench.BASE + "/bench/ceiling/", 1, 8, {})
        ceiling = bench.wrk(bench.BASE + "/bench/ceiling/", args.wrk_seconds, 8, {})
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait()

    server = bench.start_server(env)
    try:
        poll_url = f"{bench.BASE}{poll_path}?after={newest}"
        bench.wrk(poll_url, 1, 8, {})
        flat_out = bench.wrk(poll_url, args.wrk_seconds, 8, {})

        until = time.time() + args.seconds
        log: list = []
        readers = [
            Reader(bench.BASE + poll_path, int(newest), args.poll, until, log)
            for _ in range(args.readers)
        ]
        for reader in readers:
            reader.start()
        posts = int(args.seconds // args.post) - 1
        editor = subprocess.run(
            [str(bench.PYTHON), "-c", EDITOR, slug, str(args.post), str(posts)],
            cwd=bench.ROOT,
            env={**env, "DJANGO_SETTINGS_MODULE": "newsroom.settings"},
            capture_output=True,
            text=True,
            check=True,
        )
        for reader in readers:
            reader.join()
        memory = bench.worker_memory_mb(server)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait()

    entries = [json.loads(line) for line in editor.stdout.splitlines() if line.startswith("{")]
    delays, missed = [], 0
    for entry in entries:
        for reader in readers:
            if entry["id"] in reader.seen:
                delays.append(reader.seen[entry["id"]] - entry["at"])
            else:
                missed += 1
    # The server's part of the delay: the latest a poll started after an entry's commit and still
    # came back without it (the rest is the reader's polling interval).
    stale = [
        started - entry["at"]
        for entry in entries
        for reader in readers
        for started, newest_after in reader.polls
        if started > entry["at"] and newest_after < entry["id"]
    ]
    durations = [duration * 1000 for _, duration, _ in log]
    statuses = [status for _, _, status in log]
    window = max(started for started, _, _ in log) - min(started for started, _, _ in log)
    rps = ceiling["rps"]
    print(
        f"Live coverage load, {label} + {'Redis' if redis else 'local memory'}, gunicorn 2 sync "
        f"workers, {os.cpu_count()} cores\n"
    )
    print("| measure | figure |\n| --- | ---: |")
    print(f"| ceiling (bare Django view, wrk 8 connections) | {rps:.0f} req/s |")
    print(
        f"| poll endpoint flat out (wrk 8 connections) | {flat_out['rps']:.0f} req/s "
        f"({flat_out['rps'] / rps:.0%} of the ceiling), p99 {flat_out['p99']:.1f} ms, "
        f"{flat_out['errors']} errors |"
    )
    print(
        f"| {args.readers} readers polling every {args.poll:g} s for {args.seconds} s | "
        f"{len(log)} polls, {len(log) / window:.1f} req/s, p50 "
        f"{statistics.median(durations):.1f} ms, p99 {percentile(durations, 0.99):.1f} ms |"
    )
    print(
        f"| answers | {statuses.count(200)} × 200, {statuses.count(304)} × 304, "
        f"{len(statuses) - statuses.count(200) - statuses.count(304)} other |"
    )
    if delays:
        print(
            f"| entry → reader ({len(entries)} entries posted every {args.post:g} s, "
            f"{len(delays)} deliveries, {missed} not yet seen at the end) | p50 "
            f"{statistics.median(delays):.1f} s, p99 {percentile(delays, 0.99):.1f} s, "
            f"max {max(delays):.1f} s |"
        )
    print(
        f"| polls started after an entry's commit that came back without it | {len(stale)}"
        + (f", the latest {max(stale):.2f} s after the commit |" if stale else " |")
    )
    print(f"| worker memory after the run | {', '.join(f'{m:.0f} MB' for m in memory)} |")
    if statuses.count(0) or not delays:
        sys.exit("Some polls failed or no entry reached a reader.")


if __name__ == "__main__":
    main()
