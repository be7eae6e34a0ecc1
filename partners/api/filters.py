import re
from datetime import UTC

from django import forms
from django.db.models import Exists, OuterRef
from django_filters import rest_framework as filters
from django_filters.fields import IsoDateTimeField
from rest_framework.exceptions import ValidationError
from taggit.models import Tag

from articles.models import Article, Author, Category, TaggedArticle
from partners.api.exceptions import ParameterNotFound

# What a slug looks like (the schema says so too); which slugs exist, only the server knows.
SLUG_PATTERN = r"^[-a-zA-Z0-9_]+$"
SLUG = re.compile(SLUG_PATTERN)
TERMS = {"category": "section", "tag": "tag", "author": "author"}


class BoundedIsoDateTimeField(IsoDateTimeField):
    """ISO 8601 date-time; a time without offset is taken in the site's time zone (UTC)."""

    def to_python(self, value):
        result = super().to_python(value)
        if result is None:
            return None
        try:
            # In UTC: PostgreSQL refuses offsets beyond ±15:59, which ISO 8601 allows.
            return result.astimezone(UTC)
        except OverflowError:
            raise forms.ValidationError("Date out of range.", code="invalid") from None


class BoundedIsoDateTimeFilter(filters.IsoDateTimeFilter):
    field_class = BoundedIsoDateTimeField


def visible_articles(request):
    """What the request's key may see: live articles, and embargoed ones for keys with the
    embargoed-copy permission. A filter's choices come from them, so that a section, tag or author
    shown only on hidden articles answers exactly like one that does not exist."""
    if getattr(getattr(request, "auth", None), "can_see_embargoed", False):
        return Article.objects.live_or_embargoed()
    return Article.objects.live()


def visible_categories(request):
    return Category.objects.filter(
        Exists(visible_articles(request).filter(category=OuterRef("pk")))
    )


def visible_tags(request):
    tagged = TaggedArticle.objects.filter(
        tag=OuterRef("pk"), content_object__in=visible_articles(request).values("pk")
    )
    return Tag.objects.filter(Exists(tagged))


def visible_authors(request):
    return Author.objects.filter(Exists(visible_articles(request).filter(authors=OuterRef("pk"))))


class ArticleFilter(filters.FilterSet):
    category = filters.ModelChoiceFilter(
        queryset=visible_categories, to_field_name="slug", help_text="A category slug."
    )
    tag = filters.ModelMultipleChoiceFilter(
        queryset=visible_tags,
        to_field_name="slug",
        field_name="tags__slug",
        distinct=True,
        help_text="A tag slug; repeat the parameter for articles carrying any of them.",
    )
    author = filters.ModelChoiceFilter(
        queryset=visible_authors,
        to_field_name="slug",
        field_name="authors",
        help_text="An author slug.",
    )
    label = filters.CharFilter(
        field_name="label",
        lookup_expr="iexact",
        max_length=30,
        help_text='A kicker such as "Top" or "Analysis" (case-insensitive).',
    )
    featured = filters.TypedChoiceFilter(
        field_name="is_featured",
        choices=[("true", "true"), ("false", "false")],
        coerce=lambda value: value == "true",
        help_text="`true` for featured articles only, `false` for the others.",
    )
    q = filters.CharFilter(
        method="search", max_length=200, help_text="Words to search for (all must match)."
    )
    published_after = BoundedIsoDateTimeFilter(
        field_name="published_at",
        lookup_expr="gte",
        help_text="ISO 8601 date-time: published at or after it.",
    )
    published_before = BoundedIsoDateTimeFilter(
        field_name="published_at",
        lookup_expr="lt",
        help_text="ISO 8601 date-time: published before it.",
    )
    updated_since = BoundedIsoDateTimeFilter(
        field_name="updated_at",
        lookup_expr="gte",
        help_text="ISO 8601 date-time: updated at or after it.",
    )

    class Meta:
        model = Article
        fields = []

    def search(self, queryset, name, value):
        return queryset.matching(value)


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
        for name in accepted:
            values = request.query_params.getlist(name)
            if len(values) > 1 and name != "tag":
                raise ValidationError({name: ["Give this parameter once."]})
            if any(value == "" for value in values):
                raise ValidationError({name: ["Empty value: give a value or leave it out."]})
            if name in TERMS and not all(SLUG.match(value) for value in values):
                raise ValidationError(
                    {name: ["Not a slug: use letters, digits, hyphens and underscores."]}
                )
        if filterset_class is None or not set(request.query_params) & set(
            filterset_class.base_filters
        ):
            # Every filter is optional: without one the filter set (a form, deep copies of
            # each filter) would return the queryset unchanged.
            return queryset
        filterset = self.get_filterset(request, queryset, view)
        if not filterset.is_valid():
            raise_for(filterset.form.errors.as_data())
        return filterset.qs


def raise_for(errors: dict):
    """404 when every error is a slug that names nothing a key may see (hidden and unknown
    alike), else 400 with each parameter's messages."""
    missing = {
        name
        for name, problems in errors.items()
        if name in TERMS and all(problem.code == "invalid_choice" for problem in problems)
    }
    if missing == set(errors):
        raise ParameterNotFound(
            {name: [f"No live article shows a {TERMS[name]} with this slug."] for name in missing}
        )
    raise ValidationError(
        {
            name: [message for problem in problems for message in problem.messages]
            for name, problems in errors.items()
        }
    )
