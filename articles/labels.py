"""Tags and bylines as small value objects, attached to a batch of articles in one query: what a
card, a page or an API row shows of them without loading the tag and author rows."""

from collections import defaultdict
from typing import NamedTuple

from django.apps import apps
from django.db.models import Value

from articles.addresses import slug_url
from caching import tags


class TagLabel(NamedTuple):
    slug: str
    name: str

    def get_absolute_url(self) -> str:
        return slug_url("articles:tag", self.slug)


class AuthorLabel(NamedTuple):
    slug: str
    name: str

    def get_absolute_url(self) -> str:
        return slug_url("articles:author", self.slug)


def attach_labels(items: list, *, with_authors: bool = True) -> list:
    """Give each article (a model instance or a listing_rows() dict) its `tag_labels` and
    `author_labels`, in the order they were added: one query for the whole batch."""
    kinds = ("tag", "author") if with_authors else ("tag",)
    ids = [item["id"] if isinstance(item, dict) else item.pk for item in items]
    labels = labels_by_article(ids, kinds=kinds)
    for item, pk in zip(items, ids, strict=True):
        for kind in kinds:
            if isinstance(item, dict):
                item[f"{kind}_labels"] = labels[kind][pk]
            else:
                setattr(item, f"{kind}_labels", labels[kind][pk])
    return items


def labels_by_article(ids: list, *, kinds=("tag", "author")) -> dict:
    """{kind: {article id: [labels in the order they were added]}} for these articles: tags and
    bylines in one query (UNION ALL), one round trip."""
    # Looked up, not imported: the models module imports this one (Article.tag_list).
    Article = apps.get_model("articles", "Article")
    TaggedArticle = apps.get_model("articles", "TaggedArticle")
    labels = {kind: defaultdict(list) for kind in ("tag", "author")}
    if not ids:
        return labels
    links = {
        "tag": TaggedArticle.objects.filter(content_object_id__in=ids).values_list(
            Value("tag"), "content_object_id", "tag__slug", "tag__name", "pk"
        ),
        "author": Article.authors.through.objects.filter(article_id__in=ids).values_list(
            Value("author"), "article_id", "author__slug", "author__name", "pk"
        ),
    }
    first, *others = (links[kind] for kind in kinds)
    rows = first.union(*others, all=True) if others else first
    for kind, article_id, slug, name, _ in sorted(rows, key=lambda row: (row[1], row[4])):
        labels[kind][article_id].append(LABELS[kind](slug, name))
        tags.add(f"{kind}:{slug}")  # a response showing the label shows the name
    return labels


LABELS = {"tag": TagLabel, "author": AuthorLabel}
