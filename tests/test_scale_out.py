"""Several nodes, as in production: two app servers on two ports and one Celery worker share
PostgreSQL, Redis (cache and broker) and an S3-compatible server (moto's, on 127.0.0.1). An
editor uploads a hero image and publishes on node A; node B serves the page with the image from
the object store; the partner's receiver gets `published` exactly once, correctly signed."""

import html
import io
import json
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from PIL import Image

from tests.conftest import require_tool
from tests.partners.test_webhooks import docs_verify
from tests.processes import (
    POSTGRES,
    REDIS,
    STAFF,
    Server,
    StaffSession,
    answers,
    celery_worker,
    collect_static,
    empty_redis_database,
    free_port,
    postgres_database,
    seed_site,
    shell,
    site_environment,
    wait_until,
)

pytestmark = pytest.mark.processes

ENDPOINT = """
from articles.models import Article
from partners.models import PartnerKey, WebhookEndpoint
key = PartnerKey.objects.get(name="partner")
endpoint = WebhookEndpoint.objects.create(key=key, url="{url}", events=["published", "updated"])
print(Article.objects.get(slug="waiting-draft").pk, endpoint.secret)
"""


class Received(BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.server.received.append((time.time(), dict(self.headers), body))
        self.send_response(204)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


SCHEDULED = """
from datetime import timedelta
from django.utils import timezone
from articles.models import Article, Category
article = Article.objects.create(
    title="At its time", slug="at-its-time", summary="S.", status="published",
    published_at=timezone.now() + timedelta(seconds=3), category=Category.objects.get(slug="markets"),
)
print(article.published_at.timestamp())
"""


def announced(receiver, slug: str) -> list[float]:
    return [
        at
        for at, headers, body in receiver.received
        if headers["Newsroom-Event"] == "published" and json.loads(body)["change"]["slug"] == slug
    ]


def jpeg(size=(1600, 900)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, "teal").save(buffer, format="JPEG")
    return buffer.getvalue()


def test_two_nodes_a_worker_object_storage_and_a_partner_receiver(tmp_path):
    require_tool(answers(POSTGRES) and answers(REDIS), "PostgreSQL and Redis on 127.0.0.1")
    import boto3
    from moto.server import ThreadedMotoServer

    s3_port = free_port()
    s3 = ThreadedMotoServer(ip_address="127.0.0.1", port=s3_port, verbose=False)
    s3.start()
    receiver = ThreadingHTTPServer(("127.0.0.1", 0), Received)
    receiver.received = []
    threading.Thread(target=receiver.serve_forever, daemon=True).start()
    bucket = f"newsroom-{uuid.uuid4().hex[:10]}"
    s3_url = f"http://127.0.0.1:{s3_port}"
    boto3.client(
        "s3",
        endpoint_url=s3_url,
        aws_access_key_id="k",
        aws_secret_access_key="s",
        region_name="us-east-1",
    ).create_bucket(Bucket=bucket)
    static_root = tmp_path / "static"
    collect_static(static_root)
    try:
        with postgres_database() as database_url:
            env = site_environment(
                tmp_path, database_url, empty_redis_database(10), static_root=static_root
            )
            env.update(
                CELERY_BROKER_URL=empty_redis_database(11),
                AWS_STORAGE_BUCKET_NAME=bucket,
                AWS_S3_ENDPOINT_URL=s3_url,
                AWS_ACCESS_KEY_ID="k",
                AWS_SECRET_ACCESS_KEY="s",
                AWS_S3_REGION_NAME="us-east-1",
                AWS_S3_ADDRESSING_STYLE="path",
                NEWSROOM_WEBHOOK_ALLOW_PRIVATE_ADDRESSES="1",
                NEWSROOM_SITE_URL="http://news.example.test",
            )
            seed_site(env)
            receiver_url = f"http://127.0.0.1:{receiver.server_address[1]}/hook"
            draft_id, secret = shell(env, ENDPOINT.format(url=receiver_url)).split()[-2:]
            with (
                celery_worker(env, tmp_path / "worker.log"),
                Server(env, tmp_path) as node_a,
                Server(env, tmp_path) as node_b,
            ):
                editor = StaffSession(node_a.port)
                editor.sign_in(*STAFF)
                published = editor.submit(
                    f"/admin/articles/article/{draft_id}/change/",
                    {"hero_alt": "A teal square", "tags": "economy"},
                    button="_publish_now",
                    files={"hero_image": ("square.jpg", jpeg())},
                )
                assert published.status == 302, published.body[-3000:]
                published_at = time.time()

                # Node B serves it, the image from the object store through the embargo gate
                # (its renditions once the worker made them; the original until then).
                wait_until(lambda: node_b.get("/articles/waiting-draft/").status == 200, timeout=5)
                page = node_b.get("/articles/waiting-draft/").body
                assert 'src="/media/heroes/' in page or 'src="/media/renditions/' in page
                seen = {}

                def shows_renditions() -> bool:
                    seen["page"] = node_b.get("/articles/waiting-draft/").body
                    return 'src="/media/renditions/' in seen["page"]

                made = wait_until(shows_renditions, timeout=30)
                page = seen["page"]
                image_path = (
                    "/media/renditions/" + page.split('src="/media/renditions/')[1].split('"')[0]
                )
                assert node_b.get("/healthz").status == 200
                import urllib.request

                redirect = node_b.get(html.unescape(image_path))
                assert redirect.status == 302
                signed = redirect.headers["Location"]
                assert signed.startswith(f"{s3_url}/{bucket}/renditions/") and "Signature" in signed
                with urllib.request.urlopen(signed, timeout=5) as image:
                    assert image.status == 200

                # The partner hears of it once, signed with its secret.
                wait_until(lambda: len(receiver.received) >= 1, timeout=30)
                time.sleep(2)  # anything sent twice would have arrived by now
                # (The seeded live article is announced too: its task waited for the worker.)
                published_events = [
                    (at, headers, body)
                    for at, headers, body in receiver.received
                    if headers["Newsroom-Event"] == "published"
                    and json.loads(body)["change"]["slug"] == "waiting-draft"
                ]
                assert len(published_events) == 1
                at, headers, body = published_events[0]
                assert docs_verify()(secret, body, headers["Newsroom-Signature"])
                change = json.loads(body)["change"]
                assert change["slug"] == "waiting-draft"
                assert (
                    change["article"]["url"] == "http://news.example.test/articles/waiting-draft/"
                )
                print(
                    f"\nnode A publish -> node B page with renditions from S3 {made:.2f} s; "
                    f"partner's receiver {at - published_at:.2f} s after the editor's save returned"
                )

                # A scheduled article: `published` at its time, from the worker's timed task.
                due = float(shell(env, SCHEDULED).split()[-1])
                wait_until(lambda: len(announced(receiver, "at-its-time")) >= 1, timeout=30)
                arrived = announced(receiver, "at-its-time")[0]
                assert arrived >= due, "announced before its time"
                time.sleep(2)
                assert len(announced(receiver, "at-its-time")) == 1
                print(f"scheduled article announced {arrived - due:.2f} s after its time")
    finally:
        receiver.shutdown()
        s3.stop()
