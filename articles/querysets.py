import inspect
from collections import defaultdict
from datetime import UTC, datetime
from functools import cache
from typing import NamedTuple

from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector
from django.db import DEFAULT_DB_ALIAS, connections, models
from django.db.models import Count, Exists, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.db.models.query import ModelIterable, ValuesIterable
from django.utils import timezone

from articles.addresses import slug_url


def normalize_query(text: str) -> str:
    """Collapse white space and drop control characters (PostgreSQL refuses NUL)."""
    return " ".join("".join(c if c.isprintable() else " " for c in text).split())


# Ranking reads each ranked match's search vector (kilobytes, one heap row each): ranking every
# match of a common word took ~100 ms on 100,000 articles. The site's search ranks the newest
# this many matches instead, a bounded amount of work whatever the archive's size.
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
)

# What cards.card() reads of an article and its section.
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


class LabelledArticleIterable(ModelIterable):
    """Articles with their tags and authors attached as (slug, name) labels, read in two flat
    queries for the whole batch. prefetch_related would build a related manager and a
    filtered queryset per article, which was half the time of a cold API list."""

    with_authors = True

    def __iter__(self):
        articles = list(super().__iter__())
        attach_labels(articles, using=self.queryset.db, with_authors=self.with_authors)
        return iter(articles)


class CardArticleIterable(LabelledArticleIterable):
    """Cards show a tag but no byline: one query fewer."""

    with_authors = False


class LabelledRowIterable(ValuesIterable):
    """listing_rows(): dicts, each with its `tag_labels` and `author_labels` lists."""

    def __iter__(self):
        rows = list(super().__iter__())
        labels = labels_by_article([row["id"] for row in rows], using=self.queryset.db)
        for row in rows:
            row["tag_labels"] = labels["tag"][row["id"]]
            row["author_labels"] = labels["author"][row["id"]]
        return iter(rows)


def attach_labels(articles, *, using: str, with_authors: bool = True) -> None:
    """Give each article `tag_labels` (and `author_labels`): one query for the whole batch."""
    kinds = ("tag", "author") if with_authors else ("tag",)
    labels = labels_by_article([article.pk for article in articles], using=using, kinds=kinds)
    for article in articles:
        article.tag_labels = labels["tag"][article.pk]
        if with_authors:
            article.author_labels = labels["author"][article.pk]


def labels_by_article(ids: list, *, using: str, kinds=("tag", "author")) -> dict:
    """{kind: {article id: [labels in the order they were added]}} for these articles."""
    labels = {kind: defaultdict(list) for kind in ("tag", "author")}
    if ids:
        for kind, article_id, slug, name in _label_rows(using, kinds, ids):
            labels[kind][article_id].append(LABELS[kind](slug, name))
    return labels


LABELS = {"tag": TagLabel, "author": AuthorLabel}


def _label_rows(using: str, kinds: tuple[str, ...], ids: list) -> list:
    """(kind, article id, slug, name) for each label of these articles, in the order they were
    added.

    Plain SQL written once from the models' metadata: this fixed join runs for every listing,
    and building it through the ORM took twice as long as running it (0.8 against 0.35 ms for 20
    articles on PostgreSQL). Tags and bylines come in one query (UNION ALL): one round trip."""
    sql = " UNION ALL ".join(_label_sql(using, kind) for kind in kinds)
    placeholders = ", ".join(["%s"] * len(ids))
    with connections[using].cursor() as cursor:
        cursor.execute(f"{sql.format(placeholders=placeholders)} ORDER BY 1, 5", ids * len(kinds))
        return [row[:4] for row in cursor.fetchall()]


@cache
def _label_sql(using: str, kind: str) -> str:
    from articles.models import Article, TaggedArticle

    through, article_field = {
        "tag": (TaggedArticle, "content_object"),
        "author": (Article.authors.through, "article"),
    }[kind]
    qn = connections[using].ops.quote_name
    link, label = through._meta, through._meta.get_field(kind).related_model._meta
    owner = qn(link.get_field(article_field).column)
    return (
        f"SELECT '{kind}', l.{owner}, t.{qn(label.get_field('slug').column)}, "
        f"t.{qn(label.get_field('name').column)}, l.{qn(link.pk.column)} "
        f"FROM {qn(link.db_table)} l INNER JOIN {qn(label.db_table)} t "
        f"ON t.{qn(label.pk.column)} = l.{qn(link.get_field(kind).column)} "
        f"WHERE l.{owner} IN ({{placeholders}})"
    )


def first_tag_columns(article: str = "pk") -> dict:
    """An article's first tag (slug and name) as two columns of its row: a card shows one tag,
    which then comes with the card's row instead of from one more query."""
    from articles.models import TaggedArticle

    tags = TaggedArticle.objects.filter(content_object=OuterRef(article)).order_by("pk")
    return {
        "first_tag_slug": Subquery(tags.values("tag__slug")[:1]),
        "first_tag_name": Subquery(tags.values("tag__name")[:1]),
    }


def live_condition(prefix: str = "", *, now: datetime | None = None) -> models.Q:
    """live()'s rule as a condition, also for articles reached through a relation (prefix
    "target__"): tested on the joined row, where `target__in=live()` made PostgreSQL hash every
    live article's id to check a page's three links."""
    from articles.models import Article

    return models.Q(
        **{
            f"{prefix}status": Article.Status.PUBLISHED,
            f"{prefix}published_at__lte": now or timezone.now(),
        }
    )


class CompiledQuery:
    """An ORM query compiled to SQL once per database; each run binds its own values.

    For the few queries every page runs: building and compiling a queryset through the ORM
    cost several times what running it did (the category menu: 0.87 against 0.19 ms on
    PostgreSQL). The ORM still defines the query: `build(now=..., **values)` returns the
    queryset, called once with placeholder values; its compiled SQL, compiler and column
    converters are kept, and each run swaps in the real values, then reads rows through the
    queryset's own iterable (select_related, deferred fields, attached labels: all as the
    queryset would do).

    Values must reach the SQL as parameters: not LIMIT or OFFSET, not lists of varying length;
    each placeholder must differ from the other placeholders and from the query's own constants.
    A `now` argument of `build` (the time live() compares with) is bound to the current time
    unless the caller gives one.
    """

    PLACEHOLDER_TIME = datetime(2000, 1, 1, 0, 0, 0, 1, tzinfo=UTC)

    def __init__(self, build, **placeholders):
        self.build = build
        self.uses_now = "now" in inspect.signature(build).parameters
        self.placeholders = {"now": self.PLACEHOLDER_TIME} if self.uses_now else {}
        self.placeholders.update(placeholders)
        self._compiled = {}

    def __call__(self, *, using: str = DEFAULT_DB_ALIAS, **values) -> list:
        if using not in self._compiled:
            self._compiled[using] = self._compile(using)
        queryset, compiler, sql, params, slots, converters = self._compiled[using]
        if self.uses_now:
            values.setdefault("now", timezone.now())
        params = list(params)
        for name, positions in slots.items():
            value = self._adapt(using, values[name])
            for position in positions:
                params[position] = value
        bound = _shallow_copy(compiler)
        bound.connection = connections[using]  # this thread's connection, not the compiling one's
        bound.as_sql = lambda *args, **kwargs: (sql, params)
        bound.get_converters = lambda expressions: converters
        query = _shallow_copy(queryset.query)
        query.get_compiler = lambda *args, **kwargs: bound
        run = _shallow_copy(queryset)
        run.query = query
        run._iterable_class = queryset._iterable_class  # the query setter resets it for values()
        return list(run)

    def _compile(self, using: str):
        queryset = self.build(**self.placeholders).using(using)
        compiler = queryset.query.get_compiler(using)
        sql, params = compiler.as_sql()
        slots = {}
        for name, placeholder in self.placeholders.items():
            adapted = self._adapt(using, placeholder)
            slots[name] = [index for index, value in enumerate(params) if value == adapted]
            if not slots[name]:
                raise ValueError(f"The query does not use {name!r} as a parameter.")
        claimed = [index for positions in slots.values() for index in positions]
        if len(claimed) != len(set(claimed)):
            raise ValueError("Two placeholders have the same value: give each its own.")
        # How each column's values become Python values, worked out for every run otherwise.
        converters = compiler.get_converters([s[0] for s in compiler.select[: compiler.col_count]])
        return queryset, compiler, sql, tuple(params), slots, converters

    @staticmethod
    def _adapt(using: str, value):
        if isinstance(value, datetime):
            return connections[using].ops.adapt_datetimefield_value(value)
        return value


def _shallow_copy(instance):
    # Not copy.copy(): it pickles, and a QuerySet's __getstate__ runs its query to fill itself.
    clone = object.__new__(type(instance))
    clone.__dict__.update(instance.__dict__)
    return clone


class ArticleQuerySet(models.QuerySet):
    def live(self, *, now: datetime | None = None) -> "ArticleQuerySet":
        """The one visibility rule: published, and its publication time has come (by `now`)."""
        return self.filter(live_condition(now=now))

    def scheduled(self, *, now: datetime | None = None) -> "ArticleQuerySet":
        """Published for a time still to come: goes live by itself (the complement of live())."""
        return self.filter(
            status=self.model.Status.PUBLISHED, published_at__gt=now or timezone.now()
        )

    def for_listing(self) -> "ArticleQuerySet":
        """What a feed item needs: category, tags and authors, in a fixed number of queries,
        the columns no listing shows left out."""
        return self.select_related("category").defer(*CARD_UNUSED_FIELDS).with_labels()

    def card_columns(self) -> "ArticleQuerySet":
        """What an HTML card shows and nothing more (cards.card()), its section joined: 25 cards
        to a page, each column left out is 25 values never converted (cold home 28.6 -> 24.0 M
        instructions)."""
        return self.select_related("category").only(*CARD_FIELDS)

    def listing_rows(self, *, body: bool = False) -> "ArticleQuerySet":
        """Each article as a dict of LISTING_ROW_FIELDS (and `body`), with `tag_labels` and
        `author_labels` attached: what the partner API serializes. Rows, not model instances:
        building an article and its category instance took most of a cold API list's time."""
        clone = self.values(*LISTING_ROW_FIELDS, *(["body"] if body else []))
        clone._iterable_class = LabelledRowIterable
        return clone

    def with_first_tag(self) -> "ArticleQuerySet":
        """Each article's first tag in its own row (see first_tag_columns), for a card."""
        return self.annotate(**first_tag_columns())

    def for_cards(self) -> "ArticleQuerySet":
        """card_columns() with each card's tags attached (a card shows the first); no bylines."""
        clone = self.card_columns()
        clone._iterable_class = CardArticleIterable
        return clone

    def for_detail(self) -> "ArticleQuerySet":
        return self.select_related("category").with_labels()

    def with_labels(self) -> "ArticleQuerySet":
        """Attach `tag_labels` and `author_labels` to each article (two queries in all)."""
        clone = self._chain()
        clone._iterable_class = LabelledArticleIterable
        return clone

    # The words matching() filtered on with full-text search (PostgreSQL), for first_rows().
    _search_text: str | None = None

    def _clone(self):
        clone = super()._clone()
        clone._search_text = self._search_text
        return clone

    def matching(self, query: str) -> "ArticleQuerySet":
        """Articles containing every word (web-search syntax on PostgreSQL, substrings elsewhere),
        unranked: the caller orders them."""
        text = normalize_query(query)
        if not text:
            return self.none()
        if connections[self.db].vendor != "postgresql":
            return self._substring_search(text)
        clone = self.filter(search_vector=web_search_query(text))
        clone._search_text = text
        return clone

    def first_rows(self, count: int) -> list:
        """The first `count` rows in this queryset's order: what a keyset page reads.

        Under a LIMIT this small PostgreSQL answers a full-text match of several words by walking
        the newest articles and testing each one, as it takes words to occur independently: two
        common words that never occur together made it read the whole archive (312 ms on 100,000
        articles). Asked for a search window of ids it goes through the GIN index instead (4 ms),
        and the page's rows are then loaded by id. A single word's frequency it knows: one query.
        """
        if self._search_text is None or " " not in self._search_text:
            return list(self[:count])
        ids = list(self.values_list("pk", flat=True)[: max(count, SEARCH_WINDOW)])[:count]
        return list(self.filter(pk__in=ids)) if ids else []

    def search_window(self, query: str, *, size: int = SEARCH_WINDOW) -> list[int]:
        """Ids of the newest `size` matches, most relevant first (newest first on SQLite)."""
        return list(self.ranked_window(query, size=size))

    def ranked_window(self, query: str, *, size: int = SEARCH_WINDOW) -> "ArticleQuerySet":
        newest = self.matching(query).order_by("-published_at", "-id")
        if newest._search_text is None:
            return newest.values_list("pk", flat=True)[:size]
        return (
            self.model.objects.filter(pk__in=newest.values("pk")[:size])
            .annotate(
                rank=SearchRank(models.F("search_vector"), web_search_query(newest._search_text))
            )
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
        from articles.models import Article

        live = Article.objects.live(now=now)
        return self.filter(Exists(live.filter(category=OuterRef("pk"))))

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
