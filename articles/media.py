"""Who may fetch an uploaded file: the embargo holds for images too.

A file is public while an article that shows it is live: its hero image (the original), the
renditions made from it, or the image of one of its live entries. Before the article's time,
or once it is unpublished, its files answer 404 like a name that never existed, even to someone
who has the URL (URLs leak through logs, caches and forwarded mails). Staff who may view
articles see them (the admin and its preview), and so does whoever holds a signed URL: the API
gives those to keys with the embargoed-copy permission, valid for a few minutes.
"""

import re

from django.core import signing
from django.db.models import Q

from articles.models import Article, LiveEntry
from articles.visibility import live_condition
from caching import tags

SIGNED_URL_SALT = "newsroom.media"
SIGNED_URL_SECONDS = 15 * 60
ACCESS_PARAMETER = "access"
RENDITION = re.compile(r"^renditions/(?P<digest>[0-9a-f]{16})/[^/]+$")


def rendition_digest(name: str) -> str:
    """The digest of the image a rendition was made from (articles.renditions names them so)."""
    match = RENDITION.match(name)
    return match["digest"] if match else ""


def is_public(name: str) -> bool:
    """Whether a live article shows the stored file `name`. A response that depends on it
    carries the tags of what it read (caching.tags), so a publish or an unpublish changes it."""
    tags.add("list:all")  # any article going live or offline
    if "\x00" in name:
        return False  # no stored name holds one (and PostgreSQL refuses it in a query)
    if name.startswith("live/"):
        entries = LiveEntry.objects.filter(live_condition("article__"), image=name)
        owner = entries.values_list("article_id", flat=True).first()
    else:
        digest = rendition_digest(name)
        shows_it = Q(hero_digest=digest) if digest else Q(hero_image=name)
        owner = Article.objects.live().filter(shows_it).values_list("pk", flat=True).first()
    if owner is None:
        return False
    tags.add(f"card:{owner}")  # the article's image changed: the old file is no longer its
    return True


def signed_query(name: str) -> str:
    """The query string that opens a file of an article not live yet, for a few minutes."""
    return f"{ACCESS_PARAMETER}={signing.dumps(name, salt=SIGNED_URL_SALT, compress=True)}"


def signature_opens(token: str | None, name: str) -> bool:
    if not token:
        return False
    try:
        signed = signing.loads(token, salt=SIGNED_URL_SALT, max_age=SIGNED_URL_SECONDS)
    except signing.BadSignature:
        return False
    return signed == name
