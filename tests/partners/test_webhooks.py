"""Partner webhooks against a real HTTP receiver on 127.0.0.1: events, signatures (checked with
the code partners get in docs/api.md), retries, timeouts, redirects, refused addresses, the
admin's secret, delivery log and redelivery."""

import json
import re
import threading
import time
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django.test import Client
from django.utils import timezone

from articles.models import Article, Correction
from articles.services import article_publish, article_unpublish
from partners import tasks
from partners.models import PartnerKey, WebhookDelivery, WebhookEndpoint
from partners.webhooks import events as webhook_events
from partners.webhooks.retries import RETRY_DELAYS
from tests.factories import make_article, make_author, make_category
from tests.processes import wait_until

pytestmark = pytest.mark.django_db

DOCS = Path(__file__).parents[2] / "docs" / "api.md"


def docs_verify():
    """The verification code of docs/api.md, as a partner would paste it."""
    text = DOCS.read_text()
    section = text[text.index("### Verifying a delivery") :]
    code = re.search(r"```python\n(.*?)```", section, re.S).group(1)
    namespace = {}
    exec(compile(code, "docs/api.md", "exec"), namespace)  # noqa: S102 - our own documentation
    return namespace["verify"]


class Receiver(ThreadingHTTPServer):
    """A partner's webhook receiver: records each request; answers as `mode` says."""

    daemon_threads = True

    def __init__(self):
        super().__init__(("127.0.0.1", 0), ReceiverHandler)
        self.mode, self.requests = "ok", []

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/hooks/newsroom"


class ReceiverHandler(BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.server.requests.append(
            {"path": self.path, "headers": dict(self.headers), "body": body, "at": time.time()}
        )
        mode = self.server.mode
        if mode == "slow":
            time.sleep(8)
        if mode == "ten seconds":
            time.sleep(10)
        status = {"ok": 204, "error": 500, "redirect": 302}.get(mode, 204)
        self.send_response(status)
        if mode == "redirect":
            self.send_header("Location", "/elsewhere")
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def receiver():
    server = Receiver()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture
def endpoint(settings, receiver):
    settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES = True  # the receiver is on 127.0.0.1
    key, _ = PartnerKey.objects.create_key(name="wire")
    return WebhookEndpoint.objects.create(
        key=key, url=receiver.url, events=["published", "updated", "withdrawn", "deleted"]
    )


@pytest.fixture
def editor(django_user_model):
    return django_user_model.objects.create_superuser("eddie", "e@example.com", "pw")


def test_publishing_sends_one_signed_published_shaped_like_a_changes_entry(
    endpoint, receiver, editor, api_client, django_capture_on_commit_callbacks
):
    draft = make_article(slug="port", status=Article.Status.DRAFT, category=make_category())
    assert receiver.requests == []
    with django_capture_on_commit_callbacks(execute=True):
        article_publish(article=draft, by=editor)
    [request] = receiver.requests
    headers, body = request["headers"], request["body"]
    payload = json.loads(body)
    assert headers["Newsroom-Event"] == "published" and payload["event"] == "published"
    assert headers["Newsroom-Delivery"] == payload["id"]
    assert docs_verify()(endpoint.secret, body, headers["Newsroom-Signature"])
    since = (timezone.now() - timedelta(minutes=5)).isoformat().replace("+00:00", "Z")
    [entry] = api_client.get("/api/v1/changes/", {"since": since}).json()["results"]
    assert set(payload["change"]) == set(entry) and payload["change"]["slug"] == "port"
    assert set(payload["change"]["article"]) == set(entry["article"])
    assert payload["change"]["article"]["url"].startswith("http://127.0.0.1:8000/articles/")
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.attempts, delivery.response_code) == ("succeeded", 1, 204)
    assert delivery.latency_ms is not None and delivery.latency_ms < 5000


def test_updates_withdrawals_and_deletions_are_sent_to_who_asked(
    endpoint, receiver, editor, django_capture_on_commit_callbacks
):
    quiet = WebhookEndpoint.objects.create(
        key=endpoint.key, url=receiver.url + "?only=deleted", events=["deleted"]
    )
    off = WebhookEndpoint.objects.create(
        key=endpoint.key, url=receiver.url + "?off", events=["updated"], is_active=False
    )
    article = make_article(slug="story", category=make_category())
    receiver.requests.clear()
    with django_capture_on_commit_callbacks(execute=True):
        article.title = "A better headline"
        article.save()
    with django_capture_on_commit_callbacks(execute=True):
        Correction.objects.create(article=article, text="A fix.")
    with django_capture_on_commit_callbacks(execute=True):
        article_unpublish(article=article, by=editor)
    with django_capture_on_commit_callbacks(execute=True):
        article_publish(article=article, by=editor)
    with django_capture_on_commit_callbacks(execute=True):
        article.delete()
    got = [(r["path"], r["headers"]["Newsroom-Event"]) for r in receiver.requests]
    main = "/hooks/newsroom"
    assert got == [
        (main, "updated"),
        (main, "updated"),
        (main, "withdrawn"),
        (main, "published"),
        (main, "deleted"),
        (main + "?only=deleted", "deleted"),
    ]
    tombstone = json.loads(receiver.requests[-1]["body"])["change"]
    assert tombstone["change"] == "withdrawn" and tombstone["reason"] == "deleted"
    assert not off.deliveries.exists() and quiet.deliveries.count() == 1


def test_a_scheduled_article_sends_published_once_at_its_time(
    endpoint, receiver, time_machine, django_capture_on_commit_callbacks
):
    when = timezone.now() + timedelta(hours=2)
    with django_capture_on_commit_callbacks(execute=True):
        make_article(slug="later", published_at=when, category=make_category())
    assert receiver.requests == []
    time_machine.move_to(when + timedelta(seconds=5))
    for _ in range(2):  # the sweep twice, and the timed task after it: still one
        with django_capture_on_commit_callbacks(execute=True):
            tasks.webhooks_sweep.apply()
    with django_capture_on_commit_callbacks(execute=True):
        tasks.announce.apply(args=(Article.objects.get(slug="later").pk,))
    events = [r["headers"]["Newsroom-Event"] for r in receiver.requests]
    assert events == ["published"]


def test_a_failing_receiver_is_retried_with_backoff_for_a_day_then_paused(
    endpoint, receiver, time_machine, django_capture_on_commit_callbacks, django_user_model
):
    receiver.mode = "error"
    started = timezone.now()
    time_machine.move_to(started, tick=False)
    with django_capture_on_commit_callbacks(execute=True):
        make_article(slug="unlucky", category=make_category())
    delivery = WebhookDelivery.objects.get()
    schedule = []
    while delivery.status == "pending":
        assert delivery.response_code == 500 and "HTTP 500" in delivery.last_error
        schedule.append(delivery.next_attempt_at - timezone.now())
        time_machine.move_to(delivery.next_attempt_at, tick=False)
        with django_capture_on_commit_callbacks(execute=True):
            tasks.webhooks_sweep.apply()
        delivery.refresh_from_db()
    assert [delay.total_seconds() for delay in schedule] == RETRY_DELAYS
    assert delivery.status == "failed" and delivery.attempts == len(RETRY_DELAYS) + 1
    assert timezone.now() - started >= timedelta(hours=24)
    assert len(receiver.requests) == delivery.attempts
    assert len({r["headers"]["Newsroom-Delivery"] for r in receiver.requests}) == 1
    endpoint.refresh_from_db()
    assert endpoint.paused_at and "failed 14 times over 27 h" in endpoint.paused_reason
    print("\nretry schedule (s):", [int(d.total_seconds()) for d in schedule])

    # A paused endpoint gets nothing new until staff resume it; then what waited goes.
    receiver.mode = "ok"
    with django_capture_on_commit_callbacks(execute=True):
        make_article(slug="while-paused", category=make_category())
    assert len(receiver.requests) == delivery.attempts
    admin = Client()
    admin.force_login(django_user_model.objects.create_superuser("ops", "o@example.com", "pw"))
    listing = admin.get("/admin/partners/webhookendpoint/").content.decode()
    assert "Paused" in listing and "failed 14 times" in listing
    with django_capture_on_commit_callbacks(execute=True):
        admin.post(
            "/admin/partners/webhookendpoint/",
            {"action": "resume_delivery", "_selected_action": [endpoint.pk]},
        )
    assert receiver.requests[-1]["headers"]["Newsroom-Event"] == "published"


def test_a_slow_receiver_times_out_in_seconds(
    endpoint, receiver, django_capture_on_commit_callbacks
):
    receiver.mode = "slow"
    started = time.monotonic()
    with django_capture_on_commit_callbacks(execute=True):
        make_article(category=make_category())
    took = time.monotonic() - started
    delivery = WebhookDelivery.objects.get()
    assert "timed out" in delivery.last_error and delivery.response_code is None
    assert took < 7 and delivery.status == "pending" and delivery.next_attempt_at


def test_redirects_are_not_followed(endpoint, receiver, django_capture_on_commit_callbacks):
    receiver.mode = "redirect"
    with django_capture_on_commit_callbacks(execute=True):
        make_article(category=make_category())
    delivery = WebhookDelivery.objects.get()
    assert delivery.response_code == 302 and "not followed" in delivery.last_error
    assert [r["path"] for r in receiver.requests] == ["/hooks/newsroom"]  # never /elsewhere


@pytest.mark.parametrize(
    "url",
    [
        "https://127.0.0.1/hook",
        "https://localhost/hook",
        "https://10.1.2.3/hook",
        "https://192.168.0.10/hook",
        "https://169.254.169.254/latest/meta-data",
        "https://[::1]/hook",
        "https://0.0.0.0/hook",
        "http://example.com/hook",
        "https://user:pw@example.com/hook",
        "https://no-such-host.invalid/hook",
    ],
)
def test_endpoints_on_private_addresses_or_without_https_are_refused(url, settings):
    settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES = False
    key, _ = PartnerKey.objects.create_key(name="ssrf")
    with pytest.raises(ValidationError):
        WebhookEndpoint(key=key, url=url, events=["published"]).full_clean()


def test_an_address_that_turned_private_is_refused_at_delivery(
    endpoint, receiver, settings, django_capture_on_commit_callbacks
):
    settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES = False  # as in production; the name now resolves here
    with django_capture_on_commit_callbacks(execute=True):
        make_article(category=make_category())
    delivery = WebhookDelivery.objects.get()
    assert "only go to public addresses" in delivery.last_error
    assert receiver.requests == []


def test_a_tampered_delivery_fails_the_documented_check(
    endpoint, receiver, django_capture_on_commit_callbacks
):
    verify = docs_verify()
    with django_capture_on_commit_callbacks(execute=True):
        make_article(category=make_category())
    [request] = receiver.requests
    body, header = request["body"], request["headers"]["Newsroom-Signature"]
    assert verify(endpoint.secret, body, header)
    assert not verify(endpoint.secret, body.replace(b'"published"', b'"deleted"'), header)
    assert not verify("whsec_someone-else", body, header)
    timestamp = int(header.split(",")[0][2:])
    replayed = header.replace(f"t={timestamp}", f"t={timestamp - 3600}")
    assert not verify(endpoint.secret, body, replayed)
    assert not verify(endpoint.secret, body, "garbage")


def test_staff_see_the_secret_once_rotate_it_and_redeliver(
    settings, receiver, django_user_model, django_capture_on_commit_callbacks
):
    settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES = True
    key, _ = PartnerKey.objects.create_key(name="wire")
    admin = Client()
    admin.force_login(django_user_model.objects.create_superuser("ops", "o@example.com", "pw"))
    response = admin.post(
        "/admin/partners/webhookendpoint/add/",
        {"key": key.pk, "url": receiver.url, "events": ["published"], "is_active": "on"},
        follow=True,
    )
    endpoint = WebhookEndpoint.objects.get()
    assert endpoint.secret in response.content.decode()
    change_page = admin.get(f"/admin/partners/webhookendpoint/{endpoint.pk}/change/")
    assert endpoint.secret not in change_page.content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        make_article(category=make_category())
    delivery = WebhookDelivery.objects.get()
    log = admin.get("/admin/partners/webhookdelivery/").content.decode()
    assert "published" in log and "204" in log and "succeeded" in log.lower()

    old_secret = endpoint.secret
    rotated = admin.post(
        "/admin/partners/webhookendpoint/",
        {"action": "rotate_secret", "_selected_action": [endpoint.pk]},
        follow=True,
    )
    endpoint.refresh_from_db()
    assert endpoint.secret != old_secret and endpoint.secret in rotated.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        admin.post(
            "/admin/partners/webhookdelivery/",
            {"action": "redeliver_selected", "_selected_action": [delivery.pk]},
        )
    first, again = receiver.requests
    assert first["headers"]["Newsroom-Delivery"] == again["headers"]["Newsroom-Delivery"]
    verify = docs_verify()
    assert verify(endpoint.secret, again["body"], again["headers"]["Newsroom-Signature"])
    assert not verify(old_secret, again["body"], again["headers"]["Newsroom-Signature"])


def test_no_endpoint_means_no_rows_and_events_must_be_known(settings):
    make_article(category=make_category())
    assert not WebhookDelivery.objects.exists()
    settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES = True
    key, _ = PartnerKey.objects.create_key(name="x")
    with pytest.raises(ValidationError, match="Choose one or more"):
        WebhookEndpoint(key=key, url="http://127.0.0.1:9/", events=["exploded"]).full_clean()
    assert webhook_events.listening("published") == []


def test_the_sweep_command_announces_a_go_live_and_sends_what_is_due(
    endpoint, receiver, time_machine, capsys
):
    from django.core.management import call_command

    when = timezone.now() + timedelta(minutes=10)
    make_article(slug="at-ten", published_at=when, category=make_category())
    time_machine.move_to(when + timedelta(seconds=1))
    call_command("webhooks_sweep")
    assert "Announced 1 publication(s)" in capsys.readouterr().out
    # Nothing commits inside a test, so the delivery waits for the next sweep (as a due retry
    # would); outside a test it is sent as the first sweep's transaction commits.
    call_command("webhooks_sweep")
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == "succeeded" and len(receiver.requests) == 1


def test_a_key_gets_an_endpoint_on_its_own_page_and_sees_the_secret_once(
    settings, receiver, django_user_model
):
    settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES = True
    key, _ = PartnerKey.objects.create_key(name="wire")
    admin = Client()
    admin.force_login(django_user_model.objects.create_superuser("ops", "o@example.com", "pw"))
    page = f"/admin/partners/partnerkey/{key.pk}/change/"
    inline = {
        "webhook_endpoints-TOTAL_FORMS": "1",
        "webhook_endpoints-INITIAL_FORMS": "0",
        "webhook_endpoints-0-url": receiver.url,
        "webhook_endpoints-0-events": ["published", "deleted"],
        "webhook_endpoints-0-is_active": "on",
    }
    form = {"name": "wire", "requests_per_minute": "600", **inline}
    saved = admin.post(page, form, follow=True)
    endpoint = key.webhook_endpoints.get()
    assert endpoint.events == ["published", "deleted"]
    assert endpoint.secret in saved.content.decode()
    assert endpoint.secret not in admin.get(page).content.decode()

    settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES = False
    refused = admin.post(
        page,
        {
            **form,
            "webhook_endpoints-TOTAL_FORMS": "2",
            "webhook_endpoints-INITIAL_FORMS": "1",
            "webhook_endpoints-0-id": endpoint.pk,
            "webhook_endpoints-0-key": key.pk,
            "webhook_endpoints-1-url": "https://169.254.169.254/latest",
            "webhook_endpoints-1-events": ["published"],
        },
    )
    assert refused.status_code == 200
    assert "169.254.169.254 resolves to 169.254.169.254" in refused.content.decode()
    assert key.webhook_endpoints.count() == 1


def test_a_note_announces_the_article_with_its_new_update_time(
    endpoint, receiver, django_capture_on_commit_callbacks
):
    article = make_article(slug="noted", category=make_category())
    Article.objects.filter(pk=article.pk).update(updated_at=timezone.now() - timedelta(days=1))
    receiver.requests.clear()
    with django_capture_on_commit_callbacks(execute=True):
        Correction.objects.create(article=article, text="A fix.")
    article.refresh_from_db()
    [request] = receiver.requests
    change = json.loads(request["body"])["change"]
    assert change["article"]["updated_at"] == article.updated_at.isoformat().replace("+00:00", "Z")
    assert change["changed_at"] == change["article"]["updated_at"]


def test_going_live_again_after_a_withdrawal_sends_published_again(
    endpoint, receiver, editor, django_capture_on_commit_callbacks
):
    """Even at its old publication time: a partner that deleted the story on `withdrawn` gets
    it back."""
    article = make_article(slug="back-again", category=make_category())
    first_time = article.published_at
    receiver.requests.clear()
    for _ in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            article_unpublish(article=article, by=editor)
        with django_capture_on_commit_callbacks(execute=True):
            article_publish(article=article, by=editor, at=first_time)
    events = [r["headers"]["Newsroom-Event"] for r in receiver.requests]
    assert events == ["withdrawn", "published", "withdrawn", "published"]


@pytest.mark.django_db(transaction=True)
def test_no_editor_waits_for_a_slow_receiver_without_a_broker(settings, endpoint, receiver, editor):
    """The receiver takes 10 s to answer: the publish returns at once; a delivery thread of the
    process attempts it after the commit (and times out at 5 s, to be retried by the sweep)."""
    settings.WEBHOOK_DELIVERY_THREADS = 2
    receiver.mode = "ten seconds"
    draft = make_article(slug="urgent", status=Article.Status.DRAFT, category=make_category())
    started = time.monotonic()
    with transaction.atomic():  # as the admin's request does; the deliveries follow its commit
        article_publish(article=draft, by=editor)
    took = time.monotonic() - started
    print(f"\npublish with a receiver taking 10 s: returned in {took * 1000:.0f} ms")
    assert took < 0.5
    delivery = WebhookDelivery.objects.get()
    wait_until(lambda: WebhookDelivery.objects.get().attempts == 1, timeout=10, interval=0.1)
    delivery.refresh_from_db()
    assert delivery.status == "pending" and "timed out" in delivery.last_error
    assert receiver.requests and receiver.requests[0]["at"] - (time.time() - took) < 10


@pytest.mark.django_db(transaction=True)
def test_a_scheduled_article_is_announced_at_its_time_without_a_broker(
    settings, endpoint, receiver
):
    settings.WEBHOOK_DELIVERY_THREADS = 2
    when = timezone.now() + timedelta(seconds=2)
    make_article(slug="at-two", category=make_category(), published_at=when)
    wait_until(lambda: bool(receiver.requests), timeout=10, interval=0.05)
    late = receiver.requests[0]["at"] - when.timestamp()
    print(f"\nscheduled published, no broker: {late:+.2f} s from its time")
    assert 0 <= late < 2
    assert receiver.requests[0]["headers"]["Newsroom-Event"] == "published"


def test_renaming_or_deleting_a_term_reports_every_live_article_showing_it(
    endpoint, receiver, api_client, django_capture_on_commit_callbacks
):
    """A mirror learns of a section's, a tag's or an author's new name (or its deletion) through
    the changes feed and webhooks, article by article: their JSON changed."""
    endpoint.events = ["updated"]
    endpoint.save()
    section, writer = make_category(slug="ports", name="Ports"), make_author(slug="ann")
    shown = [
        make_article(slug=f"shown-{n}", category=section, tags=["cargo"], authors=[writer])
        for n in range(2)
    ]
    make_article(slug="draft", category=section, status=Article.Status.DRAFT, authors=[writer])
    since = timezone.now().isoformat()
    receiver.requests.clear()
    tag = shown[0].tags.get()
    renames = [
        (section, "name", "Harbours"),
        (tag, "name", "Freight"),
        (writer, "name", "Ann Writer"),
    ]
    for term, field, value in renames:
        setattr(term, field, value)
        with django_capture_on_commit_callbacks(execute=True):
            term.save()
    with django_capture_on_commit_callbacks(execute=True):
        writer.delete()
    slugs = [json.loads(r["body"])["change"]["slug"] for r in receiver.requests]
    assert sorted(slugs) == sorted(["shown-0", "shown-1"] * 4)
    last = json.loads(receiver.requests[-1]["body"])["change"]["article"]
    assert last["category"]["name"] == "Harbours" and last["tags"][0]["name"] == "Freight"
    assert last["authors"] == []
    feed = api_client.get("/api/v1/changes/", {"since": since}).json()["results"]
    assert {entry["slug"] for entry in feed} == {"shown-0", "shown-1"}
    assert all(entry["article"]["category"]["name"] == "Harbours" for entry in feed)


def test_a_renamed_section_tells_partners_in_queries_that_do_not_grow_with_it(endpoint):
    """Its articles' rows in one query and their deliveries in one insert, not a query each."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    endpoint.events = ["updated"]
    endpoint.save()
    counts = []
    for size in (2, 12):
        section = make_category(slug=f"section-{size}")
        for n in range(size):
            make_article(slug=f"in-{size}-{n}", category=section)
        section.name = f"Renamed {size}"
        with CaptureQueriesContext(connection) as queries:
            section.save()
        counts.append(len(queries))
    assert counts[0] == counts[1]
    assert WebhookDelivery.objects.filter(event="updated").count() == 14


def test_webhook_entries_are_the_feed_entries_to_the_byte(
    settings, endpoint, receiver, editor, api_client, django_capture_on_commit_callbacks
):
    """The feed and the webhooks give one stored entry each (times included)."""
    settings.SITE_URL = "http://testserver"  # the feed's addresses are the request's origin
    start = (timezone.now() - timedelta(seconds=1)).isoformat()
    article = make_article(slug="port", category=make_category())
    receiver.requests.clear()
    with django_capture_on_commit_callbacks(execute=True):
        article.title = "A better headline"
        article.save()
    with django_capture_on_commit_callbacks(execute=True):
        article_unpublish(article=article, by=editor)
    with django_capture_on_commit_callbacks(execute=True):
        article_publish(article=article, by=editor)
    published = json.loads(receiver.requests[-1]["body"])["change"]
    live_entry = api_client.get("/api/v1/changes/", {"since": start}).json()["results"][-1]
    assert published == live_entry
    with django_capture_on_commit_callbacks(execute=True):
        article.delete()
    sent = [json.loads(request["body"])["change"] for request in receiver.requests]
    entries = api_client.get("/api/v1/changes/", {"since": start}).json()["results"]
    assert entries == [change for change in sent if change["change"] == "withdrawn"]
    assert [(entry["reason"]) for entry in entries] == ["unpublished", "deleted"]
