"""Review both ways: an editor returns a piece with a note, the desk keeps notes (never public),
and the people concerned hear of it by e-mail, through a real SMTP server too."""

import json
import mailbox
import os
import socket
import subprocess
import sys
import time

import pytest
from django.core import mail
from django.test import Client

from articles.backup import export_content
from articles.models import Article, EditorialNote
from tests.articles.test_editorial import change_url, form_data
from tests.articles.test_working_copies import signed_in, staff
from tests.factories import ensure_editorial_roles, make_article, make_author, make_category

pytestmark = pytest.mark.django_db


@pytest.fixture
def desk(django_user_model):
    ensure_editorial_roles()  # a transactional test before may have flushed the groups
    writer = staff(django_user_model, "wendy", "Writers")
    writer.email = "wendy@example.com"
    writer.save()
    editor = staff(django_user_model, "eddie", "Editors")
    editor.email = "eddie@example.com"
    editor.save()
    author = make_author(name="Wendy Writer", slug="wendy", user=writer)
    piece = make_article(
        title="Port cranes",
        status=Article.Status.REVIEW,
        authors=[author],
        category=make_category(),
    )
    return {"writer": writer, "editor": editor, "piece": piece}


def request_changes(client, article, note):
    return client.post(
        change_url(article),
        form_data(article, editorial_note=note, _request_changes="Request changes"),
    )


@pytest.mark.django_db(transaction=True)
def test_an_editor_returns_a_piece_with_a_note_and_the_writer_sees_it(desk):
    piece = desk["piece"]
    mail.outbox.clear()
    with_note = request_changes(signed_in(desk["editor"]), piece, "Add the union's view.")
    assert with_note.status_code == 302
    piece.refresh_from_db()
    assert piece.status == Article.Status.DRAFT
    note = EditorialNote.objects.get()
    assert (note.kind, note.text, note.written_by) == (
        "changes_requested",
        "Add the union's view.",
        desk["editor"],
    )
    assert [(m.to, m.subject) for m in mail.outbox] == [
        (["wendy@example.com"], "Changes requested: Port cranes")
    ]
    assert "Add the union's view." in mail.outbox[0].body

    writer = signed_in(desk["writer"])
    form = writer.get(change_url(piece)).content.decode()
    assert "Returned with changes requested" in form and "Add the union&#x27;s view." in form
    home = writer.get("/admin/").content.decode()
    returned = home.split('id="desk-returned"')[1].split("</section>")[0]
    assert "Port cranes" in returned and "Add the union&#x27;s view." in returned

    # The writer resolves it with the next save and submits again: the editors hear of it.
    mail.outbox.clear()
    piece.refresh_from_db()
    resent = writer.post(
        change_url(piece),
        form_data(piece, resolve_notes=[note.pk], _submit_review="Submit for review"),
    )
    assert resent.status_code == 302
    note.refresh_from_db()
    assert note.resolved_by == desk["writer"] and note.resolved_at is not None
    assert [(m.to, m.subject) for m in mail.outbox] == [
        (["eddie@example.com"], "For review: Port cranes")
    ]
    assert 'id="desk-returned"' in writer.get("/admin/").content.decode()
    assert (
        "Port cranes"
        not in (
            writer.get("/admin/")
            .content.decode()
            .split('id="desk-returned"')[1]
            .split("</section>")[0]
        )
    )


def test_returning_needs_a_note_a_piece_in_review_and_an_editor(desk):
    piece = desk["piece"]
    editor = signed_in(desk["editor"])
    no_note = request_changes(editor, piece, "  ")
    assert no_note.status_code == 200
    assert "Say what to change" in no_note.content.decode()
    writer_tries = request_changes(signed_in(desk["writer"]), piece, "Do better.")
    assert writer_tries.status_code == 200
    assert "Only editors" in writer_tries.content.decode()
    draft = make_article(status=Article.Status.DRAFT, category=piece.category)
    on_a_draft = request_changes(editor, draft, "Nothing to return.")
    assert "Only a piece in review" in on_a_draft.content.decode()
    piece.refresh_from_db()
    assert piece.status == Article.Status.REVIEW and not EditorialNote.objects.exists()


def test_notes_and_replies_stay_on_the_desk(desk, api_client):
    live = make_article(slug="on-the-site", title="On the site", category=make_category())
    editor = signed_in(desk["editor"])
    assert (
        editor.post(
            change_url(live), form_data(live, editorial_note="Check the second figure.")
        ).status_code
        == 302
    )
    first = EditorialNote.objects.get()
    live.refresh_from_db()
    editor.post(
        change_url(live),
        form_data(live, editorial_note="Checked: it is right.", reply_to_note=first.pk),
    )
    reply = EditorialNote.objects.exclude(pk=first.pk).get()
    assert reply.reply_to == first
    form = editor.get(change_url(live)).content.decode()
    assert "Check the second figure." in form and "Checked: it is right." in form
    # Nowhere public, in no backup.
    for text in ["second figure", "it is right"]:
        assert text not in Client().get("/articles/on-the-site/").content.decode()
        assert text not in Client().get("/feed/").content.decode()
        assert text not in json.dumps(api_client.get("/api/v1/articles/on-the-site/").json())
        assert text not in json.dumps(export_content(), default=str)
    # Resolving the note resolves its replies.
    live.refresh_from_db()
    editor.post(change_url(live), form_data(live, resolve_notes=[first.pk]))
    assert EditorialNote.objects.filter(resolved_at__isnull=True).count() == 0


def test_a_reply_to_a_note_of_another_article_is_refused(desk):
    other = make_article(category=make_category())
    foreign = EditorialNote.objects.create(article=other, text="Elsewhere")
    live = make_article(category=other.category)
    answer = signed_in(desk["editor"]).post(
        change_url(live), form_data(live, editorial_note="x", reply_to_note=foreign.pk)
    )
    assert answer.status_code == 200  # not one of this article's notes: a form error
    assert EditorialNote.objects.count() == 1


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.mark.django_db(transaction=True)
def test_a_mail_server_that_is_down_never_undoes_the_save(desk, settings, caplog):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", free_port(), 2
    piece = desk["piece"]
    returned = request_changes(signed_in(desk["editor"]), piece, "Shorter, please.")
    assert returned.status_code == 302
    piece.refresh_from_db()
    assert piece.status == Article.Status.DRAFT
    assert "Could not send" in caplog.text


@pytest.fixture
def smtp_server(tmp_path):
    """aiosmtpd's server on 127.0.0.1 in a process of its own (its `public` helper package
    shares our app's name), delivering into a maildir; stopped after the test."""
    port = free_port()
    maildir = tmp_path / "maildir"
    server = subprocess.Popen(
        [sys.executable, "-m", "aiosmtpd", "-n", "-l", f"127.0.0.1:{port}"]
        + ["-c", "aiosmtpd.handlers.Mailbox", str(maildir)],
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
    yield port, maildir
    server.terminate()
    server.wait(timeout=10)


@pytest.mark.django_db(transaction=True)
def test_the_mail_reaches_a_real_smtp_server(desk, settings, smtp_server):
    port, maildir = smtp_server
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", port, 5
    request_changes(signed_in(desk["editor"]), desk["piece"], "Add a photo credit.")
    delivered = list(mailbox.Maildir(maildir))
    assert len(delivered) == 1
    message = delivered[0]
    assert message["To"] == "wendy@example.com"
    assert message["Subject"] == "Changes requested: Port cranes"
    assert "Add a photo credit." in message.get_payload(decode=True).decode()
