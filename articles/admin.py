from django.contrib import admin
from django.db import models
from django.db.models import Count
from rest_framework_api_key.admin import APIKeyModelAdmin
from rest_framework_api_key.models import APIKey

from articles.models import (
    Article,
    ArticleRedirect,
    ArticleWithdrawal,
    Author,
    Category,
    PartnerKey,
    RelatedLink,
)

# An address typed without a scheme is taken as https (Django 6's default, chosen now).
URL_FIELDS_ASSUME_HTTPS = {models.URLField: {"assume_scheme": "https"}}


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "position", "article_total"]
    list_editable = ["position"]
    prepopulated_fields = {"slug": ["name"]}
    search_fields = ["name"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(article_total=Count("articles"))

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


class RelatedLinkInline(admin.TabularInline):
    model = RelatedLink
    fk_name = "article"
    extra = 1
    fields = ["position", "target", "url", "title"]
    autocomplete_fields = ["target"]
    formfield_overrides = URL_FIELDS_ASSUME_HTTPS
    verbose_name = "“More to Read” link"
    verbose_name_plural = "“More to Read” links (shown in this order, topped up from the category)"


class ArticleRedirectInline(admin.TabularInline):
    model = ArticleRedirect
    extra = 0
    fields = ["old_slug", "created_at"]
    readonly_fields = ["old_slug", "created_at"]
    can_delete = True
    verbose_name_plural = "Old addresses that redirect here"

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    list_display = ["title", "category", "status", "published_at", "is_live", "byline", "tag_list"]
    list_filter = ["status", "is_featured", "category", "tags"]
    list_select_related = ["category"]
    search_fields = ["title", "slug", "summary"]
    date_hierarchy = "published_at"
    prepopulated_fields = {"slug": ["title"]}
    autocomplete_fields = ["category", "authors"]
    readonly_fields = ["first_published_at", "created_at", "updated_at", "version"]
    inlines = [RelatedLinkInline, ArticleRedirectInline]
    list_per_page = 50
    formfield_overrides = URL_FIELDS_ASSUME_HTTPS

    class Media:
        css = {"all": ["admin_newsroom/article.css"]}

    fieldsets = [
        (None, {"fields": ["title", "slug", "label", "summary", "body"]}),
        ("Filing", {"fields": ["category", "tags", "authors", "is_featured"]}),
        ("Hero image", {"fields": ["hero_image", "hero_alt", "hero_caption", "hero_credit"]}),
        ("Publishing", {"fields": ["status", "published_at"]}),
        (
            "SEO and syndication",
            {"classes": ["collapse"], "fields": ["seo_title", "seo_description", "canonical_url"]},
        ),
        (
            "Record",
            {
                "classes": ["collapse"],
                "fields": ["first_published_at", "created_at", "updated_at", "version"],
            },
        ),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("tags", "authors")

    @admin.display(boolean=True, description="live")
    def is_live(self, obj):
        return obj.is_live

    @admin.display(description="authors")
    def byline(self, obj):
        return ", ".join(author.name for author in obj.authors.all())

    @admin.display(description="tags")
    def tag_list(self, obj):
        return ", ".join(tag.name for tag in obj.tags.all())

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        article = form.instance
        profile = getattr(request.user, "author_profile", None)
        if profile and not article.authors.exists():
            article.authors.add(profile)


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


# Partners' keys live in PartnerKey (with a rate and last use); the library's own model is unused.
admin.site.unregister(APIKey)


@admin.register(PartnerKey)
class PartnerKeyAdmin(APIKeyModelAdmin):
    list_display = [
        "prefix",
        "name",
        "created",
        "expiry_date",
        "_has_expired",
        "revoked",
        "requests_per_minute",
        "last_used_at",
    ]
    list_filter = ["revoked", "created"]
