"""What a mail server refuses: an address it asks to try later is left for the next run (a
worker's batch asks again a minute later), a refusal for good is recorded and pauses the address
after three; everyone else gets the mail, once.
A real SMTP server on 127.0.0.1 (aiosmtpd with a refusing handler, in its own process)."""

import mailbox
import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from newsletters import editions
from newsletters.models import Delivery, Edition, Subscriber, SubscriberEvent
from tests.factories import make_article, make_category
from tests.processes import free_port

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def refusing_server(tmp_path, settings):
    """aiosmtpd with tests/newsletters/refusing_smtp.py's handler, from a copy outside the
    project (aiosmtpd's helper package is named `public`, as our app is)."""
    shutil.copy(Path(__file__).with_name("refusing_smtp.py"), tmp_path / "refusing_smtp.py")
    port = free_port()
    maildir = tmp_path / "maildir"
    server = subprocess.Popen(
        [sys.executable, "-m", "aiosmtpd", "-n", "-l", f"127.0.0.1:{port}"]
        + ["-c", "refusing_smtp.Refusing", str(maildir)],
        cwd=tmp_path,
        env={key: value for key, value in os.environ.items() if key != "PYTHONPATH"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 10
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            break
        except OSError:
            assert server.poll() is None, server.stderr.read().decode()
            assert time.monotonic() < deadline, "aiosmtpd did not start within 10 s"
            time.sleep(0.05)
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", port, 5
    yield lambda: sorted(message["To"] for message in mailbox.Maildir(maildir))
    server.terminate()
    server.wait(timeout=10)


def edition_of_the_day(n: int) -> Edition:
    story = make_article(title=f"Story {n}", category=make_category())
    return Edition.objects.create(kind="daily", subject=f"Day {n}", article_ids=[story.pk])


def test_refusals_for_now_are_retried_and_for_good_recorded(refusing_server):
    for email in ["a@example.com", "bounce@example.com", "later@example.com", "z@example.com"]:
        Subscriber.objects.create(email=email)
    edition = edition_of_the_day(1)
    editions.send(edition)  # without a broker: in this process
    assert refusing_server() == ["a@example.com", "z@example.com"]
    assert not Delivery.objects.filter(email="later@example.com").exists()
    editions.send(edition)  # run again (send_newsletter daily): who was to try later
    assert refusing_server() == ["a@example.com", "later@example.com", "z@example.com"]
    statuses = dict(Delivery.objects.values_list("email", "status"))
    assert statuses == {
        "a@example.com": "sent",
        "bounce@example.com": "failed",
        "later@example.com": "sent",
        "z@example.com": "sent",
    }
    failed = Delivery.objects.get(email="bounce@example.com")
    assert "550" in failed.error and "No such mailbox" in failed.error
    assert Subscriber.objects.get(email="bounce@example.com").failures == 1


def test_three_refusals_for_good_pause_the_address(refusing_server):
    Subscriber.objects.create(email="bounce@example.com")
    Subscriber.objects.create(email="reader@example.com")
    for day in (1, 2, 3):
        editions.send(edition_of_the_day(day))
    bounced = Subscriber.objects.get(email="bounce@example.com")
    assert bounced.failures == 3 and bounced.paused_at is not None
    assert SubscriberEvent.objects.filter(action="paused").count() == 1
    editions.send(edition_of_the_day(4))  # paused: not even tried
    assert not Delivery.objects.filter(
        email="bounce@example.com", edition__subject="Day 4"
    ).exists()
    assert refusing_server() == ["reader@example.com"] * 4


def test_a_mail_whose_send_cannot_be_recorded_is_not_delivered(refusing_server):
    from django.core.mail import EmailMessage, get_connection

    from newsletters.handover import hand_over

    def record_fails():
        raise RuntimeError("the database is away")

    with get_connection() as connection:
        lost = EmailMessage("First", "Body.", "news@example.com", ["a@example.com"])
        with pytest.raises(RuntimeError):
            hand_over(lost, connection, before_accepting=record_fails)
        assert refusing_server() == []  # not recorded, so not taken: the next run sends it
        recorded = []
        kept = EmailMessage(
            "Second", ".A line starting with a dot.", "news@example.com", ["z@example.com"]
        )
        hand_over(kept, connection, before_accepting=lambda: recorded.append(True))
    assert recorded == [True]
    assert refusing_server() == ["z@example.com"]
