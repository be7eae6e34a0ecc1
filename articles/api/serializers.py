from rest_framework import serializers
from taggit.models import Tag

from articles.models import Article, Author, Category, RelatedLink


class AbsoluteUrlMixin:
    def absolute(self, path: str) -> str:
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request else path


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


class ArticleDetailSerializer(ArticleListSerializer):
    body_html = serializers.CharField(source="body")
    related_links = serializers.SerializerMethodField()

    class Meta(ArticleListSerializer.Meta):
        fields = [*ArticleListSerializer.Meta.fields, "body_html", "related_links"]

    def get_related_links(self, article) -> RelatedLinkSerializer(many=True):
        links = article.visible_related_links()
        return RelatedLinkSerializer(links, many=True, context=self.context).data
