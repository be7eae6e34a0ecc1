"""Signed, expiring preview links for drafts and scheduled articles."""

from django.conf import settings
from django.core import signing

from articles.models import Article, PendingChange
from articles.pending import pending_stamp, with_pending_applied

SALT = "newsroom.preview"


def make_preview_token(
    article: Article, *, pin_version: bool = False, pending: PendingChange | None = None
) -> str:
    """A token for the article; pinned, it stops working once the article is saved again. With
    `pending`, it shows the changes waiting to be published, until they are saved again."""
    payload = {"a": article.pk, "s": article.status}
    if pin_version:
        payload["v"] = article.version
    if pending is not None:
        payload["c"] = pending_stamp(pending)
    return signing.dumps(payload, salt=SALT, compress=True)


def article_for_preview_token(token: str) -> tuple[Article, PendingChange | None] | None:
    """The article a token opens (with the pending change it shows, if it is one for those),
    or None if the token is bad, expired or spent."""
    try:
        payload = signing.loads(token, salt=SALT, max_age=settings.PREVIEW_MAX_AGE)
        article = Article.objects.for_detail().get(pk=int(payload["a"]))
    except (signing.BadSignature, Article.DoesNotExist, KeyError, TypeError, ValueError):
        return None
    # Unpublishing a piece that was shared while scheduled or in review revokes its links.
    if article.status == Article.Status.DRAFT and payload.get("s") != Article.Status.DRAFT:
        return None
    if "v" in payload and payload["v"] != article.version:
        return None
    if "c" in payload:
        pending = PendingChange.objects.filter(article=article).first()
        if pending is None or pending_stamp(pending) != payload["c"]:
            return None  # published, discarded or saved again since
        return with_pending_applied(article, pending), pending
    return article, None
