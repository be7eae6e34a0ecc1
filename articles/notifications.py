"""Who on the desk hears of what, by e-mail: editors when a piece is submitted, its writers
when it is returned or published. Sent through Django's e-mail backend once the change has
committed; a failing mail server never undoes or delays the change (it is logged)."""

import logging

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from articles.models import Article
from articles.tasks import enqueue, send_desk_mail

logger = logging.getLogger(__name__)


def writers_of(article: Article) -> list[str]:
    return [
        user.email
        for user in get_user_model()
        .objects.filter(author_profile__articles=article, is_active=True)
        .exclude(email="")
    ]


def editors() -> list[str]:
    publishers = Q(is_superuser=True) | Q(
        groups__permissions__codename="publish_article",
        groups__permissions__content_type__app_label="articles",
    )
    publishers |= Q(
        user_permissions__codename="publish_article",
        user_permissions__content_type__app_label="articles",
    )
    users = get_user_model().objects.filter(publishers, is_active=True, is_staff=True)
    return sorted(set(users.exclude(email="").values_list("email", flat=True)))


def name_of(user: AbstractBaseUser) -> str:
    return user.get_full_name() or user.get_username()


def admin_address(article: Article) -> str:
    return settings.SITE_URL + reverse("admin:articles_article_change", args=[article.pk])


def mail_after_commit(recipients: list[str], subject: str, body: str) -> None:
    """Send once the change has committed: by a worker with a broker (retried while the mail
    server is away), else from this process after the commit."""
    if not recipients:
        return

    def send():
        try:
            enqueue(send_desk_mail, subject, body, recipients)
        except Exception:  # a mail server's trouble must not reach the editor's save
            logger.exception("Could not send %r to %s", subject, recipients)

    transaction.on_commit(send)


def tell_editors_it_was_submitted(article: Article, by: AbstractBaseUser) -> None:
    mail_after_commit(
        editors(),
        f"For review: {article.title}",
        f"{name_of(by)} submitted “{article.title}” for review.\n\n{admin_address(article)}",
    )


def tell_writers_it_was_published(article: Article, by: AbstractBaseUser) -> None:
    when = (
        "is live now"
        if article.is_live
        else (f"goes live {timezone.localtime(article.goes_live_at):%b %-d, %H:%M}")
    )
    mail_after_commit(
        writers_of(article),
        f"Published: {article.title}",
        f"{name_of(by)} published “{article.title}”: it {when}.\n\n{admin_address(article)}",
    )


def tell_writers_it_was_returned(article: Article, by: AbstractBaseUser, note: str) -> None:
    mail_after_commit(
        writers_of(article),
        f"Changes requested: {article.title}",
        f"{name_of(by)} returned “{article.title}” to you:\n\n{note}\n\n{admin_address(article)}",
    )
