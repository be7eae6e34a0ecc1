from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import Count
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django_prose_editor.widgets import AdminProseEditorWidget
from rest_framework_api_key.admin import APIKeyModelAdmin
from rest_framework_api_key.models import APIKey
from simple_history.admin import SimpleHistoryAdmin
from taggit.models import Tag

from articles import webhook_events
from articles.api import webhooks
from articles.images import STORAGE_ERRORS, STORAGE_UNREACHABLE, media_storage_reachable
from articles.models import (
    Article,
    ArticleConflict,
    ArticleRedirect,
    ArticleWithdrawal,
    Author,
    Category,
    Correction,
    EmbargoFetch,
    LiveEntry,
    PartnerKey,
    RelatedLink,
    WebhookDelivery,
    WebhookEndpoint,
)
from articles.preview import make_preview_token
from articles.querysets import normalize_query
from articles.services import (
    article_publish,
    article_schedule,
    article_set_featured,
    article_state,
    article_submit_for_review,
    article_unpublish,
    can_publish,
    describe_conflict,
)
from articles.views import render_preview

# An address typed without a scheme is taken as https (Django 6's default, chosen now).
URL_FIELDS_ASSUME_HTTPS = {models.URLField: {"assume_scheme": "https"}}


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


class EditorsChangeNotesMixin:
    """Corrections are the editors' to change or remove (each change stays in their history)."""

    def has_change_permission(self, request, obj=None):
        return can_publish(request.user) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return can_publish(request.user) and super().has_delete_permission(request, obj)


class CorrectionInline(EditorsChangeNotesMixin, admin.StackedInline):
    """Corrections, clarifications and updates of a live article: editors only (the change form
    of a published article is theirs); every change and removal stays in the note's history."""

    model = Correction
    extra = 0
    fields = ["kind", "text", "at"]
    formfield_overrides = {models.TextField: {"widget": forms.Textarea(attrs={"rows": 3})}}
    verbose_name = "correction or update"
    verbose_name_plural = "Corrections and updates (shown on the article, newest first)"

    def has_add_permission(self, request, obj=None):
        return can_publish(request.user) and super().has_add_permission(request, obj)


BODY_EDITOR = {
    "extensions": {
        "Bold": True,
        "Italic": True,
        "Heading": {"levels": [2, 3, 4]},
        "BulletList": True,
        "OrderedList": True,
        "Blockquote": True,
        "Link": {"enableTarget": False, "protocols": ["http", "https", "mailto"]},
        "Figure": True,
        "Image": True,
        "Caption": True,
        "ListItem": True,
        "HardBreak": True,
        "History": True,
        "HTML": True,
    }
}
WORKFLOW_ACTIONS = ("_submit_review", "_publish_now", "_schedule", "_unpublish")
PUBLISHING_ACTIONS = {"_publish_now", "_schedule", "_unpublish"}


class ArticleAdminForm(forms.ModelForm):
    expected_version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    take_over_slug = forms.BooleanField(
        required=False,
        label="Take over this address",
        help_text="Only if the slug above used to belong to another article: its old address "
        "will open this article instead.",
    )
    canonical_url = forms.URLField(
        label="Canonical URL",
        required=False,
        assume_scheme="https",
        help_text=Article._meta.get_field("canonical_url").help_text,
    )
    request = None  # set per request by ArticleAdmin.get_form

    class Meta:
        model = Article
        fields = [
            "title",
            "slug",
            "label",
            "summary",
            "body",
            "category",
            "tags",
            "authors",
            "is_featured",
            "hero_image",
            "hero_alt",
            "hero_caption",
            "hero_credit",
            "published_at",
            "embargoed_until",
            "live_coverage_started_at",
            "live_coverage_ended_at",
            "seo_title",
            "seo_description",
            "canonical_url",
        ]
        widgets = {"body": AdminProseEditorWidget(config=BODY_EDITOR, preset="configurable")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["expected_version"].initial = self.instance.version

    def clean(self):
        cleaned = super().clean()
        self.instance.allow_slug_takeover = bool(cleaned.get("take_over_slug"))
        action = workflow_action(self.request)
        if action in PUBLISHING_ACTIONS and not can_publish(self.request.user):
            raise forms.ValidationError("Only editors can publish, schedule or unpublish articles.")
        if action == "_schedule":
            at = cleaned.get("published_at")
            if at is None or at <= timezone.now():
                self.add_error("published_at", "To schedule, choose a time in the future.")
        self.check_version(cleaned.get("expected_version"))
        new_upload = "hero_image" in self.changed_data and cleaned.get("hero_image")
        if new_upload and not media_storage_reachable():
            self.add_error("hero_image", STORAGE_UNREACHABLE)
        return cleaned

    def check_version(self, expected):
        if self.instance.pk is None or expected is None or self.is_revert():
            return
        # Locks the row until the admin's transaction ends, so no save can slip in between.
        current = (
            Article.objects.select_for_update()
            .filter(pk=self.instance.pk)
            .values_list("version", flat=True)
            .first()
        )
        if current is not None and current != expected:
            raise forms.ValidationError(describe_conflict(self.instance, expected))

    def is_revert(self) -> bool:
        match = getattr(self.request, "resolver_match", None)
        return bool(match and match.url_name == "articles_article_simple_history")


def workflow_action(request) -> str | None:
    if request is None or request.method != "POST":
        return None
    return next((action for action in WORKFLOW_ACTIONS if action in request.POST), None)


class StateFilter(admin.SimpleListFilter):
    title = "state"
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return [
            ("draft", "Draft"),
            ("review", "In review"),
            ("scheduled", "Scheduled"),
            ("live", "Live"),
        ]

    def queryset(self, request, queryset):
        match self.value():
            case "draft":
                return queryset.filter(status=Article.Status.DRAFT)
            case "review":
                return queryset.filter(status=Article.Status.REVIEW)
            case "scheduled":
                return queryset.scheduled()
            case "live":
                return queryset.live()
        return queryset


@admin.register(Article)
class ArticleAdmin(SimpleHistoryAdmin):
    form = ArticleAdminForm
    change_form_template = "admin/articles/article/change_form.html"
    list_display = ["thumbnail", "title", "category", "state", "published_at", "byline", "tag_list"]
    list_display_links = ["title"]
    list_filter = [StateFilter, "is_featured", "category", "tags"]
    list_select_related = ["category"]
    search_fields = ["title", "slug", "summary"]
    date_hierarchy = "published_at"
    prepopulated_fields = {"slug": ["title"]}
    autocomplete_fields = ["category", "authors"]
    inlines = [RelatedLinkInline, ArticleRedirectInline]
    list_per_page = 50
    formfield_overrides = URL_FIELDS_ASSUME_HTTPS
    actions = ["publish_selected", "unpublish_selected", "feature_selected", "unfeature_selected"]
    history_list_display = ["status", "version"]
    fieldsets = [
        (None, {"fields": ["title", "slug", "take_over_slug", "label", "summary", "body"]}),
        ("Filing", {"fields": ["category", "tags", "authors", "is_featured"]}),
        (
            "Hero image",
            {"fields": ["hero_preview", "hero_image", "hero_alt", "hero_caption", "hero_credit"]},
        ),
        (
            "Publishing",
            {
                "fields": [
                    "status",
                    "published_at",
                    "embargoed_until",
                    "embargo_record",
                    "expected_version",
                ]
            },
        ),
        (
            "Live coverage",
            {
                "fields": [
                    "live_coverage_started_at",
                    "live_coverage_ended_at",
                    "post_live_entry",
                ]
            },
        ),
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

    class Media:
        css = {"all": ["admin_newsroom/article.css"]}
        js = ["admin_newsroom/tag-suggestions.js"]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("tags", "authors")

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        # A subclass, not an attribute on the shared class: each request gets its own.
        form = type(form.__name__, (form,), {"request": request})
        if "tags" in form.base_fields:
            widget = form.base_fields["tags"].widget
            widget = getattr(widget, "widget", widget)  # inside the admin's related-field wrapper
            widget.attrs["data-suggest-url"] = reverse("admin:articles_article_tag_suggestions")
        return form

    def get_readonly_fields(self, request, obj=None):
        fields = [
            "status",
            "hero_preview",
            "embargo_record",
            "post_live_entry",
            "first_published_at",
            "created_at",
            "updated_at",
            "version",
        ]
        if not can_publish(request.user):
            fields += ["is_featured", "embargoed_until"]  # embargoes are a publishing decision
        return fields

    def get_inlines(self, request, obj):
        # Notes are for what readers have seen: a live article.
        if obj is not None and obj.is_live:
            return [CorrectionInline, *self.inlines]
        return self.inlines

    def save_formset(self, request, form, formset, change):
        for note in formset.save(commit=False):
            if isinstance(note, Correction) and note.pk is None:
                note.created_by = request.user
            note.save()
        for removed in formset.deleted_objects:
            removed.delete()
        formset.save_m2m()

    def has_change_permission(self, request, obj=None):
        # Writers edit drafts and pieces in review; a published or scheduled article is the
        # editors' to change.
        if (
            obj is not None
            and obj.status == Article.Status.PUBLISHED
            and not can_publish(request.user)
        ):
            return False
        return super().has_change_permission(request, obj)

    def has_publish_permission(self, request):
        return can_publish(request.user)

    def get_changeform_initial_data(self, request):
        initial = super().get_changeform_initial_data(request)
        profile = getattr(request.user, "author_profile", None)
        if profile is not None:
            initial.setdefault("authors", [profile.pk])
        return initial

    def view_on_site(self, obj):
        return obj.get_absolute_url() if obj.is_live else None

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        code, label = article_state(obj) if obj else ("draft", "Draft")
        context.update(
            {
                "state_code": code,
                "state_label": label,
                "can_publish": can_publish(request.user),
                "preview_url": reverse("admin:articles_article_preview", args=[obj.pk])
                if obj
                else None,
            }
        )
        return super().render_change_form(request, context, add, change, form_url, obj)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except ArticleConflict as conflict:
            # Rare: the version check in the form passed, then a save slipped in before ours.
            messages.error(request, describe_conflict(conflict.article, conflict.expected_version))
            return redirect(request.path)
        except STORAGE_ERRORS:
            # The store answered the form's check, then failed the write: the admin's
            # transaction rolled back, so nothing was half-saved.
            messages.error(request, STORAGE_UNREACHABLE)
            return redirect(request.path)

    def save_model(self, request, obj, form, change):
        # A restored revision is a deliberate overwrite: no version check.
        checked = change and not form.is_revert()
        expected = form.cleaned_data.get("expected_version") if checked else None
        action = workflow_action(request)
        if action == "_submit_review":
            article_submit_for_review(article=obj, by=request.user, expected_version=expected)
        elif action == "_publish_now":
            article_publish(article=obj, by=request.user, expected_version=expected)
        elif action == "_schedule":
            article_schedule(
                article=obj, by=request.user, at=obj.published_at, expected_version=expected
            )
        elif action == "_unpublish":
            article_unpublish(article=obj, by=request.user, expected_version=expected)
        else:
            if obj.status == Article.Status.PUBLISHED and not can_publish(request.user):
                raise PermissionDenied("Only editors can publish articles.")
            obj.save(expected_version=expected)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        article = form.instance
        profile = getattr(request.user, "author_profile", None)
        if profile and not article.authors.exists():
            article.authors.add(profile)

    def response_change(self, request, obj):
        self.message_for_action(request, obj)
        return super().response_change(request, obj)

    def response_add(self, request, obj, post_url_continue=None):
        self.message_for_action(request, obj)
        return super().response_add(request, obj, post_url_continue)

    def message_for_action(self, request, obj):
        messages_by_action = {
            "_submit_review": "submitted for review",
            "_publish_now": "published: it is live now",
            "_schedule": f"scheduled: it goes live {article_state(obj)[1][len('Scheduled for ') :]}",
            "_unpublish": "unpublished: it is off the site and the API",
        }
        action = workflow_action(request)
        if action in messages_by_action:
            messages.info(request, f"“{obj}” {messages_by_action[action]}.")

    # Columns

    @admin.display(description="state", ordering="status")
    def state(self, obj):
        code, label = article_state(obj)
        return format_html('<span class="state state--{}">{}</span>', code, label)

    @admin.display(description="")
    def thumbnail(self, obj):
        if not obj.hero_image:
            return ""
        return format_html(
            '<img src="{}" alt="" width="64" height="36" class="thumb">', obj.hero_image.url
        )

    @admin.display(description="current image")
    def hero_preview(self, obj):
        if not obj or not obj.hero_image:
            return "No image yet."
        return format_html(
            '<img src="{}" alt="{}" class="hero-preview">', obj.hero_image.url, obj.hero_alt
        )

    @admin.display(description="embargo record")
    def embargo_record(self, obj):
        """Who set or changed the embargo, and which partner keys fetched the article under it."""
        if obj is None or obj.pk is None:
            return "—"
        changes, previous = [], None
        for record in obj.history.order_by("history_date", "history_id").select_related(
            "history_user"
        ):
            if record.embargoed_until != previous:
                changes.append(record)
                previous = record.embargoed_until
        fetches = list(obj.embargo_fetches.select_related("key")[:20])
        if not changes and not fetches:
            return "No embargo has been set."
        lines = [
            format_html(
                "<li>{} set it to {} ({})</li>",
                record.history_user or "someone",
                timezone.localtime(record.embargoed_until).strftime("%Y-%m-%d %H:%M")
                if record.embargoed_until
                else "none",
                timezone.localtime(record.history_date).strftime("%Y-%m-%d %H:%M"),
            )
            for record in changes
        ] + [
            format_html(
                "<li>Fetched by key “{}” ({}) at {}</li>",
                fetch.key.name,
                fetch.key.prefix,
                timezone.localtime(fetch.fetched_at).strftime("%Y-%m-%d %H:%M:%S"),
            )
            for fetch in fetches
        ]
        return format_html(
            '<ul class="embargo-record">{}</ul>',
            format_html_join("", "{}", ((line,) for line in lines)),
        )

    @admin.display(description="live entries")
    def post_live_entry(self, obj):
        if obj is None or obj.pk is None or not obj.has_live_coverage:
            return "Set a start time to run live coverage; entries are posted from here."
        count = obj.live_entries.count()
        add = reverse("admin:articles_liveentry_add") + f"?article={obj.pk}"
        listing = reverse("admin:articles_liveentry_changelist") + f"?article__id__exact={obj.pk}"
        if not (obj.is_live and obj.is_live_coverage):
            return format_html(
                'Coverage is not running. <a href="{}">{} entries</a>', listing, count
            )
        return format_html(
            '<a class="button" href="{}">Post a live entry</a> · <a href="{}">{} entries</a>',
            add,
            listing,
            count,
        )

    @admin.display(description="authors")
    def byline(self, obj):
        return ", ".join(author.name for author in obj.authors.all())

    @admin.display(description="tags")
    def tag_list(self, obj):
        return ", ".join(tag.name for tag in obj.tags.all())

    # Bulk actions, each through the same services as the buttons

    @admin.action(description="Publish selected articles now", permissions=["publish"])
    def publish_selected(self, request, queryset):
        articles = [a for a in queryset if not a.is_live]
        for article in articles:
            article_publish(article=article, by=request.user)
        messages.info(request, f"Published {len(articles)} article(s).")

    @admin.action(description="Unpublish selected articles", permissions=["publish"])
    def unpublish_selected(self, request, queryset):
        articles = list(queryset.filter(status=Article.Status.PUBLISHED))
        for article in articles:
            article_unpublish(article=article, by=request.user)
        messages.info(request, f"Unpublished {len(articles)} article(s).")

    @admin.action(description="Feature selected articles", permissions=["publish"])
    def feature_selected(self, request, queryset):
        for article in queryset:
            article_set_featured(article=article, by=request.user, featured=True)

    @admin.action(description="Stop featuring selected articles", permissions=["publish"])
    def unfeature_selected(self, request, queryset):
        for article in queryset:
            article_set_featured(article=article, by=request.user, featured=False)

    # Preview

    def get_urls(self):
        own = [
            path(
                "tag-suggestions/",
                self.admin_site.admin_view(self.tag_suggestions_view),
                name="articles_article_tag_suggestions",
            ),
            path(
                "<path:object_id>/preview/",
                self.admin_site.admin_view(self.preview_view),
                name="articles_article_preview",
            ),
        ]
        return [*own, *super().get_urls()]

    def tag_suggestions_view(self, request):
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        query = normalize_query(request.GET.get("q", ""))[:100]
        names = Tag.objects.filter(name__istartswith=query).order_by("name") if query else []
        return JsonResponse({"tags": [tag.name for tag in names[:10]]})

    def preview_view(self, request, object_id):
        article = get_object_or_404(Article.objects.for_detail(), pk=object_id)
        if not self.has_view_or_change_permission(request, article):
            raise PermissionDenied
        share = {
            "share_url": request.build_absolute_uri(
                reverse("articles:preview", args=[make_preview_token(article)])
            ),
            "share_version_url": request.build_absolute_uri(
                reverse("articles:preview", args=[make_preview_token(article, pin_version=True)])
            ),
        }
        return render_preview(request, article, extra_context=share)


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
        return str(obj)[8:]


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


@admin.register(EmbargoFetch)
class EmbargoFetchAdmin(admin.ModelAdmin):
    """The audit trail of embargoed copy: which key fetched which article, when."""

    list_display = ["fetched_at", "article", "key"]
    list_select_related = ["article", "key"]
    list_filter = [("key", admin.RelatedOnlyFieldListFilter)]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class WebhookEndpointForm(forms.ModelForm):
    events = forms.MultipleChoiceField(
        choices=[(event, event) for event in webhooks.EVENTS],
        widget=forms.CheckboxSelectMultiple,
        initial=webhooks.EVENTS,
        help_text="Which changes this address gets.",
    )

    url = forms.URLField(
        label="URL",
        max_length=500,
        assume_scheme="https",
        help_text=webhooks.URL_HELP,
    )

    class Meta:
        model = WebhookEndpoint
        fields = ["key", "url", "events", "is_active"]


def endpoint_state(endpoint) -> str:
    """Receiving, switched off, or paused (when, and why)."""
    if endpoint is None or endpoint.pk is None:
        return "—"
    if endpoint.paused_at:
        return format_html(
            '<strong class="state state--paused">Paused {}</strong>: {}',
            timezone.localtime(endpoint.paused_at).strftime("%Y-%m-%d %H:%M"),
            endpoint.paused_reason,
        )
    return "Receiving" if endpoint.is_active else "Switched off"


def show_webhook_secret(request, endpoint) -> None:
    messages.warning(
        request,
        format_html(
            "Signing secret for {}: <code>{}</code> Copy it to the partner now: it is not shown "
            "again (rotate it to make a new one).",
            endpoint.url,
            endpoint.secret,
        ),
    )


class WebhookEndpointInline(admin.TabularInline):
    """A key's webhook endpoints, on the key's own page."""

    model = WebhookEndpoint
    form = WebhookEndpointForm
    fields = ["url", "events", "is_active", "state"]
    readonly_fields = ["state"]
    extra = 0
    verbose_name_plural = "Webhook endpoints (signing secret shown once, when added)"

    @admin.display(description="state")
    def state(self, obj):
        return endpoint_state(obj)


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(admin.ModelAdmin):
    """A partner's webhook addresses. The signing secret is shown once, when the endpoint is
    made or its secret rotated."""

    form = WebhookEndpointForm
    list_display = ["url", "key", "event_list", "is_active", "state", "created_at"]
    list_filter = ["is_active", ("key", admin.RelatedOnlyFieldListFilter)]
    readonly_fields = ["state", "created_at"]
    actions = ["rotate_secret", "resume_delivery"]

    def save_model(self, request, obj, form, change):
        created = obj.pk is None
        super().save_model(request, obj, form, change)
        if created:
            show_webhook_secret(request, obj)

    @admin.action(description="Rotate the signing secret (shown once)")
    def rotate_secret(self, request, queryset):
        for endpoint in queryset:
            endpoint.secret = webhooks.new_secret()
            endpoint.save(update_fields=["secret"])
            show_webhook_secret(request, endpoint)

    @admin.action(description="Resume paused deliveries (and send what waited)")
    def resume_delivery(self, request, queryset):
        for endpoint in queryset.exclude(paused_at=None):
            endpoint.resume()
            for delivery in endpoint.deliveries.filter(status=WebhookDelivery.Status.PENDING):
                webhook_events.redeliver(delivery)
        messages.info(request, "Deliveries resumed.")

    @admin.display(description="events")
    def event_list(self, obj):
        return ", ".join(obj.events)

    @admin.display(description="state")
    def state(self, obj):
        return endpoint_state(obj)


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(admin.ModelAdmin):
    """The delivery log: every event sent to every endpoint, with its attempts."""

    list_display = [
        "created_at",
        "event",
        "article_id",
        "endpoint",
        "status",
        "response_code",
        "latency_ms",
        "attempts",
    ]  # the error and the next attempt are on each delivery's page
    list_filter = ["status", "event", ("endpoint", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["endpoint", "endpoint__key"]
    search_fields = ["=article_id", "=idempotency_id"]
    actions = ["redeliver_selected"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.action(description="Redeliver selected (same event and idempotency id)")
    def redeliver_selected(self, request, queryset):
        for delivery in queryset.select_related("endpoint"):
            webhook_events.redeliver(delivery)
        messages.info(request, f"{queryset.count()} delivery(ies) queued again.")

    def get_actions(self, request):
        # Redelivering is a change, even though the rows are read-only in the form.
        actions = super().get_actions(request)
        if not request.user.has_perm("articles.change_webhookdelivery"):
            actions.pop("redeliver_selected", None)
        return actions


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
        "can_see_embargoed",
        "last_used_at",
    ]
    list_filter = ["revoked", "can_see_embargoed", "created"]
    inlines = [WebhookEndpointInline]

    def save_formset(self, request, form, formset, change):
        added = [f.instance for f in formset.extra_forms if f.has_changed() and not f.instance.pk]
        super().save_formset(request, form, formset, change)
        for endpoint in added:
            if endpoint.pk:
                show_webhook_secret(request, endpoint)
