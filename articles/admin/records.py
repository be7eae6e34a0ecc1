"""Records the site keeps by itself: old addresses that redirect, and withdrawal tombstones."""

from django.contrib import admin

from articles.models import ArticleRedirect, ArticleWithdrawal


@admin.register(ArticleRedirect)
class ArticleRedirectAdmin(admin.ModelAdmin):
    list_display = ["old_slug", "article", "created_at"]
    list_select_related = ["article"]
    search_fields = ["old_slug", "article__title"]
    autocomplete_fields = ["article"]


@admin.register(ArticleWithdrawal)
class ArticleWithdrawalAdmin(admin.ModelAdmin):
    """Read-only: the tombstones partners sync removals from."""

    list_display = ["slug", "reason", "withdrawn_at"]
    list_filter = ["reason"]
    search_fields = ["slug"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
