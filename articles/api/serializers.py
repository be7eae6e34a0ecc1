import re

from rest_framework import serializers
from taggit.models import Tag

from articles.models import Article, Author, Category, RelatedLink

DATETIME = serializers.DateTimeField()
RELATIVE_URL_ATTRIBUTE = re.compile(r'(?P<attr>\b(?:src|href))="(?P<path>/(?!/)[^"]*)"')


class AbsoluteUrlMixin:
    def absolute(self, path: str) -> str:
        # The request's origin, worked out once per serializer rather than once per URL.
        origin = self.__dict__.get("_origin")
        if origin is None:
            request = self.context.get("request")
            origin = self._origin = request.build_absolute_uri("/")[:-1] if request else ""
        return origin + path if path.startswith("/") else path

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

    def to_representation(self, article):
        """The fields above, built directly: DRF's generic field machinery costs about half a
        millisecond per article, the whole of a cold list's time. The declared fields still
        describe the output for the schema; tests check the two agree."""
        absolute, category = self.absolute, article.category
        hero = None
        if article.hero_image:
            hero = {
                "url": absolute(article.hero_image.url),
                "width": article.hero_width,
                "height": article.hero_height,
                "alt": article.hero_alt,
                "caption": article.hero_caption,
                "credit": article.hero_credit,
            }
        return {
            "id": article.id,
            "slug": article.slug,
            "url": absolute(article.get_absolute_url()),
            "title": article.title,
            "summary": article.summary,
            "label": article.label,
            "is_featured": article.is_featured,
            "category": {
                "slug": category.slug,
                "name": category.name,
                "url": absolute(category.get_absolute_url()),
            },
            "tags": [{"slug": tag.slug, "name": tag.name} for tag in article.tag_list],
            "authors": [{"slug": a.slug, "name": a.name} for a in article.author_list],
            "hero_image": hero,
            "published_at": DATETIME.to_representation(article.published_at),
            "updated_at": DATETIME.to_representation(article.updated_at),
            "reading_time_minutes": article.reading_time_minutes,
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

    def get_body_html(self, article) -> str:
        return self.absolute_html(article.body)

    def to_representation(self, article):
        return {**super().to_representation(article), "body_html": self.get_body_html(article)}


class ArticleDetailSerializer(ArticleWithBodySerializer):
    related_links = serializers.SerializerMethodField()

    class Meta(ArticleWithBodySerializer.Meta):
        fields = [*ArticleWithBodySerializer.Meta.fields, "related_links"]

    def get_related_links(self, article) -> RelatedLinkSerializer(many=True):
        links = article.visible_related_links()
        return RelatedLinkSerializer(links, many=True, context=self.context).data

    def to_representation(self, article):
        return {
            **super().to_representation(article),
            "related_links": self.get_related_links(article),
        }


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
