"""How articles, links and sections are asked for: the visibility rule's queries (live() and
its relatives), search, and the counts public surfaces show."""

from datetime import datetime

from django.apps import apps
from django.contrib.postgres.search import SearchRank
from django.db import connections, models
from django.db.models import Count, Exists, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from articles.search import SEARCH_WINDOW, normalize_query, web_search_query
from articles.visibility import live_condition


def model(name: str):
    """One of this app's models. The models module imports this one (its managers), so this
    one looks them up in the app registry rather than importing them back."""
    return apps.get_model("articles", name)


# Columns of a linked article that no link shows (the search vector is never loaded in Python).
LINKED_ARTICLE_UNUSED_FIELDS = (
    "body",
    "seo_title",
    "seo_description",
    "canonical_url",
    "search_vector",
)


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

    def for_detail(self) -> "ArticleQuerySet":
        """An article with its section; attach_labels() gives it its tags and byline."""
        return self.select_related("category")

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
        PostgreSQL hash every live article's id to check a page's three links. A link shows its
        target as a card: the body and the search vector are not loaded."""
        return (
            self.filter(models.Q(target__isnull=True) | live_condition("target__", now=now))
            .select_related("target__category")
            .defer(*(f"target__{name}" for name in LINKED_ARTICLE_UNUSED_FIELDS))
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
