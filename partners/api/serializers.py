import re
from urllib.parse import unquote

from django.conf import settings
from django.utils import timezone
from django.utils.functional import cached_property
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from taggit.models import Tag

from articles.addresses import slug_urls
from articles.media import signed_query
from articles.models import Article, Author, Category, Correction, LiveEntry, RelatedLink
from articles.visibility import coverage_runs, is_under_embargo

# An article as the API gives it: its own columns and its section's, read as one dict per
# article (building an article and its category instance took most of a cold API list's time).
# A new field of ArticleListSerializer reads a column listed here.
ROW_FIELDS = (
    "id",
    "slug",
    "title",
    "summary",
    "label",
    "is_featured",
    "category__slug",
    "category__name",
    "hero_image",
    "hero_renditions",
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


def listing_rows(articles, *, body: bool = False):
    """Each article as a dict of ROW_FIELDS (and `body`): what the serializers below read
    (attach_labels() adds the tags and bylines)."""
    return articles.values(*ROW_FIELDS, *(["body"] if body else []))


RELATIVE_URL_ATTRIBUTE = re.compile(r'(?P<attr>\b(?:src|href))="(?P<path>/(?!/)[^"]*)"')


class AbsoluteUrlMixin:
    # Addresses as this response gives them: the request's origin and the script prefix are
    # read once per serializer, not once or twice per article.

    @cached_property
    def origin(self) -> str:
        request = self.context.get("request")
        if request is None:  # outside a request (a webhook delivery): the site's address
            return self.context.get("origin", "")
        return request.build_absolute_uri("/")[:-1]

    @cached_property
    def slug_url(self):
        return slug_urls()

    def absolute(self, path: str) -> str:
        return self.origin + path if path.startswith("/") else path

    def media_address(self, url: str, *, embargoed: bool) -> str:
        """A media file's absolute URL; for an article under embargo (shown only to permitted
        keys) signed for a few minutes: its files are not public yet (articles.media)."""
        address = self.absolute(url)
        if embargoed and url.startswith(settings.MEDIA_URL):
            address += f"?{signed_query(unquote(url.removeprefix(settings.MEDIA_URL)))}"
        return address

    def absolute_html(self, html: str) -> str:
        """Make our own links and images in a body absolute, for partners' pages."""
        return RELATIVE_URL_ATTRIBUTE.sub(
            lambda m: f'{m["attr"]}="{self.absolute(m["path"])}"', html
        )


class CategorySummarySerializer(AbsoluteUrlMixin, serializers.Serializer):
    """The article's section."""

    # Read from the listing_rows() row's joined columns.

    slug = serializers.SlugField(source="category__slug", max_length=100)
    name = serializers.CharField(source="category__name", max_length=100)
    url = serializers.SerializerMethodField()

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, row) -> str:
        return self.absolute(self.slug_url("articles:category", row["category__slug"]))


class CategorySerializer(AbsoluteUrlMixin, serializers.ModelSerializer):
    """A section of the site with its number of live articles."""

    url = serializers.SerializerMethodField()
    article_count = serializers.IntegerField(read_only=True, help_text="Live articles.")

    class Meta:
        model = Category
        fields = ["slug", "name", "description", "url", "article_count"]

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, category) -> str:
        return self.absolute(category.get_absolute_url())


class TagSummarySerializer(serializers.ModelSerializer):
    class Meta:
        model = Tag
        fields = ["slug", "name"]


class TagSerializer(TagSummarySerializer):
    article_count = serializers.IntegerField(read_only=True, help_text="Live articles.")

    class Meta(TagSummarySerializer.Meta):
        fields = ["slug", "name", "article_count"]


class AuthorSummarySerializer(serializers.ModelSerializer):
    class Meta:
        model = Author
        fields = ["slug", "name"]


@extend_schema_field(TagSummarySerializer(many=True))
class TagLabelsField(serializers.Field):
    """An article's tags (TagLabel pairs attached by attach_labels()), as TagSummary objects.
    A field rather than a nested serializer: nested, each of a page's rows built and walked two
    serializers more."""

    def to_representation(self, labels) -> list:
        return [{"slug": slug, "name": name} for slug, name in labels]


@extend_schema_field(AuthorSummarySerializer(many=True))
class AuthorLabelsField(TagLabelsField):
    """An article's byline (AuthorLabel pairs), as AuthorSummary objects."""


class RenditionSerializer(serializers.Serializer):
    url = serializers.URLField()
    width = serializers.IntegerField(min_value=1)
    height = serializers.IntegerField(min_value=1)
    format = serializers.ChoiceField(choices=["webp", "jpeg"])
    bytes = serializers.IntegerField(min_value=1)


class HeroImageSerializer(serializers.Serializer):
    """The article's lead image, with its text alternative and credit: `url` is its largest
    JPEG rendition (at most 1200 pixels wide), `renditions` every size in WebP and JPEG. The
    uploaded original is never given."""

    url = serializers.URLField()
    width = serializers.IntegerField(min_value=1)
    height = serializers.IntegerField(min_value=1)
    alt = serializers.CharField(allow_blank=True)
    caption = serializers.CharField(allow_blank=True)
    credit = serializers.CharField(allow_blank=True)
    renditions = RenditionSerializer(many=True)


class LiveEntryImageSerializer(serializers.Serializer):
    """A live entry's image, with its text alternative."""

    url = serializers.URLField()
    width = serializers.IntegerField(min_value=1)
    height = serializers.IntegerField(min_value=1)
    alt = serializers.CharField(allow_blank=True)
    caption = serializers.CharField(allow_blank=True)
    credit = serializers.CharField(allow_blank=True)


class LiveCoverageSerializer(serializers.Serializer):
    """The article's live coverage: null if it never had any."""

    started_at = serializers.DateTimeField()
    ended_at = serializers.DateTimeField(allow_null=True, help_text="Null while it runs.")
    is_live = serializers.BooleanField(help_text="Whether the coverage is running now.")


class ArticleListSerializer(AbsoluteUrlMixin, serializers.ModelSerializer):
    """A live article as lists give it."""

    # Serializes a listing_rows() row (a dict) with its labels attached: these fields make both
    # the JSON and the OpenAPI schema.

    url = serializers.SerializerMethodField()
    category = CategorySummarySerializer(source="*")
    tags = TagLabelsField(source="tag_labels", read_only=True)
    authors = AuthorLabelsField(source="author_labels", read_only=True)
    hero_image = serializers.SerializerMethodField()
    embargoed_until = serializers.SerializerMethodField(
        help_text="Only for keys with the embargoed-copy permission: the article is under "
        "embargo until this time and must not be shown before it. Null otherwise."
    )
    live_coverage = serializers.SerializerMethodField()

    class Meta:
        model = Article
        fields = [
            "id",
            "slug",
            "url",
            "title",
            "summary",
            "label",
            "is_featured",
            "category",
            "tags",
            "authors",
            "hero_image",
            "published_at",
            "updated_at",
            "reading_time_minutes",
            "embargoed_until",
            "live_coverage",
        ]
        # What the model allows blank or empty for drafts, a live article always has.
        extra_kwargs = {
            "published_at": {
                "required": True,
                "allow_null": False,
                "help_text": "When the article was published (its embargo may end later).",
            },
            "label": {"required": True, "help_text": 'A kicker such as "Top"; may be empty.'},
            "is_featured": {"required": True},
        }

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, row) -> str:
        return self.absolute(self.slug_url("articles:detail", row["slug"]))

    @extend_schema_field(serializers.DateTimeField(allow_null=True))
    def get_embargoed_until(self, row) -> str | None:
        until = row["embargoed_until"]
        if not is_under_embargo(until, self.now):
            return None
        return serializers.DateTimeField().to_representation(until)

    @extend_schema_field(LiveCoverageSerializer(allow_null=True))
    def get_live_coverage(self, row) -> dict | None:
        started, ended = row["live_coverage_started_at"], row["live_coverage_ended_at"]
        if started is None or started > self.now:
            return None
        coverage = {
            "started_at": started,
            "ended_at": ended,
            "is_live": coverage_runs(started, ended, self.now),
        }
        return LiveCoverageSerializer(coverage).data

    @cached_property
    def now(self):
        return timezone.now()

    @extend_schema_field(HeroImageSerializer(allow_null=True))
    def get_hero_image(self, row) -> dict | None:
        """Null without an image, and for the seconds until its renditions are made (the
        article is then `updated` in the changes feed)."""
        formats = row["hero_renditions"].get("formats", {})
        if not row["hero_image"] or not formats.get("jpeg"):
            return None
        embargoed = is_under_embargo(row["embargoed_until"], self.now)
        renditions = [
            {
                "url": self.media_address(url, embargoed=embargoed),
                "width": width,
                "height": height,
                "format": fmt,
                "bytes": size,
            }
            for fmt, sizes in formats.items()
            for width, height, url, size in sizes
        ]
        largest = [r for r in renditions if r["format"] == "jpeg"][-1]
        return {
            "url": largest["url"],
            "width": largest["width"],
            "height": largest["height"],
            "alt": row["hero_alt"],
            "caption": row["hero_caption"],
            "credit": row["hero_credit"],
            "renditions": renditions,
        }


class RelatedLinkSerializer(AbsoluteUrlMixin, serializers.ModelSerializer):
    """A "More to Read" link: one of our articles or an external page."""

    title = serializers.SerializerMethodField()
    url = serializers.SerializerMethodField()
    article = serializers.SerializerMethodField(help_text="Slug of our article, or null.")

    class Meta:
        model = RelatedLink
        fields = ["title", "url", "article"]

    def get_title(self, link) -> str:
        return link.title or link.target.title

    def get_url(self, link) -> str:
        return self.absolute(link.target.get_absolute_url()) if link.target_id else link.url

    def get_article(self, link) -> str | None:
        return link.target.slug if link.target_id else None


class ArticleWithBodySerializer(ArticleListSerializer):
    """A list item with `body_html`, for `?include=body`."""

    body_html = serializers.SerializerMethodField(
        help_text="Sanitized HTML; our own links and images have absolute URLs."
    )

    class Meta(ArticleListSerializer.Meta):
        fields = [*ArticleListSerializer.Meta.fields, "body_html"]

    def get_body_html(self, row) -> str:
        return self.absolute_html(row["body"])


class CorrectionSerializer(serializers.ModelSerializer):
    """A correction, clarification or update, newest first."""

    text_html = serializers.CharField(source="text", help_text="Sanitized HTML.")

    class Meta:
        model = Correction
        fields = ["kind", "text_html", "at"]


class LiveEntrySerializer(AbsoluteUrlMixin, serializers.ModelSerializer):
    """One entry of live coverage."""

    body_html = serializers.SerializerMethodField(help_text="Sanitized HTML.")
    image = serializers.SerializerMethodField()
    author = AuthorSummarySerializer(allow_null=True)

    class Meta:
        model = LiveEntry
        fields = [
            "id",
            "posted_at",
            "updated_at",
            "edited_at",
            "is_key_point",
            "body_html",
            "image",
            "author",
        ]

    def get_body_html(self, entry) -> str:
        return self.absolute_html(entry.body)

    @extend_schema_field(LiveEntryImageSerializer(allow_null=True))
    def get_image(self, entry) -> dict | None:
        if not entry.image:
            return None
        return {
            "url": self.media_address(
                entry.image.url, embargoed=self.context.get("embargoed", False)
            ),
            "width": entry.image_width,
            "height": entry.image_height,
            "alt": entry.image_alt,
            "caption": "",
            "credit": "",
        }


class ArticleDetailSerializer(ArticleWithBodySerializer):
    related_links = serializers.SerializerMethodField()
    corrections = serializers.SerializerMethodField()
    live_entries = serializers.SerializerMethodField(
        help_text="Newest first; with `since`, only those posted or edited at or after it."
    )

    class Meta(ArticleWithBodySerializer.Meta):
        fields = [
            *ArticleWithBodySerializer.Meta.fields,
            "related_links",
            "corrections",
            "live_entries",
        ]

    @extend_schema_field(CorrectionSerializer(many=True))
    def get_corrections(self, row) -> list:
        notes = Correction.objects.filter(article_id=row["id"])
        return CorrectionSerializer(notes, many=True).data

    @extend_schema_field(LiveEntrySerializer(many=True))
    def get_live_entries(self, row) -> list:
        if row["live_coverage_started_at"] is None:
            return []  # never had live coverage: nothing to read
        entries = LiveEntry.objects.filter(article_id=row["id"]).select_related("author")
        since = self.context.get("since")
        if since is not None:
            entries = entries.filter(updated_at__gte=since)
        context = {**self.context, "embargoed": is_under_embargo(row["embargoed_until"])}
        return LiveEntrySerializer(entries, many=True, context=context).data

    @extend_schema_field(RelatedLinkSerializer(many=True))
    def get_related_links(self, row) -> list:
        links = RelatedLink.objects.of_article(row["id"])
        return RelatedLinkSerializer(links, many=True, context=self.context).data


class ChangeSerializer(serializers.Serializer):
    """One entry of the changes feed: an article that is live (again) or a tombstone."""

    change = serializers.ChoiceField(choices=["updated", "withdrawn"])
    id = serializers.IntegerField(help_text="The article's id.")
    slug = serializers.CharField(help_text="The article's slug (as it was, for a tombstone).")
    changed_at = serializers.DateTimeField()
    reason = serializers.ChoiceField(
        choices=["unpublished", "deleted"],
        allow_null=True,
        help_text="Why a withdrawn article left; null for updates.",
    )
    article = ArticleListSerializer(
        allow_null=True, help_text="The live article; null if withdrawn."
    )


class MostReadSerializer(ArticleListSerializer):
    """A live article as lists give it, with its reads in the window asked for."""

    reads = serializers.IntegerField(
        help_text="Reads counted in the window (one per reader and article in 30 minutes, "
        "robots not counted)."
    )

    class Meta(ArticleListSerializer.Meta):
        fields = [*ArticleListSerializer.Meta.fields, "reads"]


class MostReadPageSerializer(serializers.Serializer):
    window = serializers.ChoiceField(choices=["24h", "7d"])
    results = MostReadSerializer(many=True)
