from django_filters import rest_framework as filters
from rest_framework.exceptions import ValidationError
from taggit.models import Tag

from articles.models import Article, Author, Category


class ArticleFilter(filters.FilterSet):
    category = filters.ModelChoiceFilter(
        queryset=Category.objects.all(), to_field_name="slug", help_text="A category slug."
    )
    tag = filters.ModelMultipleChoiceFilter(
        queryset=Tag.objects.all(),
        to_field_name="slug",
        field_name="tags__slug",
        distinct=True,
        help_text="A tag slug; repeat the parameter for articles carrying any of them.",
    )
    author = filters.ModelChoiceFilter(
        queryset=Author.objects.all(),
        to_field_name="slug",
        field_name="authors",
        help_text="An author slug.",
    )
    q = filters.CharFilter(method="search", max_length=200, help_text="Words to search for.")
    published_after = filters.IsoDateTimeFilter(
        field_name="published_at", lookup_expr="gte", help_text="ISO 8601 date-time."
    )
    published_before = filters.IsoDateTimeFilter(
        field_name="published_at", lookup_expr="lt", help_text="ISO 8601 date-time."
    )
    updated_since = filters.IsoDateTimeFilter(
        field_name="updated_at", lookup_expr="gte", help_text="ISO 8601 date-time."
    )

    class Meta:
        model = Article
        fields = []

    def search(self, queryset, name, value):
        return queryset.search(value)


class StrictFilterBackend(filters.DjangoFilterBackend):
    """Refuse parameters we don't know instead of silently ignoring them."""

    def filter_queryset(self, request, queryset, view):
        accepted = set(getattr(view, "accepted_query_params", ()))
        filterset_class = self.get_filterset_class(view, queryset)
        if filterset_class is not None:
            accepted |= set(filterset_class.base_filters)
        unknown = sorted(set(request.query_params) - accepted)
        if unknown:
            allowed = ", ".join(sorted(accepted)) or "none"
            raise ValidationError(
                {name: [f"Unknown parameter. Accepted parameters: {allowed}."] for name in unknown}
            )
        return super().filter_queryset(request, queryset, view)
