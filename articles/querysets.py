from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector
from django.db import connections, models
from django.db.models import Count, Exists, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone


def normalize_query(text: str) -> str:
    """Collapse white space and drop control characters (PostgreSQL refuses NUL)."""
    return " ".join("".join(c if c.isprintable() else " " for c in text).split())


class ArticleQuerySet(models.QuerySet):
    def live(self) -> "ArticleQuerySet":
        """The one visibility rule: published, and its publication time has come."""
        return self.filter(status=self.model.Status.PUBLISHED, published_at__lte=timezone.now())

    def scheduled(self) -> "ArticleQuerySet":
        """Published for a time still to come: goes live by itself (the complement of live())."""
        return self.filter(status=self.model.Status.PUBLISHED, published_at__gt=timezone.now())

    def for_listing(self) -> "ArticleQuerySet":
        """What a card needs: category, tags and authors, in a fixed number of queries."""
        return (
            self.select_related("category")
            .prefetch_related("tags", "authors")
            .defer("body", "seo_title", "seo_description", "canonical_url")
        )

    def for_detail(self) -> "ArticleQuerySet":
        return self.select_related("category").prefetch_related("tags", "authors")

    def search(self, query: str) -> "ArticleQuerySet":
        """Full-text search, ranked, on PostgreSQL; every word as a substring elsewhere."""
        text = normalize_query(query)
        if not text:
            return self.none()
        if connections[self.db].vendor == "postgresql":
            search_query = SearchQuery(text, search_type="websearch", config=SEARCH_CONFIG)
            return (
                self.filter(search_vector=search_query)
                .annotate(rank=SearchRank(models.F("search_vector"), search_query))
                .order_by("-rank", "-published_at", "-id")
            )
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


class CategoryQuerySet(models.QuerySet):
    def public(self) -> "CategoryQuerySet":
        """Categories readers may see: those with a live article. A section prepared for an
        embargoed story stays out of menus, sitemaps and the API until the story goes live."""
        from articles.models import Article

        return self.filter(Exists(Article.objects.live().filter(category=OuterRef("pk"))))

    def with_live_count(self) -> "CategoryQuerySet":
        from articles.models import Article

        live_count = (
            Article.objects.live()
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

    from articles.models import Article

    return (
        Tag.objects.filter(
            articles_taggedarticle_items__content_object__in=Article.objects.live().values("pk")
        )
        .annotate(article_count=Count("articles_taggedarticle_items"))
        .order_by("name")
    )
