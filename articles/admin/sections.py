"""Sections and authors: what articles are filed under and written by."""

from django.contrib import admin
from django.db.models import Count

from articles.models import Author, Category


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "position", "article_total"]
    list_editable = ["position"]
    prepopulated_fields = {"slug": ["name"]}
    search_fields = ["name"]

    def get_queryset(self, request):
        queryset = super().get_queryset(request).annotate(article_total=Count("articles"))
        return queryset.order_by(*Category._meta.ordering)  # GROUP BY drops Meta.ordering

    @admin.display(description="articles", ordering="article_total")
    def article_total(self, obj):
        return obj.article_total


@admin.register(Author)
class AuthorAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "user"]
    list_select_related = ["user"]
    prepopulated_fields = {"slug": ["name"]}
    search_fields = ["name"]
    autocomplete_fields = ["user"]
