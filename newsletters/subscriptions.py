"""Subscribing with double opt-in, and leaving in one click.

Asking to subscribe stores nothing: it mails a signed link (valid CONFIRM_SECONDS) carrying the
address and the chosen lists, and the address is stored only when that link is confirmed. The
answer is the same whether or not the address is already subscribed, so nobody can probe the
list. Leaving deletes the address and keeps only a digest of it, to honour the choice.
"""

import hashlib

from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse

from newsletters.models import Subscriber, SubscriberEvent, Unsubscribed

CONFIRM_SALT = "newsletters.confirm"
UNSUBSCRIBE_SALT = "newsletters.unsubscribe"
CONFIRM_SECONDS = 2 * 24 * 3600
# Confirmation mails per address and requests per client, each per hour.
MAILS_PER_ADDRESS = 3
REQUESTS_PER_CLIENT = 20


def normalized(email: str) -> str:
    return email.strip().lower()


def digest(email: str) -> str:
    return hashlib.sha256(f"{settings.SECRET_KEY}:{normalized(email)}".encode()).hexdigest()


def record(action: str, email: str = "", *, detail: str = "", by=None) -> SubscriberEvent:
    """One line of the audit log (the address by its digest only)."""
    return SubscriberEvent.objects.create(
        action=action, digest=digest(email) if email else "", detail=detail[:200], by=by
    )


def lists_of(subscriber: Subscriber) -> str:
    chosen = [
        name
        for name, wanted in (("daily", subscriber.daily), ("breaking", subscriber.breaking))
        if wanted
    ]
    return ", ".join(chosen) or "no list"


def confirm_token(email: str, *, daily: bool, breaking: bool) -> str:
    return signing.dumps(
        {"e": normalized(email), "d": daily, "b": breaking}, salt=CONFIRM_SALT, compress=True
    )


def unsubscribe_token(email: str) -> str:
    return signing.dumps(normalized(email), salt=UNSUBSCRIBE_SALT, compress=True)


def unsubscribe_url(email: str) -> str:
    path = reverse("newsletters:unsubscribe", args=[unsubscribe_token(email)])
    return settings.SITE_URL + path


def over_limit(key: str, limit: int) -> bool:
    """Count one more for `key` this hour; True past `limit` (a cache that is down counts
    nothing: subscribing goes on)."""
    try:
        cache.add(key, 0, 3600)
        return cache.incr(key) > limit
    except Exception:
        return False


def client_over_limit(address: str) -> bool:
    return over_limit(f"newsletters:client:{address}", REQUESTS_PER_CLIENT)


def ask_to_subscribe(email: str, *, daily: bool, breaking: bool) -> None:
    """Mail a confirmation link to `email` (at most MAILS_PER_ADDRESS an hour)."""
    if over_limit(f"newsletters:address:{digest(email)}", MAILS_PER_ADDRESS):
        return  # the same answer, no more mail to that inbox this hour
    link = settings.SITE_URL + reverse(
        "newsletters:confirm", args=[confirm_token(email, daily=daily, breaking=breaking)]
    )
    lists = " and ".join(
        name
        for name, chosen in [("the daily edition", daily), ("breaking news", breaking)]
        if chosen
    )
    transaction.on_commit(
        lambda: send_mail(
            f"Confirm your subscription to {settings.SITE_NAME}",
            f"Someone, hopefully you, asked to receive {lists} from {settings.SITE_NAME} at "
            f"this address.\n\nTo confirm, open this link within two days:\n{link}\n\n"
            "If it wasn't you, ignore this mail: nothing is stored until the link is opened.",
            None,
            [normalized(email)],
        )
    )


def confirmed_choice(token: str) -> dict | None:
    try:
        return signing.loads(token, salt=CONFIRM_SALT, max_age=CONFIRM_SECONDS)
    except signing.BadSignature:
        return None


@transaction.atomic
def confirm(token: str) -> Subscriber | None:
    """Store the address a confirmation link names, with its lists; None for a bad or
    expired link."""
    choice = confirmed_choice(token)
    if not isinstance(choice, dict) or "e" not in choice:
        return None
    Unsubscribed.objects.filter(digest=digest(choice["e"])).delete()  # asked again, confirmed
    subscriber, created = Subscriber.objects.update_or_create(
        email=choice["e"],
        defaults={
            "daily": bool(choice.get("d")),
            "breaking": bool(choice.get("b")),
            "paused_at": None,
            "failures": 0,
        },
    )
    action = SubscriberEvent.Action.SUBSCRIBED if created else SubscriberEvent.Action.CHANGED
    record(action, subscriber.email, detail=lists_of(subscriber))
    return subscriber


def address_of_unsubscribe_token(token: str) -> str | None:
    try:
        return signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except signing.BadSignature:
        return None


@transaction.atomic
def unsubscribe(email: str) -> None:
    """Delete the address; keep its digest only, so that nothing is ever sent to it again."""
    left, _ = Subscriber.objects.filter(email=normalized(email)).delete()
    _, new = Unsubscribed.objects.get_or_create(digest=digest(email))
    if left or new:  # a second click of the same link is not a second action
        record(SubscriberEvent.Action.UNSUBSCRIBED, email)
