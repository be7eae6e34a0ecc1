# ruff: noqa: F811 (inbox and smtp_server are fixtures imported from the other newsletter tests)
"""Editors shape the daily edition before it goes (reorder, a note on top, leave out, add, skip),
sending keeps to a rate per minute, and every subscriber action is in the audit log, which
keeps no address; the list exports as CSV. Mail goes through a real SMTP server."""

import csv
import io
from datetime import timedelta

import pytest
import time_machine
from django.core.management import call_command
from django.utils import timezone

from newsletters import editions
from newsletters.models import Delivery, Edition, Subscriber, SubscriberEvent
from newsletters.subscriptions import confirm, confirm_token, digest, unsubscribe
from tests.articles.test_review import smtp_server  # noqa: F401 (a fixture)
from tests.articles.test_working_copies import signed_in, staff
from tests.factories import make_article, make_category
from tests.newsletters.test_newsletter import (  # noqa: F401 (inbox: a fixture)
    inbox,
    minutes_ago,
    text_of,
)

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def waiting(db):
    """Today's edition, built an hour before it goes, with three stories."""
    Subscriber.objects.create(email="reader@example.com")
    section = make_category()
    stories = [
        make_article(title=title, category=section, published_at=minutes_ago(minutes))
        for title, minutes in [("Harbour", 10), ("Bridge", 20), ("Tram", 30)]
    ]
    edition = editions.build_daily(send_at=timezone.now() + timedelta(hours=1))
    assert edition.article_ids == [story.pk for story in stories]
    return edition, stories


def change_form(edition, **data):
    form = {"subject": edition.subject, "note": ""}
    for place, pk in enumerate(edition.article_ids, start=1):
        form[f"place_{pk}"] = str(place)
    form.update(data)
    return form


def titles_in(message) -> list[str]:
    """The stories' titles in the order the plain-text part gives them."""
    body = text_of(message)  # the plain-text part first
    shown = [title for title in ("Harbour", "Bridge", "Tram", "Late") if title in body]
    return sorted(shown, key=body.index)


def test_an_editor_reorders_adds_a_note_leaves_out_and_adds_a_story(
    inbox, waiting, django_user_model
):
    edition, (harbour, bridge, tram) = waiting
    late = make_article(title="Late", category=harbour.category, published_at=minutes_ago(1))
    desk = signed_in(staff(django_user_model, "eddie"))
    url = f"/admin/newsletters/edition/{edition.pk}/change/"
    page = desk.get(url).content.decode()
    assert "Stories, in the order they go" in page and "Waiting: goes at" in page
    assert f'name="place_{tram.pk}"' in page and 'aria-label="Leave out “Bridge”"' in page
    saved = desk.post(
        url,
        change_form(
            edition,
            note="Our reporters were at the harbour all night.",
            **{f"place_{tram.pk}": "1", f"leave_out_{bridge.pk}": "on", "add_article": late.pk},
        ),
    )
    assert saved.status_code == 302
    edition.refresh_from_db()
    assert edition.article_ids == [tram.pk, harbour.pk, late.pk]
    assert edition.edited_at is not None

    call_command("send_newsletter", "daily")
    (mail,) = inbox()
    assert titles_in(mail) == ["Tram", "Harbour", "Late"]
    body = text_of(mail)
    assert body.index("Our reporters were at the harbour all night.") < body.index("Tram")
    # Gone out: nothing about it changes any more.
    assert desk.post(url, change_form(edition, note="Too late")).status_code == 403


def test_a_skipped_edition_goes_to_nobody(inbox, waiting, django_user_model):
    edition, _ = waiting
    desk = signed_in(staff(django_user_model, "eddie"))
    url = f"/admin/newsletters/edition/{edition.pk}/change/"
    assert desk.post(url, change_form(edition, skip="on")).status_code == 302
    assert editions.send_daily() is None
    with pytest.raises(Exception, match="editors skipped it"):
        call_command("send_newsletter", "daily")
    assert inbox() == [] and not Delivery.objects.exists()
    assert "Skipped" in desk.get("/admin/newsletters/edition/").content.decode()


def test_an_untouched_edition_takes_the_stories_published_since_its_build(inbox, waiting):
    edition, (harbour, *_) = waiting
    make_article(title="Late", category=harbour.category, published_at=minutes_ago(0))
    assert editions.send_daily() == edition
    (mail,) = inbox()
    assert titles_in(mail)[0] == "Late"


@pytest.mark.parametrize(
    "change, message",
    [
        ({"place": "0"}, "Ensure this value is greater than or equal to 1."),
        ({"place": "first"}, "Enter a whole number."),
        ({"leave_out_all": True}, "An edition needs one story at least (or skip it)."),
    ],
)
def test_bad_changes_are_refused_and_change_nothing(waiting, django_user_model, change, message):
    edition, stories = waiting
    desk = signed_in(staff(django_user_model, "eddie"))
    data = change_form(edition)
    if "place" in change:
        data[f"place_{stories[0].pk}"] = change["place"]
    else:
        data.update({f"leave_out_{story.pk}": "on" for story in stories})
    refused = desk.post(f"/admin/newsletters/edition/{edition.pk}/change/", data)
    assert refused.status_code == 200
    assert message in refused.content.decode()
    assert Edition.objects.get(pk=edition.pk).article_ids == edition.article_ids


def test_writers_cannot_change_editions(waiting, django_user_model):
    edition, _ = waiting
    writer = signed_in(staff(django_user_model, "wendy", "Writers"))
    url = f"/admin/newsletters/edition/{edition.pk}/change/"
    assert writer.get(url).status_code == 403
    assert writer.post(url, change_form(edition, skip="on")).status_code == 403
    assert Edition.objects.get(pk=edition.pk).skipped_at is None


def test_sending_keeps_to_the_rate_per_minute(inbox, settings, monkeypatch):
    settings.NEWSLETTER_PER_MINUTE = 3
    for n in range(7):
        Subscriber.objects.create(email=f"r{n}@example.com")
    story = make_article(title="Harbour", category=make_category(), published_at=minutes_ago(5))
    edition = Edition.objects.create(kind="daily", subject="Today", article_ids=[story.pk])
    with time_machine.travel(timezone.now().replace(second=1), tick=False) as clock:
        # Waiting for the next minute moves the test's clock instead of sleeping.
        monkeypatch.setattr(editions, "sleep", lambda seconds: clock.shift(seconds))
        editions.send(edition)
    per_minute = sorted(
        {
            minute: count
            for minute in set(Delivery.objects.values_list("at__minute", flat=True))
            for count in [Delivery.objects.filter(at__minute=minute).count()]
        }.values(),
        reverse=True,
    )
    assert per_minute == [3, 3, 1]
    assert len(inbox()) == 7


def events():
    return list(SubscriberEvent.objects.order_by("pk").values_list("action", "digest", "detail"))


def test_every_subscriber_action_is_logged_by_digest_only(db, django_user_model):
    confirm(confirm_token("Reader@Example.com", daily=True, breaking=False))
    confirm(confirm_token("reader@example.com", daily=True, breaking=True))
    unsubscribe("reader@example.com")
    unsubscribe("reader@example.com")  # the same link twice: one action
    mark = digest("reader@example.com")
    assert events() == [
        ("subscribed", mark, "daily"),
        ("changed", mark, "daily, breaking"),
        ("unsubscribed", mark, ""),
    ]
    # Gone: the address is nowhere, the log names its digest only.
    assert not Subscriber.objects.exists()
    assert "reader@example.com" not in str(list(SubscriberEvent.objects.values()))

    editor = signed_in(staff(django_user_model, "eddie"))
    found = editor.get("/admin/newsletters/subscriberevent/?q=READER@example.com").content.decode()
    assert found.count("Unsubscribed</td>") == 1 and "Subscribed (confirmed)" in found
    other = editor.get("/admin/newsletters/subscriberevent/?q=other@example.com").content.decode()
    assert "0 subscriber events" in other
    assert editor.post("/admin/newsletters/subscriberevent/add/").status_code == 403


def test_staff_edits_and_deletes_are_logged_with_who(db, django_user_model):
    eddie = staff(django_user_model, "eddie")
    subscriber = Subscriber.objects.create(email="reader@example.com")
    desk = signed_in(eddie)
    desk.post(
        f"/admin/newsletters/subscriber/{subscriber.pk}/change/",
        {
            "email": "reader@example.com",
            "breaking": "on",
            "confirmed_at_0": "2026-12-01",
            "confirmed_at_1": "10:00",
            "failures": "0",
        },
    )
    desk.post(
        "/admin/newsletters/subscriber/",
        {"action": "delete_selected", "_selected_action": [subscriber.pk], "post": "yes"},
    )
    assert events() == [
        ("edited", digest("reader@example.com"), "breaking"),
        ("deleted", digest("reader@example.com"), ""),
    ]
    assert set(SubscriberEvent.objects.values_list("by", flat=True)) == {eddie.pk}


def test_the_list_exports_as_csv_from_the_admin_and_the_command(db, django_user_model, capsys):
    Subscriber.objects.create(email="b@example.com", breaking=True)
    Subscriber.objects.create(email="a@example.com", daily=False, breaking=True)
    desk = signed_in(staff(django_user_model, "eddie"))
    response = desk.post(
        "/admin/newsletters/subscriber/",
        {
            "action": "export_csv",
            "_selected_action": list(Subscriber.objects.values_list("pk", flat=True)),
        },
    )
    assert response["Content-Disposition"] == 'attachment; filename="subscribers.csv"'
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == ["email", "daily", "breaking", "confirmed_at"]
    assert [row[:3] for row in rows[1:]] == [
        ["a@example.com", "0", "1"],
        ["b@example.com", "1", "1"],
    ]
    out = io.StringIO()
    call_command("export_subscribers", stdout=out)
    assert list(csv.reader(io.StringIO(out.getvalue())))[1:] == rows[1:]
    assert [(action, detail) for action, _, detail in events()] == [
        ("exported", "2 addresses"),
        ("exported", "2 addresses (manage.py)"),
    ]


def test_every_copy_of_an_edition_to_an_address_has_the_same_message_id(db, settings):
    settings.SITE_URL = "https://news.example.org"
    edition = Edition.objects.create(kind="daily", subject="Today", article_ids=[])
    first = editions.message(edition, [], "reader@example.com").message()["Message-ID"]
    again = editions.message(edition, [], "reader@example.com").message()["Message-ID"]
    other = editions.message(edition, [], "other@example.com").message()["Message-ID"]
    assert first == again and first != other
    assert first.startswith(f"<edition-{edition.pk}.") and first.endswith("@news.example.org>")
