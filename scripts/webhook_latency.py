"""Webhook delivery latency and what a publish costs the editor, measured with real processes.

1. Delivery latency: a Celery worker (Redis broker), PostgreSQL, and a partner's receiver on
   127.0.0.1; PUBLISHES articles are published one after another from another process, and each
   `published` is timed from the publishing transaction's commit to the receiver's arrival.
2. The editor's request: the admin's "publish now" with a 1600x900 JPEG hero upload, through
   gunicorn, with renditions made in the request (no broker: the embedded default) and with a
   worker making them after the commit.

    scripts/webhook-latency [--publishes 100] [--uploads 10]
"""

import argparse
import io
import json
import re
import statistics
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from PIL import Image  # noqa: E402

from tests.processes import (  # noqa: E402
    STAFF,
    Server,
    StaffSession,
    celery_worker,
    collect_static,
    empty_redis_database,
    postgres_database,
    seed_site,
    shell,
    site_environment,
)

PUBLISH = """
import json, sys, time
from django.contrib.auth import get_user_model
from django.db import transaction
from articles.models import Article, Category
from articles.services import article_publish
editor = get_user_model().objects.get(username="desk")
markets = Category.objects.get(slug="markets")
for number in range({count}):
    with transaction.atomic():
        draft = Article.objects.create(
            title=f"Latency {{number}}", slug=f"latency-{{number}}", summary="S.", category=markets
        )
        article_publish(article=draft, by=editor)
    print(json.dumps({{"slug": draft.slug, "committed": time.time()}}), flush=True)
    time.sleep(0.2)
"""

ENDPOINT = """
from partners.models import PartnerKey, WebhookEndpoint
WebhookEndpoint.objects.create(
    key=PartnerKey.objects.get(name="partner"), url="{url}", events=["published"]
)
"""

DRAFTS = """
from articles.models import Article, Category
markets = Category.objects.get(slug="markets")
for number in range({count}):
    print(Article.objects.create(
        title=f"Upload {{number}}", slug=f"upload-{{number}}", summary="S.", category=markets
    ).pk)
"""


class Received(BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.server.arrivals.append((time.time(), json.loads(body)))
        self.send_response(204)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def jpeg() -> bytes:
    buffer = io.BytesIO()
    # A photograph's worth of detail, smooth enough to carry no markup-like bytes.
    gradient = Image.linear_gradient("L").resize((1600, 900))
    Image.merge("RGB", (gradient, gradient.rotate(90).resize((1600, 900)), gradient)).save(
        buffer, format="JPEG", quality=90
    )
    return buffer.getvalue()


def delivery_latency(scratch: Path, static_root: Path, count: int) -> list[float]:
    receiver = ThreadingHTTPServer(("127.0.0.1", 0), Received)
    receiver.arrivals = []
    threading.Thread(target=receiver.serve_forever, daemon=True).start()
    with postgres_database() as database_url:
        env = site_environment(
            scratch, database_url, empty_redis_database(8), static_root=static_root
        )
        env.update(
            CELERY_BROKER_URL=empty_redis_database(9),
            NEWSROOM_WEBHOOK_ALLOW_PRIVATE_ADDRESSES="1",
        )
        seed_site(env)
        url = f"http://127.0.0.1:{receiver.server_address[1]}/hook"
        shell(env, ENDPOINT.format(url=url))
        try:
            with celery_worker(env, scratch / "worker.log"):
                time.sleep(3)  # the worker is up (and has announced the seeded article)
                receiver.arrivals.clear()
                output = shell(env, PUBLISH.format(count=count), timeout=600)
                deadline = time.time() + 60
                while len(receiver.arrivals) < count and time.time() < deadline:
                    time.sleep(0.1)
        finally:
            receiver.shutdown()
    committed = {
        row["slug"]: row["committed"]
        for row in map(json.loads, (line for line in output.splitlines() if line.startswith("{")))
    }
    arrived = {}
    for at, payload in receiver.arrivals:
        arrived.setdefault(payload["change"]["slug"], []).append(at)
    duplicates = sum(len(times) - 1 for times in arrived.values())
    missing = [slug for slug in committed if slug not in arrived]
    print(f"deliveries: {len(arrived)} of {count}, {duplicates} duplicates, {len(missing)} missing")
    return [arrived[slug][0] - at for slug, at in committed.items() if slug in arrived]


def publish_request_seconds(scratch: Path, static_root: Path, uploads: int, broker: bool):
    with postgres_database() as database_url:
        env = site_environment(
            scratch, database_url, empty_redis_database(8), static_root=static_root
        )
        if broker:
            env["CELERY_BROKER_URL"] = empty_redis_database(9)  # no worker: only the request
        seed_site(env)
        drafts = shell(env, DRAFTS.format(count=uploads)).split()[-uploads:]
        image = jpeg()
        timings = []
        with Server(env, scratch, workers=1) as server:
            editor = StaffSession(server.port)
            editor.sign_in(*STAFF)
            for draft_id in drafts:
                path = f"/admin/articles/article/{draft_id}/change/"
                started = time.monotonic()  # the change form opened, then submitted
                response = editor.submit(
                    path,
                    {"hero_alt": "Noise"},
                    button="_publish_now",
                    files={"hero_image": ("noise.jpg", image)},
                )
                timings.append(time.monotonic() - started)
                errors = re.findall(r"<ul class=\"errorlist[^>]*>(.*?)</ul>", response.body, re.S)
                assert response.status == 302, errors or response.body[:3000]
        return timings


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--publishes", type=int, default=100)
    parser.add_argument("--uploads", type=int, default=10)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch_name:
        scratch = Path(scratch_name)
        static_root = scratch / "static"
        collect_static(static_root)
        delays = delivery_latency(scratch, static_root, args.publishes)
        inline = publish_request_seconds(scratch, static_root, args.uploads, broker=False)
        queued = publish_request_seconds(scratch, static_root, args.uploads, broker=True)
    print("\n| measure | figure |\n| --- | ---: |")
    print(
        f"| publish → partner's receiver ({len(delays)} publishes, worker on Redis) | "
        f"p50 {statistics.median(delays) * 1000:.0f} ms, p99 {percentile(delays, 0.99) * 1000:.0f} ms, "
        f"max {max(delays) * 1000:.0f} ms |"
    )
    for label, timings in [
        ("renditions in the request (no broker)", inline),
        ("renditions by a worker after the commit", queued),
    ]:
        print(
            f"| editor's publish with a 1600x900 JPEG upload, {label} ({len(timings)} "
            f"times: the change form opened and submitted) | median "
            f"{statistics.median(timings) * 1000:.0f} ms, max {max(timings) * 1000:.0f} ms |"
        )


if __name__ == "__main__":
    main()
