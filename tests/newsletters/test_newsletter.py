"""The newsletter through a real SMTP server (aiosmtpd on 127.0.0.1, in a process of its own):
double opt-in, an edition that never goes out twice, and one click to leave."""

import html
import mailbox
import re
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from newsletters.editions import recipients, send_batch
from newsletters.models import Delivery, Edition, Subscriber, Unsubscribed
from newsletters.subscriptions import confirm_token, unsubscribe_token
from tests.articles.test_review import smtp_server  # noqa: F401 (a fixture)
from tests.factories import make_article, make_category

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def inbox(smtp_server, settings):  # noqa: F811
    port, maildir = smtp_server
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", port, 5
    settings.SITE_URL = "http://testserver"
    return lambda: list(mailbox.Maildir(maildir))


def minutes_ago(minutes: int):
    """A publication time inside today's edition (the factory's default grows older the later
    a test runs in a session)."""
    return timezone.now() - timedelta(minutes=minutes)


def text_of(message) -> str:
    parts = message.walk() if message.is_multipart() else [message]
    return "".join(
        part.get_payload(decode=True).decode()
        for part in parts
        if part.get_content_type() in {"text/plain", "text/html"}
    )


def test_subscribe_confirm_receive_an_edition_once_and_leave_in_one_click(inbox):
    reader = Client(enforce_csrf_checks=True)  # no cookie, no token: as a reader's browser
    asked = reader.post("/newsletter/", {"email": "Reader@Example.com", "daily": "on"})
    assert asked.status_code == 200 and "Check your inbox" in asked.content.decode()
    assert not asked.cookies and not Subscriber.objects.exists()  # nothing stored yet

    (confirmation,) = inbox()
    assert confirmation["To"] == "reader@example.com"
    link = re.search(r"http://testserver(/newsletter/confirm/[^\s]+/)", text_of(confirmation))[1]
    shown = reader.get(link)  # a mail scanner's GET confirms nothing
    assert shown.status_code == 200 and not Subscriber.objects.exists()
    assert reader.post(link).status_code == 200
    subscriber = Subscriber.objects.get()
    assert (subscriber.email, subscriber.daily, subscriber.breaking) == (
        "reader@example.com",
        True,
        False,
    )

    make_article(
        title="Cranes go electric",
        summary="The port retires its diesel cranes.",
        published_at=minutes_ago(5),
    )
    make_article(title="A draft", status="draft")
    call_command("send_newsletter", "daily")
    call_command("send_newsletter", "daily")  # run again: nothing twice
    editions = [
        m for m in inbox() if m["To"] == "reader@example.com" and "Confirm" not in m["Subject"]
    ]
    assert len(editions) == 1
    edition = editions[0]
    body = text_of(edition)
    assert "Cranes go electric" in body and "A draft" not in body
    assert "http://testserver/articles/" in body  # absolute links
    assert {part.get_content_type() for part in edition.walk()} >= {"text/plain", "text/html"}
    assert edition["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    leave = re.search(
        r"<http://testserver(/newsletter/unsubscribe/[^>]+/)>", edition["List-Unsubscribe"]
    )[1]
    assert "mailto:" in edition["List-Unsubscribe"]

    # RFC 8058: the mail client POSTs, with no cookie and no CSRF token.
    gone = Client(enforce_csrf_checks=True).post(leave, {"List-Unsubscribe": "One-Click"})
    assert gone.status_code == 200 and not gone.cookies
    assert not Subscriber.objects.exists() and Unsubscribed.objects.count() == 1
    assert "reader@example.com" not in str(list(Unsubscribed.objects.values()))


def test_the_answer_is_the_same_for_any_address_and_a_second_ask_mails_again(inbox):
    Subscriber.objects.create(email="known@example.com")
    reader = Client()
    known = reader.post("/newsletter/", {"email": "known@example.com", "daily": "on"})
    unknown = reader.post("/newsletter/", {"email": "new@example.com", "daily": "on"})
    assert known.status_code == unknown.status_code == 200
    assert known.content.decode() == unknown.content.decode()


def test_bad_input_and_bad_links_get_clear_answers(inbox):
    reader = Client()
    bad = reader.post("/newsletter/", {"email": "not an address", "daily": "on"})
    assert bad.status_code == 400 and "valid email" in bad.content.decode()
    nothing = reader.post("/newsletter/", {"email": "a@example.com"})
    assert nothing.status_code == 400 and "Choose the daily edition" in nothing.content.decode()
    assert reader.get("/newsletter/confirm/forged/").status_code == 404
    assert reader.post("/newsletter/unsubscribe/forged/").status_code == 404
    token = confirm_token("late@example.com", daily=True, breaking=False)
    with time_machine.travel(timezone.now() + timedelta(days=3)):
        assert reader.post(f"/newsletter/confirm/{token}/").status_code == 404
    assert not Subscriber.objects.exists() and inbox() == []


def test_a_get_of_the_unsubscribe_link_only_asks(inbox):
    Subscriber.objects.create(email="stays@example.com")
    page = Client().get(f"/newsletter/unsubscribe/{unsubscribe_token('stays@example.com')}/")
    assert page.status_code == 200 and "Unsubscribe me" in page.content.decode()
    assert Subscriber.objects.filter(email="stays@example.com").exists()


def test_asking_is_throttled_per_address_and_per_client(inbox, settings):
    reader = Client()
    for _ in range(5):
        reader.post("/newsletter/", {"email": "many@example.com", "daily": "on"})
    assert len(inbox()) == 3  # at most three confirmation mails an hour to one inbox
    for n in range(20):
        reader.post("/newsletter/", {"email": f"x{n}@example.com", "daily": "on"})
    refused = reader.post("/newsletter/", {"email": "one-more@example.com", "daily": "on"})
    assert refused.status_code == 429


def test_a_resumed_send_skips_every_address_already_recorded(inbox):
    make_article(title="Today's story", category=make_category())
    for n in range(6):
        Subscriber.objects.create(email=f"r{n}@example.com")
    edition = Edition.objects.create(kind="daily", subject="Today", article_ids=[])
    # Left by workers: one sent, one being sent right now, one claimed by a worker that died.
    Delivery.objects.create(edition=edition, email="r0@example.com", status="sent")
    Delivery.objects.create(edition=edition, email="r1@example.com", status="sending")
    Delivery.objects.create(
        edition=edition,
        email="r2@example.com",
        status="sending",
        at=timezone.now() - timedelta(minutes=11),
    )
    assert sorted(recipients(edition).values_list("email", flat=True)) == [
        f"r{n}@example.com" for n in range(2, 6)
    ]
    emails = [f"r{n}@example.com" for n in range(6)]
    assert send_batch(edition.pk, emails) == 4
    assert send_batch(edition.pk, emails) == 0  # and again: nothing
    assert sorted(m["To"] for m in inbox()) == [f"r{n}@example.com" for n in range(2, 6)]
    assert Delivery.objects.filter(edition=edition, status="sent").count() == 5


def test_the_mail_and_the_pages_pass_the_nu_html_checker(tmp_path, settings):
    import json
    import subprocess

    from newsletters.editions import articles_of, message
    from tests.public.test_html_valid import checker

    settings.SITE_URL = "http://testserver"
    story = make_article(title="Cranes & quiet", category=make_category())
    edition = Edition.objects.create(
        kind="daily", subject="Today", note="A note on top.", article_ids=[story.pk]
    )
    mail = message(edition, articles_of(edition), "reader@example.com")
    files = {"edition.html": mail.alternatives[0][0]}
    reader = Client()
    files["subscribe.html"] = reader.get("/newsletter/").content.decode()
    token = confirm_token("reader@example.com", daily=True, breaking=False)
    files["confirm.html"] = reader.get(f"/newsletter/confirm/{token}/").content.decode()
    files["unsubscribe.html"] = reader.get(
        f"/newsletter/unsubscribe/{unsubscribe_token('reader@example.com')}/"
    ).content.decode()
    for name, page in files.items():
        (tmp_path / name).write_text(page)
    checked = subprocess.run(
        [*checker(), *(str(tmp_path / name) for name in files)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    errors = [m for m in json.loads(checked.stdout)["messages"] if m["type"] == "error"]
    assert errors == []


def test_the_timed_task_builds_and_sends_the_daily_edition_once(inbox, settings):
    from newsletters.tasks import send_daily_edition

    assert settings.CELERY_BEAT_SCHEDULE["newsletter-daily"]["task"] == (
        "newsletters.tasks.send_daily_edition"
    )
    Subscriber.objects.create(email="daily@example.com")
    Subscriber.objects.create(email="breaking-only@example.com", daily=False, breaking=True)
    make_article(title="What happened today", category=make_category(), published_at=minutes_ago(5))
    edition = send_daily_edition()
    assert edition is not None
    assert send_daily_edition() == edition  # within the hour: the same one, completed
    assert [m["To"] for m in inbox()] == ["daily@example.com"]  # nobody twice


def test_the_edition_is_built_for_editors_before_it_goes(inbox, settings):
    from newsletters.tasks import build_daily_edition, send_daily_edition

    build = settings.CELERY_BEAT_SCHEDULE["newsletter-build"]["schedule"]
    send = settings.CELERY_BEAT_SCHEDULE["newsletter-daily"]["schedule"]
    assert (build.hour, build.minute, send.hour, send.minute) == ({17}, {0}, {18}, {0})
    Subscriber.objects.create(email="daily@example.com")
    with time_machine.travel(datetime(2026, 12, 4, 17, 0, tzinfo=UTC), tick=False) as clock:
        make_article(
            title="What happened today",
            category=make_category(),
            published_at=timezone.now() - timedelta(hours=2),
        )
        waiting = Edition.objects.get(pk=build_daily_edition())
        assert waiting.send_at == datetime(2026, 12, 4, 18, 0, tzinfo=UTC)
        assert waiting.sent_at is None and inbox() == []  # it waits for editors
        clock.move_to(waiting.send_at)
        assert send_daily_edition() == waiting.pk
    assert [m["To"] for m in inbox()] == ["daily@example.com"]


def test_breaking_news_goes_out_once_to_those_who_asked(inbox, django_user_model):
    from tests.articles.test_working_copies import signed_in, staff

    editor = staff(django_user_model, "eddie")
    writer = staff(django_user_model, "wendy", "Writers")
    Subscriber.objects.create(email="breaking@example.com", daily=False, breaking=True)
    Subscriber.objects.create(email="daily-only@example.com")
    story = make_article(title="The bridge is closed", category=make_category())
    form = signed_in(editor).get(f"/admin/articles/article/{story.pk}/change/").content.decode()
    button = f'formaction="/admin/newsletters/edition/breaking/{story.pk}/"'
    assert button in form
    assert (
        button
        not in signed_in(writer).get(f"/admin/articles/article/{story.pk}/change/").content.decode()
    )
    url = f"/admin/newsletters/edition/breaking/{story.pk}/"
    assert signed_in(writer).post(url).status_code == 403
    assert signed_in(editor).post(url).status_code == 302
    again = signed_in(editor).post(url, follow=True)
    assert "already went out as breaking news" in again.content.decode()
    assert [(m["To"], m["Subject"]) for m in inbox()] == [
        ("breaking@example.com", "Breaking: The bridge is closed")
    ]
    draft = make_article(status="draft", category=story.category)
    refused = signed_in(editor).post(
        f"/admin/newsletters/edition/breaking/{draft.pk}/", follow=True
    )
    assert "Only a live article" in refused.content.decode()


def test_an_editor_previews_an_edition_and_sends_a_test_to_themselves(inbox, django_user_model):
    from tests.articles.test_working_copies import signed_in, staff

    editor = staff(django_user_model, "eddie")
    editor.email = "eddie@example.com"
    editor.save()
    Subscriber.objects.create(email="reader@example.com")
    story = make_article(title="Tonight's story", category=make_category())
    edition = Edition.objects.create(kind="daily", subject="Tonight", article_ids=[story.pk])
    desk = signed_in(editor)
    preview = desk.get(f"/admin/newsletters/edition/{edition.pk}/preview/")
    assert preview.status_code == 200
    assert "Tonight's story" in html.unescape(preview.content.decode())
    desk.post(
        "/admin/newsletters/edition/",
        {"action": "send_test_to_me", "_selected_action": [edition.pk]},
    )
    assert [(m["To"], m["Subject"]) for m in inbox()] == [("eddie@example.com", "[Test] Tonight")]
    assert not Delivery.objects.exists()  # a test is not a send: the edition still goes to all
