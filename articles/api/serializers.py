import re

from django.utils import timezone
from django.utils.functional import cached_property
from rest_framework import serializers
from taggit.models import Tag

from articles.addresses import slug_urls
from articles.models import Article, Author, Category, RelatedLink

HERO_STORAGE = Article._meta.get_field("hero_image").storage
RELATIVE_URL_ATTRIBUTE = re.compile(r'(?P<attr>\b(?:src|href))="(?P<path>/(?!/)[^"]*)"')


class AbsoluteUrlMixin:
    """Addresses and times as this response gives them: the request's origin, the script prefix
    and the time zone are read once per serializer, not once or twice per article."""

    @cached_property
    def origin(self) -> str:
        request = self.context.get("request")
        return request.build_absolute_uri("/")[:-1] if request else ""

    @cached_property
    def slug_url(self):
        return slug_urls()

    @cached_property
    def zone(self):
        return timezone.get_current_timezone()

    def absolute(self, path: str) -> str:
        return self.origin + path if path.startswith("/") else path

    def absolute_html(self, html: str) -> str:
        """Make our own links and images in a body absolute, for partners' pages."""
        return RELATIVE_URL_ATTRIBUTE.sub(
            lambda m: f'{m["attr"]}="{self.absolute(m["path"])}"', html
        )

    def iso_time(self, value) -> str:
        """DRF's DateTimeField output: ISO 8601 in the current time zone, UTC written Z."""
        text = value.astimezone(self.zone).isoformat()
        return text[:-6] + "Z" if text.endswith("+00:00") else text


class CategorySummarySerializer(AbsoluteUrlMixin, serializers.ModelSerializer):
    url = serializers.SerializerMethodField()

    class Meta:
        model = Category
        fields = ["slug", "name", "url"]

    def get_url(self, category) -> str:
        return self.absolute(category.get_absolute_url())


class CategorySerializer(CategorySummarySerializer):
    article_count = serializers.IntegerField(read_only=True, help_text="Live articles.")

    class Meta(CategorySummarySerializer.Meta):
        fields = ["slug", "name", "description", "url", "article_count"]


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


class HeroImageSerializer(serializers.Serializer):
    """A list item's `hero_image`, as the schema describes it (ArticleListSerializer builds it)."""

    url = serializers.URLField()
    width = serializers.IntegerField()
    height = serializers.IntegerField()
    alt = serializers.CharField()
    caption = serializers.CharField()
    credit = serializers.CharField()


class ArticleListSerializer(AbsoluteUrlMixin, serializers.ModelSerializer):
    url = serializers.URLField()
    category = CategorySummarySerializer()
    tags = TagSummarySerializer(many=True)
    authors = AuthorSummarySerializer(many=True)
    hero_image = HeroImageSerializer(allow_null=True)

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
        ]

    def to_representation(self, row):
        """The fields above, built from a listing_rows() dict: DRF's generic field machinery
        and model instances cost most of a cold list's time. The declared fields still
        describe the output for the schema; tests check the two agree."""
        absolute, url = self.absolute, self.slug_url
        hero = None
        if row["hero_image"]:
            hero = {
                "url": absolute(HERO_STORAGE.url(row["hero_image"])),
                "width": row["hero_width"],
                "height": row["hero_height"],
                "alt": row["hero_alt"],
                "caption": row["hero_caption"],
                "credit": row["hero_credit"],
            }
        return {
            "id": row["id"],
            "slug": row["slug"],
            "url": absolute(url("articles:detail", row["slug"])),
            "title": row["title"],
            "summary": row["summary"],
            "label": row["label"],
            "is_featured": row["is_featured"],
            "category": {
                "slug": row["category__slug"],
                "name": row["category__name"],
                "url": absolute(url("articles:category", row["category__slug"])),
            },
            "tags": [{"slug": slug, "name": name} for slug, name in row["tag_labels"]],
            "authors": [{"slug": slug, "name": name} for slug, name in row["author_labels"]],
            "hero_image": hero,
            "published_at": self.iso_time(row["published_at"]),
            "updated_at": self.iso_time(row["updated_at"]),
            "reading_time_minutes": row["reading_time_minutes"],
        }


class RelatedLinkSerializer(AbsoluteUrlMixin, serializers.ModelSerializer):
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

    def to_representation(self, row):
        return {**super().to_representation(row), "body_html": self.get_body_html(row)}


class ArticleDetailSerializer(ArticleWithBodySerializer):
    related_links = serializers.SerializerMethodField()

    class Meta(ArticleWithBodySerializer.Meta):
        fields = [*ArticleWithBodySerializer.Meta.fields, "related_links"]

    def get_related_links(self, row) -> RelatedLinkSerializer(many=True):
        links = RelatedLink.objects.of_article(row["id"])
        return RelatedLinkSerializer(links, many=True, context=self.context).data

    def to_representation(self, row):
        return {**super().to_representation(row), "related_links": self.get_related_links(row)}


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
