from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, viewsets

from articles.api.filters import ArticleFilter
from articles.api.pagination import ArticleCursorPagination
from articles.api.serializers import (
    ArticleDetailSerializer,
    ArticleListSerializer,
    CategorySerializer,
    TagSerializer,
)
from articles.models import Article, Category
from articles.querysets import live_tags


@extend_schema_view(
    list=extend_schema(summary="Live articles, newest first"),
    retrieve=extend_schema(summary="One live article with its body and related links"),
)
class ArticleViewSet(viewsets.ReadOnlyModelViewSet):
    lookup_field = "slug"
    filterset_class = ArticleFilter
    pagination_class = ArticleCursorPagination
    accepted_query_params = ("cursor", "page_size")

    def get_queryset(self):
        if self.action == "retrieve":
            return Article.objects.live().for_detail()
        return Article.objects.live().for_listing()

    def get_serializer_class(self):
        if self.action == "retrieve":
            return ArticleDetailSerializer
        return ArticleListSerializer

    def get_filterset_class(self):
        return ArticleFilter if self.action == "list" else None


@extend_schema_view(
    list=extend_schema(summary="Categories with their live article counts"),
    retrieve=extend_schema(summary="One category with its live article count"),
)
class CategoryViewSet(viewsets.ReadOnlyModelViewSet):
    lookup_field = "slug"
    serializer_class = CategorySerializer
    pagination_class = None

    def get_queryset(self):
        return Category.objects.with_live_count()


@extend_schema_view(list=extend_schema(summary="Tags in use by live articles, with counts"))
class TagViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    serializer_class = TagSerializer
    pagination_class = None

    def get_queryset(self):
        return live_tags()
