"""A complete JSON backup of the content, and its restore into an empty database.

Rows go through Django's serializers with their primary keys, so links between them (related
links, redirects, the changes feed's tombstones) survive as they are. Derived data is rebuilt on
restore rather than copied: search vectors (PostgreSQL-only) and the database's id sequences.
Hero image files live in MEDIA_ROOT; copy that directory beside the backup.
"""

from django.contrib.auth import get_user_model
from django.core import serializers
from django.core.management.color import no_style
from django.db import connection, transaction
from django.utils import timezone
from taggit.models import Tag

from articles.models import (
    Article,
    ArticleRedirect,
    ArticleWithdrawal,
    Author,
    Category,
    Correction,
    LiveEntry,
    RelatedLink,
    TaggedArticle,
)
from caching.freshness import content_changed

FORMAT = "newsroom-content"
VERSION = 1

# In dependency order: a row only points at rows listed before it.
SECTIONS = {
    "tags": (Tag, None),
    "categories": (Category, None),
    "authors": (Author, ["name", "slug", "bio"]),
    "articles": (Article, [f.name for f in Article._meta.fields if f.name != "search_vector"]),
    "article_authors": (Article.authors.through, None),
    "article_tags": (TaggedArticle, None),
    "related_links": (RelatedLink, None),
    "redirects": (ArticleRedirect, None),
    "withdrawals": (ArticleWithdrawal, None),
    # Staff accounts are not content: a note keeps no link to the account that wrote it.
    "corrections": (Correction, ["article", "kind", "text", "at"]),
    "live_entries": (LiveEntry, None),
}


class BackupError(Exception):
    pass


def export_content() -> dict:
    data = {"format": FORMAT, "version": VERSION, "exported_at": timezone.now().isoformat()}
    for section, (model, fields) in SECTIONS.items():
        rows = model.objects.order_by("pk")
        data[section] = [
            {"pk": row["pk"], **row["fields"]}
            for row in serializers.serialize("python", rows.iterator(), fields=fields)
        ]
    # Staff accounts are not content: an author keeps the username of the account it writes
    # for, and is linked to it again if the restored site has that account.
    usernames = dict(Author.objects.filter(user__isnull=False).values_list("pk", "user__username"))
    for author in data["authors"]:
        author["username"] = usernames.get(author["pk"])
    return data


def existing_content() -> dict[str, int]:
    counts = {section: model.objects.count() for section, (model, _) in SECTIONS.items()}
    return {section: count for section, count in counts.items() if count}


def import_content(data: dict) -> dict[str, int]:
    """Restore an export into a database without content; all or nothing."""
    check_format(data)
    if found := existing_content():
        raise BackupError(
            f"The database already holds content ({_describe(found)}); restore needs an empty one."
        )
    users = dict(get_user_model().objects.values_list("username", "pk"))
    counts = {}
    with transaction.atomic():
        for section, (model, _) in SECTIONS.items():
            rows = data.get(section, [])
            for row in rows:
                fields = {key: value for key, value in row.items() if key not in {"pk", "username"}}
                if model is Author:
                    fields["user"] = users.get(row.get("username"))
                record = {"model": model._meta.label_lower, "pk": row["pk"], "fields": fields}
                for deserialized in serializers.deserialize("python", [record]):
                    deserialized.save()
            counts[section] = len(rows)
        # Foreign keys are checked at commit; check them now so a broken file fails here.
        connection.check_constraints(
            table_names=[model._meta.db_table for model, _ in SECTIONS.values()]
        )
        reset_sequences()
        if connection.vendor == "postgresql":
            for article in Article.objects.only("pk").iterator():
                article.refresh_search_vector()
        content_changed()
    return counts


def check_format(data) -> None:
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise BackupError(f"Not a Newsroom content export (expected format {FORMAT!r}).")
    if data.get("version") != VERSION:
        raise BackupError(
            f"Export format version {data.get('version')!r} is not supported (this is {VERSION})."
        )


def reset_sequences() -> None:
    """Rows came in with their own ids: the next new row must not collide with them."""
    models = [model for model, _ in SECTIONS.values()]
    statements = connection.ops.sequence_reset_sql(no_style(), models)
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)


def _describe(counts: dict[str, int]) -> str:
    return ", ".join(f"{count} {section.replace('_', ' ')}" for section, count in counts.items())
