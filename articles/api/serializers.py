import re

from rest_framework import serializers
from taggit.models import Tag

from articles.models import Article, Author, Category, RelatedLink

RELATIVE_URL_ATTRIBUTE = re.compile(r'(?P<attr>\b(?:src|href))="(?P<path>/(?!/)[^"]*)"')


class AbsoluteUrlMixin:
    def absolute(self, path: str) -> str:
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request else path

    def absolute_html(self, html: str) -> str:
        """Make our own links and images in a body absolute, for partners' pages."""
        return RELATIVE_URL_ATTRIBUTE.sub(
            lambda m: f'{m["attr"]}="{self.absolute(m["path"])}"', html
        )


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


class HeroImageSerializer(AbsoluteUrlMixin, serializers.Serializer):
    url = serializers.SerializerMethodField()
    width = serializers.IntegerField(source="hero_width")
    height = serializers.IntegerField(source="hero_height")
    alt = serializers.CharField(source="hero_alt")
    caption = serializers.CharField(source="hero_caption")
    credit = serializers.CharField(source="hero_credit")

    def get_url(self, article) -> str:
        return self.absolute(article.hero_image.url)


class ArticleListSerializer(AbsoluteUrlMixin, serializers.ModelSerializer):
    url = serializers.SerializerMethodField()
    category = CategorySummarySerializer()
    tags = TagSummarySerializer(many=True)
    authors = AuthorSummarySerializer(many=True)
    hero_image = serializers.SerializerMethodField()

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

    def get_url(self, article) -> str:
        return self.absolute(article.get_absolute_url())

    def get_hero_image(self, article) -> HeroImageSerializer(allow_null=True):
        if not article.hero_image:
            return None
        return HeroImageSerializer(article, context=self.context).data


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

    def get_body_html(self, article) -> str:
        return self.absolute_html(article.body)


class ArticleDetailSerializer(ArticleWithBodySerializer):
    related_links = serializers.SerializerMethodField()

    class Meta(ArticleWithBodySerializer.Meta):
        fields = [*ArticleWithBodySerializer.Meta.fields, "related_links"]

    def get_related_links(self, article) -> RelatedLinkSerializer(many=True):
        links = article.visible_related_links()
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
