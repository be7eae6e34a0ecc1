"""Editions: built from what was published, sent in batches that never send twice.

Each address gets a Delivery row, committed before its mail is handed to the mail server and
marked sent once the server took it; a batch skips every address that has one. Running a send
again, or a worker resuming after a crash, sends only to those left. A claim older than
stale_claim() that never became "sent" is a worker that died mid-send: that address is sent
again (it can get a second copy only if the server took the mail in the instant before).
"""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone

from articles.models import Article
from newsletters.models import Delivery, Edition, Subscriber
from newsletters.subscriptions import unsubscribe_url

BATCH = 100


def stale_claim() -> timezone.timedelta:
    """Longer than any batch takes (100 mails): a "sending" claim this old was left by a worker
    that died (NEWSROOM_NEWSLETTER_STALE_CLAIM_SECONDS)."""
    return timezone.timedelta(seconds=settings.NEWSLETTER_STALE_CLAIM_SECONDS)


# Permanent failures (a refused address) before an address is paused.
FAILURES_BEFORE_PAUSE = 3


def build_daily(*, now=None) -> Edition | None:
    """The daily edition of what went live since the last one (a day at most); None if
    nothing did, or if one was built in the last hour."""
    now = now or timezone.now()
    last = Edition.objects.filter(kind=Edition.Kind.DAILY).first()
    if last is not None and (now - last.built_at).total_seconds() < 3600:
        return None
    since = (
        max(last.built_at, now - timezone.timedelta(days=1))
        if last
        else now - timezone.timedelta(days=1)
    )
    ids = list(
        Article.objects.live(now=now)
        .filter(published_at__gt=since)
        .order_by("-is_featured", "-published_at")
        .values_list("pk", flat=True)[:20]
    )
    if not ids:
        return None
    day = timezone.localtime(now)
    return Edition.objects.create(
        kind=Edition.Kind.DAILY,
        subject=f"{settings.SITE_NAME}: {day:%A, %B} {day.day}",
        article_ids=ids,
        built_at=now,
    )


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
            # One click to leave (RFC 8058), and a mail to leave for clients without it.
            "List-Unsubscribe": f"<{leave}>, <mailto:{settings.DEFAULT_FROM_EMAIL}?subject=unsubscribe>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    )
    mail.attach_alternative(render_to_string("newsletters/edition.html", context), "text/html")
    return mail


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


def send_batch(edition_id: int, emails: list[str]) -> int:
    """Send the edition to those of `emails` who don't have it; how many were sent."""
    edition = Edition.objects.get(pk=edition_id)
    articles = articles_of(edition)
    sent = 0
    with get_connection() as connection:
        for email in emails:
            if not claim(edition, email):
                continue
            mail = message(edition, articles, email)
            mail.connection = connection
            try:
                mail.send()
            except OSError as trouble:  # the server is away: this address is tried again
                Delivery.objects.filter(edition=edition, email=email).delete()
                raise trouble
            except Exception as refused:  # the server refused this address
                record_failure(edition, email, refused)
                continue
            Delivery.objects.filter(edition=edition, email=email).update(
                status=Delivery.Status.SENT, at=timezone.now()
            )
            sent += 1
    return sent


def record_failure(edition: Edition, email: str, error: Exception) -> None:
    Delivery.objects.filter(edition=edition, email=email).update(
        status=Delivery.Status.FAILED, error=str(error)[:300]
    )
    subscriber = Subscriber.objects.filter(email=email).first()
    if subscriber is not None:
        subscriber.failures += 1
        if subscriber.failures >= FAILURES_BEFORE_PAUSE:
            subscriber.paused_at = timezone.now()
        subscriber.save(update_fields=["failures", "paused_at"])


def send(edition: Edition) -> None:
    """Queue the edition for everyone who wants it and doesn't have it, in batches."""
    from newsletters.tasks import enqueue_batch

    emails = list(recipients(edition).values_list("email", flat=True))
    for start in range(0, len(emails), BATCH):
        enqueue_batch(edition.pk, emails[start : start + BATCH])
    Edition.objects.filter(pk=edition.pk, sent_at__isnull=True).update(sent_at=timezone.now())
