"""Breaking news: one live article, sent at once to the subscribers who asked for it."""

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction

from articles.models import Article
from articles.services import require_publisher
from newsletters.editions import send
from newsletters.models import Edition


def already_sent(article: Article) -> bool:
    return Edition.objects.filter(kind=Edition.Kind.BREAKING, article_ids=[article.pk]).exists()


@transaction.atomic
def send_breaking_news(*, article: Article, by: AbstractBaseUser) -> Edition:
    require_publisher(by)
    if not article.is_live:
        raise ValidationError("Only a live article can go out as breaking news.")
    # One breaking-news mail per article, however often the button is pressed.
    Article.objects.select_for_update().filter(pk=article.pk).first()
    if already_sent(article):
        raise ValidationError("This article already went out as breaking news.")
    edition = Edition.objects.create(
        kind=Edition.Kind.BREAKING, subject=f"Breaking: {article.title}", article_ids=[article.pk]
    )
    transaction.on_commit(lambda: send(edition))
    return edition
