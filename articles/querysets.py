from collections import defaultdict
from datetime import datetime
from typing import NamedTuple

from django.apps import apps
from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector
from django.db import connections, models
from django.db.models import Count, Exists, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce, Greatest
from django.utils import timezone

from articles.addresses import slug_url


def model(name: str):
    """One of this app's models. The models module imports this one (its managers), so this
    one looks them up in the app registry rather than importing them back."""
    return apps.get_model("articles", name)


class ArticleStatus(models.TextChoices):
    """Article.Status: where an article is in the editorial workflow."""

    DRAFT = "draft", "Draft"
    REVIEW = "review", "In review"
    PUBLISHED = "published", "Published"


def normalize_query(text: str) -> str:
    """Collapse white space and drop control characters (PostgreSQL refuses NUL)."""
    return " ".join("".join(c if c.isprintable() else " " for c in text).split())


# Ranking reads each ranked match's search vector (kilobytes, one heap row each), so ranking
# every match of a common word grows with the archive. The site's search ranks the newest this
# many matches instead, a bounded amount of work whatever the archive's size (figures in
# docs/performance.md).
SEARCH_WINDOW = 240


# An article as the partner API lists it: its own columns and its section's (see listing_rows).
LISTING_ROW_FIELDS = (
    "id",
    "slug",
    "title",
    "summary",
    "label",
    "is_featured",
    "category__slug",
    "category__name",
    "hero_image",
    "hero_width",
    "hero_height",
    "hero_alt",
    "hero_caption",
    "hero_credit",
    "published_at",
    "updated_at",
    "reading_time_minutes",
    "embargoed_until",
    "live_coverage_started_at",
    "live_coverage_ended_at",
)

# What a card (templates/jinja2/includes/cards.html) reads of an article and its section.
CARD_FIELDS = (
    "slug",
    "title",
    "summary",
    "label",
    "published_at",
    "hero_image",
    "hero_width",
    "hero_height",
    "hero_renditions",
    "category__slug",
    "category__name",
    "live_coverage_started_at",
    "live_coverage_ended_at",
)

# Columns no card or listing shows (the search vector is never loaded: see ArticleManager).
CARD_UNUSED_FIELDS = ("body", "seo_title", "seo_description", "canonical_url", "search_vector")


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
    Article, TaggedArticle = model("Article"), model("TaggedArticle")
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
    return labels


LABELS = {"tag": TagLabel, "author": AuthorLabel}


def live_condition(prefix: str = "", *, now: datetime | None = None) -> models.Q:
    """live()'s rule as a condition, also for articles reached through a relation (prefix
    "target__"): tested on the joined row, where `target__in=live()` made PostgreSQL hash every
    live article's id to check a page's three links."""
    now = now or timezone.now()
    return models.Q(
        **{f"{prefix}status": ArticleStatus.PUBLISHED, f"{prefix}published_at__lte": now}
    ) & (
        models.Q(**{f"{prefix}embargoed_until__isnull": True})
        | models.Q(**{f"{prefix}embargoed_until__lte": now})
    )


def goes_live_at() -> models.Expression:
    """When a published article becomes live: its publication time, or its embargo's end if
    that is later."""
    return Greatest("published_at", Coalesce("embargoed_until", "published_at"))


class ArticleQuerySet(models.QuerySet):
    def live(self, *, now: datetime | None = None) -> "ArticleQuerySet":
        """The one visibility rule: published, and its publication time has come (by `now`)."""
        return self.filter(live_condition(now=now))

    def scheduled(self, *, now: datetime | None = None) -> "ArticleQuerySet":
        """Published for a time still to come, or under embargo: goes live by itself (the
        complement of live() among published articles)."""
        now = now or timezone.now()
        return self.filter(status=self.model.Status.PUBLISHED).filter(
            models.Q(published_at__gt=now) | models.Q(embargoed_until__gt=now)
        )

    def with_live_coverage_running(self, *, now: datetime | None = None) -> "ArticleQuerySet":
        """Articles whose live coverage has started and not ended (Article.is_live_coverage)."""
        now = now or timezone.now()
        return self.filter(live_coverage_started_at__lte=now).exclude(
            live_coverage_ended_at__lte=now
        )

    def embargoed(self, *, now: datetime | None = None) -> "ArticleQuerySet":
        """Published under an embargo not yet lifted: what keys with the embargoed-copy
        permission see ahead of readers."""
        return self.filter(
            status=self.model.Status.PUBLISHED, embargoed_until__gt=now or timezone.now()
        )

    def live_or_embargoed(self, *, now: datetime | None = None) -> "ArticleQuerySet":
        now = now or timezone.now()
        return self.live(now=now) | self.embargoed(now=now)

    def for_cards(self) -> "ArticleQuerySet":
        """What an HTML card shows and nothing more (includes/cards.html): its section joined;
        attach_labels(cards, with_authors=False) gives each its tags (a card shows the first).
        A page has 25 cards: each column left out is 25 values never read."""
        return self.select_related("category").only(*CARD_FIELDS)

    def for_detail(self) -> "ArticleQuerySet":
        """An article with its section; attach_labels() gives it its tags and byline."""
        return self.select_related("category")

    def listing_rows(self, *, body: bool = False) -> "ArticleQuerySet":
        """Each article as a dict of LISTING_ROW_FIELDS (and `body`): what the partner API
        serializes (attach_labels() adds the tags and bylines). Rows, not model instances:
        building an article and its category instance took most of a cold API list's time."""
        return self.values(*LISTING_ROW_FIELDS, *(["body"] if body else []))

    def matching(self, query: str) -> "ArticleQuerySet":
        """Articles containing every word (web-search syntax on PostgreSQL, substrings elsewhere),
        unranked: the caller orders them."""
        text = normalize_query(query)
        if not text:
            return self.none()
        if connections[self.db].vendor != "postgresql":
            return self._substring_search(text)
        return self.filter(search_vector=web_search_query(text))

    def first_rows(self, count: int, *, words: int = 0) -> list:
        """The first `count` rows in this queryset's order, which searches for `words` words:
        what a keyset page reads.

        Under a LIMIT this small PostgreSQL answers a full-text match of several words by walking
        the newest articles and testing each one, as it takes words to occur independently: two
        common words that never occur together made it read the whole archive. Asked for a
        search window of ids it goes through the GIN index instead, and the page's rows are then
        loaded by id (figures in docs/performance.md). A single word's frequency it knows: one
        query.
        """
        if words < 2 or connections[self.db].vendor != "postgresql":
            return list(self[:count])
        ids = list(self.values_list("pk", flat=True)[: max(count, SEARCH_WINDOW)])[:count]
        return list(self.filter(pk__in=ids)) if ids else []

    def search_window(self, query: str, *, size: int = SEARCH_WINDOW) -> list[int]:
        """Ids of the newest `size` matches, most relevant first (newest first on SQLite)."""
        return list(self.ranked_window(query, size=size))

    def ranked_window(self, query: str, *, size: int = SEARCH_WINDOW) -> "ArticleQuerySet":
        newest = self.matching(query).order_by("-published_at", "-id")
        text = normalize_query(query)
        if not text or connections[self.db].vendor != "postgresql":
            return newest.values_list("pk", flat=True)[:size]
        return (
            self.model.objects.filter(pk__in=newest.values("pk")[:size])
            .annotate(rank=SearchRank(models.F("search_vector"), web_search_query(text)))
            .order_by("-rank", "-published_at", "-id")
            .values_list("pk", flat=True)
        )

    def _substring_search(self, text: str) -> "ArticleQuerySet":
        matches = self
        for term in text.split()[:10]:
            matching_ids = self.model.objects.filter(
                models.Q(title__icontains=term)
                | models.Q(summary__icontains=term)
                | models.Q(body__icontains=term)
                | models.Q(tags__name__iexact=term)
            ).values("pk")
            matches = matches.filter(pk__in=matching_ids)
        return matches


SEARCH_CONFIG = "english"


def search_vector(tag_names: str = "") -> SearchVector:
    """What full-text search reads: headline first, then standfirst and tags, then the body."""
    from django.db.models import Value

    return (
        SearchVector("title", weight="A", config=SEARCH_CONFIG)
        + SearchVector("summary", weight="B", config=SEARCH_CONFIG)
        + SearchVector(Value(tag_names), weight="B", config=SEARCH_CONFIG)
        + SearchVector("body", weight="C", config=SEARCH_CONFIG)
    )


def web_search_query(text: str) -> SearchQuery:
    """What readers and partners type, in web-search syntax ("quoted phrases", -excluded)."""
    return SearchQuery(text, search_type="websearch", config=SEARCH_CONFIG)


class ArticleManager(models.Manager.from_queryset(ArticleQuerySet)):
    def get_queryset(self) -> ArticleQuerySet:
        # Only PostgreSQL reads the search vector (every word of the body, kilobytes per
        # article): loaded into Python it was most of a listing's bytes.
        return super().get_queryset().defer("search_vector")


class RelatedLinkQuerySet(models.QuerySet):
    def of_article(self, article_id, *, now: datetime | None = None) -> "RelatedLinkQuerySet":
        """An article's curated links whose target is live (external links always are), in their
        order, each target and its category joined: one query whatever the archive's size."""
        return self.filter(article_id=article_id).with_live_targets(now=now)

    def with_live_targets(self, *, now: datetime | None = None) -> "RelatedLinkQuerySet":
        """Links whose target is live (external links always are), the target and its category
        joined: live()'s rule tested on the joined row, where `target__in=live()` made
        PostgreSQL hash every live article's id to check a page's three links."""
        return (
            self.filter(models.Q(target__isnull=True) | live_condition("target__", now=now))
            .select_related("target__category")
            .defer(*(f"target__{name}" for name in CARD_UNUSED_FIELDS))
        )


class CategoryQuerySet(models.QuerySet):
    def public(self, *, now: datetime | None = None) -> "CategoryQuerySet":
        """Categories readers may see: those with a live article. A section prepared for an
        embargoed story stays out of menus, sitemaps and the API until the story goes live."""
        live = model("Article").objects.live(now=now)
        return self.filter(Exists(live.filter(category=OuterRef("pk"))))

    def with_live_count(self) -> "CategoryQuerySet":
        live_count = (
            model("Article")
            .objects.live()
            .filter(category=OuterRef("pk"))
            .order_by()
            .values("category")
            .annotate(count=Count("pk"))
            .values("count")
        )
        return self.annotate(article_count=Coalesce(Subquery(live_count), 0))


def live_tags():
    """Tags carried by at least one live article, with how many."""
    from taggit.models import Tag

    return (
        Tag.objects.filter(
            articles_taggedarticle_items__content_object__in=model("Article")
            .objects.live()
            .values("pk")
        )
        .annotate(article_count=Count("articles_taggedarticle_items"))
        .order_by("name")
    )
