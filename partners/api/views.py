from django import forms
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.http import http_date
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import generics, mixins, serializers, viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from articles.labels import attach_labels
from articles.models import Article, Category
from articles.querysets import live_tags
from caching import tags
from caching.freshness import last_modified
from caching.versioned import api_response
from partners.api.filters import SLUG_PATTERN, ArticleFilter, BoundedIsoDateTimeField
from partners.api.pagination import MAX_PAGE_SIZE, KeysetPagination
from partners.api.serializers import (
    ArticleDetailSerializer,
    ArticleListSerializer,
    ArticleWithBodySerializer,
    CategorySerializer,
    ChangeSerializer,
    MostReadPageSerializer,
    MostReadSerializer,
    TagSerializer,
    listing_rows,
)
from partners.changes import ChangesPagination
from partners.models import EmbargoFetch
from readership.counting import WINDOWS
from readership.ranking import most_read

# Partners' own HTTP caches may reuse a response for a short while, then revalidate it cheaply
# with ETag / Last-Modified. Shared caches must not store it: every response is tied to a key.
CACHE_SECONDS = 30


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField(help_text="What went wrong, for a human.")
    errors = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        required=False,
        help_text="400 only: messages per query parameter.",
    )


def error(description: str, example: dict) -> OpenApiResponse:
    return OpenApiResponse(
        ErrorSerializer,
        description=description,
        examples=[OpenApiExample(description, value=example, response_only=True)],
    )


ERRORS = {
    401: error(
        "Missing, wrong, revoked or expired key",
        {"detail": 'An API key is required: send "Authorization: Api-Key <key>".'},
    ),
    429: error(
        "Too many requests for this key; retry after the Retry-After header's seconds",
        {"detail": "Request was throttled. Expected available in 12 seconds."},
    ),
}
BAD_PARAMETER = error(
    "A parameter is unknown or malformed",
    {
        "detail": "Invalid request parameters: page_size.",
        "errors": {"page_size": ["Must be a whole number from 1 to 100."]},
    },
)
NOT_FOUND = error("No live item with that slug", {"detail": "No Article matches the given query."})
PARAMETER_NOT_FOUND = error(
    "A well-formed slug that no live article shows, or a cursor this API did not make",
    {
        "detail": "Not found: category.",
        "errors": {"category": ["No live article shows a section with this slug."]},
    },
)
SLUG = SLUG_PATTERN
# Text without NUL characters (Django's forms refuse them; so does PostgreSQL).
TEXT = r"^[^\x00]*$"

ARTICLE_LIST_PARAMETERS = [
    OpenApiParameter(
        "include",
        OpenApiTypes.STR,
        enum=["body"],
        description="`body` adds `body_html` to every list item.",
    ),
    OpenApiParameter(
        "category",
        {"type": "string", "pattern": SLUG},
        description="A category slug; one no live article shows answers 404.",
    ),
    OpenApiParameter(
        "author",
        {"type": "string", "pattern": SLUG},
        description="An author slug; one no live article shows answers 404.",
    ),
    OpenApiParameter(
        "tag",
        {"type": "array", "items": {"type": "string", "pattern": SLUG}},
        explode=True,
        description=(
            "A tag slug, repeatable (articles with any of them); slugs no live article shows "
            "answer 404."
        ),
    ),
    OpenApiParameter(
        "featured",
        {"type": "string", "enum": ["true", "false"]},
        description="`true`: featured articles only; `false`: the others.",
    ),
    OpenApiParameter(
        "label",
        {"type": "string", "minLength": 1, "maxLength": 30, "pattern": TEXT},
        description='A kicker such as "Top" or "Analysis" (case-insensitive).',
    ),
    OpenApiParameter(
        "q",
        {"type": "string", "minLength": 1, "maxLength": 200, "pattern": TEXT},
        description="Words to search for in title, summary, body and tags (all must match).",
    ),
]


class PartnerApiMixin:
    """HTTP behaviour shared by every endpoint: response cache, validators, cache policy."""

    # Whether a partner's own cache may answer for CACHE_SECONDS without asking (else it must
    # revalidate every time, cheaply, with the ETag).
    client_may_reuse = True

    def cached(self, request, build):
        """The response `build(request)` makes, kept rendered under the content version (the
        same body for every key: keys only decide who may ask). Keys that see embargoed copy
        get theirs built each time: their fetches are recorded, and nobody else may share it."""
        if sees_embargoed(request):
            return build(request)
        return api_response(request, build) or build(request)

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        rate_limit = getattr(request, "rate_limit", None)
        if rate_limit is not None:  # what the key has left of its minute, 429 included
            for header, value in rate_limit.headers().items():
                response[header] = value
        if response.status_code == 200:
            if "Last-Modified" not in response:  # a cached body carries that of what it shows
                response["Last-Modified"] = http_date(last_modified().timestamp())
            if self.client_may_reuse:
                patch_cache_control(response, private=True, max_age=CACHE_SECONDS)
            else:
                patch_cache_control(response, private=True, no_cache=True)
        else:
            patch_cache_control(response, no_store=True)
        return response  # private and Vary: Authorization for every /api/ response: see middleware


class CachedListMixin(PartnerApiMixin):
    def list(self, request, *args, **kwargs):
        return self.cached(request, lambda r: super(CachedListMixin, self).list(r, *args, **kwargs))


class CachedRetrieveMixin(PartnerApiMixin):
    def retrieve(self, request, *args, **kwargs):
        return self.cached(
            request, lambda r: super(CachedRetrieveMixin, self).retrieve(r, *args, **kwargs)
        )


@extend_schema_view(
    list=extend_schema(
        summary="Live articles, newest first",
        parameters=ARTICLE_LIST_PARAMETERS,
        responses={
            200: ArticleListSerializer(many=True),
            400: BAD_PARAMETER,
            404: PARAMETER_NOT_FOUND,
            **ERRORS,
        },
    ),
    retrieve=extend_schema(
        summary="One live article with its body, related links, corrections and live entries",
        parameters=[
            OpenApiParameter(
                "since",
                OpenApiTypes.DATETIME,
                description="ISO 8601 date-time: only live entries posted or edited at or "
                "after it (for polling live coverage).",
            )
        ],
        responses={200: ArticleDetailSerializer, 400: BAD_PARAMETER, 404: NOT_FOUND, **ERRORS},
    ),
)
class ArticleViewSet(CachedRetrieveMixin, viewsets.ReadOnlyModelViewSet):
    lookup_field = "slug"
    lookup_value_regex = SLUG.strip("^$")
    pagination_class = KeysetPagination

    @property
    def accepted_query_params(self) -> tuple:
        if self.action == "retrieve":
            return ("since", "include")
        return ("cursor", "page_size", "ordering", "include")

    def list(self, request, *args, **kwargs):
        # Malformed parameters answer 400 before any work, and before a slug that names nothing
        # answers 404.
        self.includes_body()
        self.paginator.get_page_size(request)
        self.paginator.get_ordering(request)
        return self.cached(request, lambda r: super(ArticleViewSet, self).list(r, *args, **kwargs))

    def retrieve(self, request, *args, **kwargs):
        self.since()  # a malformed `since` answers 400 before any work
        return super().retrieve(request, *args, **kwargs)

    def get_queryset(self):
        body = self.action == "retrieve" or self.includes_body()
        if sees_embargoed(self.request):
            return listing_rows(Article.objects.live_or_embargoed(), body=body)
        return listing_rows(Article.objects.live(), body=body)

    def paginate_queryset(self, queryset):
        rows = attach_labels(super().paginate_queryset(queryset))
        tags.add("list:all", "menu", *(f"row:{row['id']}" for row in rows))
        return record_embargoed_fetches(self.request, rows)

    def get_object(self):
        row = attach_labels([super().get_object()])[0]
        tags.add(f"article:{row['id']}", f"row:{row['id']}", "menu")
        return record_embargoed_fetches(self.request, [row])[0]

    def get_serializer_context(self):
        context = super().get_serializer_context()
        if self.action == "retrieve":
            context["since"] = self.since()
        return context

    def since(self):
        raw = self.request.query_params.get("since")
        return None if raw is None else parse_datetime_parameter("since", raw)

    def get_serializer_class(self):
        if self.action == "retrieve":
            return ArticleDetailSerializer
        if self.includes_body():
            return ArticleWithBodySerializer
        return ArticleListSerializer

    @property
    def filterset_class(self):
        """The list's filters, for the list only (the filter backend reads this attribute): the
        detail answers an unknown parameter, a list filter included, with 400 naming it."""
        return ArticleFilter if self.action == "list" else None

    def includes_body(self) -> bool:
        include = self.request.query_params.get("include") if self.request else None
        if include not in (None, "body"):
            raise ValidationError({"include": ["The only value accepted is `body`."]})
        return include == "body"


@extend_schema_view(
    list=extend_schema(
        summary="Categories with their live article counts",
        responses={200: CategorySerializer(many=True), 400: BAD_PARAMETER, **ERRORS},
    ),
    retrieve=extend_schema(
        summary="One category with its live article count",
        responses={200: CategorySerializer, 400: BAD_PARAMETER, 404: NOT_FOUND, **ERRORS},
    ),
)
class CategoryViewSet(CachedListMixin, CachedRetrieveMixin, viewsets.ReadOnlyModelViewSet):
    lookup_field = "slug"
    lookup_value_regex = SLUG.strip("^$")
    serializer_class = CategorySerializer
    pagination_class = None

    def get_queryset(self):
        tags.add("menu", "list:all")  # the sections, and how many live articles each has
        return Category.objects.public().with_live_count()


@extend_schema_view(
    list=extend_schema(
        summary="Tags in use by live articles, with counts",
        responses={200: TagSerializer(many=True), 400: BAD_PARAMETER, **ERRORS},
    )
)
class TagViewSet(CachedListMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    serializer_class = TagSerializer
    pagination_class = None

    def get_queryset(self):
        tags.add("list:all", "rows")  # which tags live articles carry, and their names
        return live_tags()


class ChangesPageSerializer(serializers.Serializer):
    next = serializers.URLField(allow_null=True, help_text="Null once you are caught up.")
    previous = serializers.URLField(
        allow_null=True, help_text="Always null: the feed runs forward."
    )
    results = ChangeSerializer(many=True)


@extend_schema_view(
    get=extend_schema(
        summary="What changed since a time: live articles to upsert, tombstones to remove",
        description=(
            "Oldest change first. `updated` entries carry the article as in the list endpoint; "
            "`withdrawn` entries are tombstones for articles that were unpublished or deleted. "
            "Walk `next` until it is null, remember the newest `changed_at`, and ask again "
            "later with `since` set to it (entries at exactly `since` come again: apply them "
            "idempotently)."
        ),
        parameters=[
            OpenApiParameter(
                "since",
                OpenApiTypes.DATETIME,
                required=True,
                description="ISO 8601 date-time: changes at or after it.",
            ),
            OpenApiParameter(
                "cursor",
                {"type": "string", "minLength": 1},
                description="From a response's `next`.",
            ),
            OpenApiParameter(
                "page_size",
                {"type": "integer", "minimum": 1, "maximum": MAX_PAGE_SIZE, "default": 20},
                description=f"1-{MAX_PAGE_SIZE}, default 20.",
            ),
        ],
        responses={
            200: ChangesPageSerializer,
            400: BAD_PARAMETER,
            404: PARAMETER_NOT_FOUND,
            **ERRORS,
        },
    )
)
class ChangesView(PartnerApiMixin, generics.GenericAPIView):
    # A mirror asking what changed must never get a feed its own cache kept: no-cache, with
    # validators (a 304 costs next to nothing).
    client_may_reuse = False
    serializer_class = ChangeSerializer
    pagination_class = None
    accepted_query_params = ("since", "cursor", "page_size")

    def get_queryset(self):
        return Article.objects.none()  # the feed merges two sources itself; see changes.py

    def get(self, request):
        return self.cached(request, self.changes)

    def changes(self, request):
        tags.add("rows")  # every change to a live article, and every withdrawal
        self.filter_queryset(self.get_queryset())  # rejects unknown parameters
        since = self.parse_since(request.query_params.get("since"))
        page_size = KeysetPagination().get_page_size(request)
        pages = ChangesPagination(request, page_size, embargoed_copy=sees_embargoed(request))
        changes, next_link = pages.page(since)
        record_embargoed_fetches(request, [change.article for change in changes if change.article])
        results = ChangeSerializer(changes, many=True, context=self.get_serializer_context()).data
        return Response({"next": next_link, "previous": None, "results": results})

    @staticmethod
    def parse_since(raw):
        if raw is None:
            raise ValidationError({"since": ["Required: an ISO 8601 date-time."]})
        return parse_datetime_parameter("since", raw)


@extend_schema_view(
    get=extend_schema(
        summary="The most-read live articles of the last 24 hours or 7 days",
        description=(
            "At most five, most read first, as in the list endpoint with their `reads`. Counted "
            "from readers' pages (no cookies, robots and repeats not counted) by the hour; "
            "the ranking changes at most once a minute."
        ),
        parameters=[
            OpenApiParameter(
                "window",
                {"type": "string", "enum": list(WINDOWS), "default": "24h"},
                description="24h (the default) or 7d.",
            )
        ],
        responses={200: MostReadPageSerializer, 400: BAD_PARAMETER, **ERRORS},
    )
)
class MostReadView(PartnerApiMixin, generics.GenericAPIView):
    serializer_class = MostReadSerializer
    pagination_class = None
    accepted_query_params = ("window",)

    def get_queryset(self):
        return Article.objects.none()  # the ranking is readership's; see readership.ranking

    def get(self, request):
        self.filter_queryset(self.get_queryset())  # rejects unknown parameters
        window = request.query_params.get("window", "24h")
        if window not in WINDOWS:
            raise ValidationError({"window": [f"One of: {', '.join(WINDOWS)}."]})
        ranked = most_read(window)
        by_id = {
            row["id"]: row
            for row in attach_labels(
                list(
                    listing_rows(
                        Article.objects.live().filter(pk__in=[item.article.pk for item in ranked])
                    )
                )
            )
        }
        rows = [
            {**by_id[item.article.pk], "reads": item.reads}
            for item in ranked
            if item.article.pk in by_id
        ]
        results = MostReadSerializer(rows, many=True, context=self.get_serializer_context()).data
        return Response({"window": window, "results": results})


def parse_datetime_parameter(name: str, raw: str):
    try:
        return BoundedIsoDateTimeField().clean(raw)
    except forms.ValidationError as exc:
        raise ValidationError({name: exc.messages}) from None


def sees_embargoed(request) -> bool:
    """Whether the request's key holds the embargoed-copy permission."""
    return bool(getattr(request.auth, "can_see_embargoed", False))


def record_embargoed_fetches(request, rows: list) -> list:
    """Record which embargoed articles a permitted key fetched, and when (the audit trail)."""
    if sees_embargoed(request):
        now = timezone.now()
        EmbargoFetch.objects.bulk_create(
            EmbargoFetch(article_id=row["id"], key=request.auth, fetched_at=now)
            for row in rows
            if row["embargoed_until"] and row["embargoed_until"] > now
        )
    return rows
