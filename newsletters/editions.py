"""Editions: built from what was published, sent in batches that never send twice.

Each address gets a Delivery row, committed before its mail goes to the mail server, and marked
sent in the instant before the server takes the mail (newsletters.handover); a batch skips every
address that has one. Running a send again, or a worker resuming after a crash, sends only to
those left. A claim older than stale_claim() that never became "sent" is a worker that died
before the server could take its mail: that address is sent again.
"""

import smtplib
import time
from datetime import UTC, timedelta
from functools import partial
from urllib.parse import urlsplit

from django.conf import settings
from django.core.cache import cache
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone

from articles.models import Article
from newsletters.handover import hand_over
from newsletters.models import Delivery, Edition, Subscriber, SubscriberEvent
from newsletters.subscriptions import digest, record, unsubscribe_url

BATCH = 100
# Stories in a daily edition at most.
STORIES = 20
# A daily edition waiting this long unsent is yesterday's: today's is built afresh.
WAITS_AT_MOST = 20 * 3600


def stale_claim() -> timezone.timedelta:
    """Longer than any batch takes (100 mails): a "sending" claim this old was left by a worker
    that died (NEWSROOM_NEWSLETTER_STALE_CLAIM_SECONDS)."""
    return timedelta(seconds=settings.NEWSLETTER_STALE_CLAIM_SECONDS)


# Permanent failures (a refused address) before an address is paused.
FAILURES_BEFORE_PAUSE = 3


def stories_since(since, now) -> list[int]:
    """What went live after `since` (a day at most), featured first, newest first."""
    since = max(since, now - timedelta(days=1)) if since else now - timedelta(days=1)
    return list(
        Article.objects.live(now=now)
        .filter(published_at__gt=since)
        .order_by("-is_featured", "-published_at")
        .values_list("pk", flat=True)[:STORIES]
    )


def build_daily(*, now=None, send_at=None) -> Edition | None:
    """The daily edition of what went live since the last one; None if nothing did, or if one
    was built in the last hour."""
    now = now or timezone.now()
    last = Edition.objects.filter(kind=Edition.Kind.DAILY).first()
    if last is not None and (now - last.built_at).total_seconds() < 3600:
        return None
    ids = stories_since(last.built_at if last else None, now)
    if not ids:
        return None
    day = timezone.localtime(send_at or now)
    return Edition.objects.create(
        kind=Edition.Kind.DAILY,
        subject=f"{settings.SITE_NAME}: {day:%A, %B} {day.day}",
        article_ids=ids,
        built_at=now,
        send_at=send_at,
    )


def todays_daily(now) -> Edition | None:
    """The daily edition that goes now: the one waiting for today (as editors left it), the
    one just sent (a resumed send completes it), or one built now."""
    last = Edition.objects.filter(kind=Edition.Kind.DAILY).first()
    if last is not None:
        age = (now - last.built_at).total_seconds()
        if (last.sent_at is None and age < WAITS_AT_MOST) or age < 3600:
            return last
    return build_daily(now=now)


def send_daily(*, now=None) -> Edition | None:
    """What the timed task and `send_newsletter daily` do; None if nothing went live or an
    editor skipped today's edition."""
    now = now or timezone.now()
    edition = todays_daily(now)
    if edition is None or edition.skipped_at is not None:
        return None
    if edition.sent_at is None and edition.edited_at is None:
        # Untouched since its build: the stories published meanwhile join it.
        before = Edition.objects.filter(
            kind=Edition.Kind.DAILY, built_at__lt=edition.built_at
        ).first()
        fresh = stories_since(before.built_at if before else None, now)
        Edition.objects.filter(pk=edition.pk).update(article_ids=fresh or edition.article_ids)
        edition.refresh_from_db()
    send(edition)
    return edition


def recipients(edition: Edition):
    subscribers = Subscriber.objects.filter(paused_at__isnull=True)
    wanted = {"daily": True} if edition.kind == Edition.Kind.DAILY else {"breaking": True}
    done = Delivery.objects.filter(edition=edition).exclude(
        status=Delivery.Status.SENDING, at__lt=timezone.now() - stale_claim()
    )
    return subscribers.filter(**wanted).exclude(email__in=done.values("email"))


def articles_of(edition: Edition) -> list[Article]:
    """Its articles, in its order, that are still live."""
    live = Article.objects.live().select_related("category").in_bulk(edition.article_ids)
    return [live[pk] for pk in edition.article_ids if pk in live]


def message(edition: Edition, articles: list[Article], email: str) -> EmailMultiAlternatives:
    leave = unsubscribe_url(email)
    context = {
        "edition": edition,
        "articles": articles,
        "site_url": settings.SITE_URL,
        "site_name": settings.SITE_NAME,
        "unsubscribe_url": leave,
    }
    mail = EmailMultiAlternatives(
        edition.subject,
        render_to_string("newsletters/edition.txt", context),
        None,
        [email],
        headers={
            # The same for every copy of this edition to this address: a copy sent again after
            # a crash (see the module's docstring) is the same message to the receiving side.
            "Message-ID": message_id(edition, email),
            # One click to leave (RFC 8058), and a mail to leave for clients without it.
            "List-Unsubscribe": f"<{leave}>, <mailto:{settings.DEFAULT_FROM_EMAIL}?subject=unsubscribe>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    )
    mail.attach_alternative(render_to_string("newsletters/edition.html", context), "text/html")
    return mail


def take_sending_slot() -> None:
    """Wait for a place within NEWSROOM_NEWSLETTER_PER_MINUTE (shared by every worker through
    the cache); at once when there is no limit."""
    limit = settings.NEWSLETTER_PER_MINUTE
    while limit:
        minute = int(time.time() // 60)
        key = f"newsletters:sending:{minute}"
        cache.add(key, 0, 120)
        if cache.incr(key) <= limit:
            return
        sleep(60 - time.time() % 60 + 0.01)  # the next minute


sleep = time.sleep  # tests wait on their own clock


def message_id(edition: Edition, email: str) -> str:
    host = urlsplit(settings.SITE_URL).hostname or "newsroom.invalid"
    return f"<edition-{edition.pk}.{digest(email)[:32]}@{host}>"


def claim(edition: Edition, email: str) -> bool:
    """Record that `email` gets `edition` now; False if it has it, or another worker is
    sending it (a claim left by a dead worker is taken over)."""
    try:
        with transaction.atomic():
            Delivery.objects.create(edition=edition, email=email)
    except IntegrityError:
        now = timezone.now()
        abandoned = Delivery.objects.filter(
            edition=edition, email=email, status=Delivery.Status.SENDING, at__lt=now - stale_claim()
        )
        return abandoned.update(at=now) == 1  # one worker wins the take-over
    return True


def not_sent_yet(edition_id: int, emails: list[str]) -> list[str]:
    """Which of `emails` have no Delivery of the edition (the server said "try later")."""
    done = set(
        Delivery.objects.filter(edition_id=edition_id, email__in=emails).values_list(
            "email", flat=True
        )
    )
    return [email for email in emails if email not in done]


def claimed_elsewhere(edition_id: int, emails: list[str]) -> list[str]:
    """Which of `emails` another worker claimed and has not marked sent yet."""
    return list(
        Delivery.objects.filter(
            edition_id=edition_id, email__in=emails, status=Delivery.Status.SENDING
        ).values_list("email", flat=True)
    )


def send_batch(edition_id: int, emails: list[str]) -> int:
    """Send the edition to those of `emails` who don't have it; how many were sent. A mail
    server that is away raises (the batch is tried again); an address it asks to try later is
    left without a Delivery (tried again by the next run, or the task's retry); one it refuses
    for good is recorded as failed."""
    edition = Edition.objects.get(pk=edition_id)
    articles = articles_of(edition)
    sent = 0
    recorded: list[str] = []  # the addresses whose send is recorded
    with get_connection() as connection:
        for email in emails:
            if not claim(edition, email):
                continue
            take_sending_slot()
            record_sent = partial(mark_sent, edition, email, recorded)
            try:
                hand_over(
                    message(edition, articles, email), connection, before_accepting=record_sent
                )
            except Exception as trouble:
                if is_permanent(trouble):
                    record_failure(edition, email, trouble)
                    continue
                if email not in recorded:  # not handed over: this address is tried again
                    Delivery.objects.filter(edition=edition, email=email).delete()
                if isinstance(trouble, smtplib.SMTPRecipientsRefused):
                    continue  # "try later" for this address: the others go on
                raise
            sent += 1
    return sent


def mark_sent(edition: Edition, email: str, recorded: list[str]) -> None:
    Delivery.objects.filter(edition=edition, email=email).update(
        status=Delivery.Status.SENT, at=timezone.now()
    )
    recorded.append(email)


def is_permanent(trouble: Exception) -> bool:
    """A refusal for good (a 5xx answer), not a server that is away or asks to try later."""
    if isinstance(trouble, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _ in trouble.recipients.values())
    if isinstance(trouble, smtplib.SMTPResponseException):
        return trouble.smtp_code >= 500
    return not isinstance(trouble, OSError)  # a message that cannot be built, say


def record_failure(edition: Edition, email: str, error: Exception) -> None:
    Delivery.objects.filter(edition=edition, email=email).update(
        status=Delivery.Status.FAILED, error=str(error)[:300]
    )
    subscriber = Subscriber.objects.filter(email=email).first()
    if subscriber is not None:
        subscriber.failures += 1
        if subscriber.failures >= FAILURES_BEFORE_PAUSE and subscriber.paused_at is None:
            subscriber.paused_at = timezone.now()
            record(SubscriberEvent.Action.PAUSED, email, detail=str(error)[:200])
        subscriber.save(update_fields=["failures", "paused_at"])


def send(edition: Edition) -> None:
    """Queue the edition for everyone who wants it and doesn't have it, in batches."""
    from newsletters.tasks import enqueue_batch

    emails = list(recipients(edition).values_list("email", flat=True))
    for start in range(0, len(emails), BATCH):
        enqueue_batch(edition.pk, emails[start : start + BATCH])
    Edition.objects.filter(pk=edition.pk, sent_at__isnull=True).update(sent_at=timezone.now())


def send_time(now=None):
    """The next NEWSROOM_NEWSLETTER_DAILY_AT (UTC) from `now`."""
    now = now or timezone.now()
    hour, minute = (int(part) for part in settings.NEWSLETTER_DAILY_AT.split(":"))
    at = now.astimezone(UTC).replace(hour=hour, minute=minute, second=0, microsecond=0)
    return at if at > now else at + timedelta(days=1)
