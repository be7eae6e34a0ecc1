"""Live entries and corrections across the site (each is added from its article's page)."""

from django import forms
from django.contrib import admin, messages
from django.db import models
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from simple_history.admin import SimpleHistoryAdmin

from articles.admin.inlines import EditorsChangeNotesMixin
from articles.models import Article, Correction, LiveEntry


@admin.register(LiveEntry)
class LiveEntryAdmin(SimpleHistoryAdmin):
    """Posting to live coverage: a short form that comes back empty for the next entry."""

    list_display = ["posted_at", "article", "summary", "is_key_point", "author"]
    list_filter = ["is_key_point", ("article", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["article", "author"]
    search_fields = ["body"]
    fields = ["article", "body", "is_key_point", "image", "image_alt", "author", "posted_at"]
    formfield_overrides = {models.TextField: {"widget": forms.Textarea(attrs={"rows": 4})}}

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "article":
            # Only articles whose coverage runs; an entry on any other is refused anyway.
            kwargs["queryset"] = Article.objects.live().with_live_coverage_running()
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_changeform_initial_data(self, request):
        initial = super().get_changeform_initial_data(request)
        profile = getattr(request.user, "author_profile", None)
        if profile is not None:
            initial.setdefault("author", profile.pk)
        return initial

    def response_add(self, request, obj, post_url_continue=None):
        if "_continue" in request.POST or "_popup" in request.POST:
            return super().response_add(request, obj, post_url_continue)
        messages.success(
            request, f"Posted at {timezone.localtime(obj.posted_at):%H:%M}. Next entry:"
        )
        return redirect(reverse("admin:articles_liveentry_add") + f"?article={obj.article_id}")

    @admin.display(description="entry")
    def summary(self, obj):
        return obj.excerpt


@admin.register(Correction)
class CorrectionAdmin(EditorsChangeNotesMixin, SimpleHistoryAdmin):
    """Every note across the site (they are added on the article's own page)."""

    list_display = ["at", "kind", "article", "created_by"]
    list_filter = ["kind"]
    list_select_related = ["article", "created_by"]
    search_fields = ["text", "article__title"]
    fields = ["article", "kind", "text", "at"]
    raw_id_fields = ["article"]

    def has_add_permission(self, request):
        return False  # added from the article, where it is seen in context
