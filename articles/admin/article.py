"""The article's admin: the list editors work from and the change form with its workflow."""

import json
from datetime import timedelta

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Case, Value, When
from django.http import Http404, HttpResponseBadRequest, JsonResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from simple_history.admin import SimpleHistoryAdmin
from taggit.models import Tag

from articles.admin.forms import ArticleAdminForm, WorkflowAction
from articles.admin.inlines import (
    URL_FIELDS_ASSUME_HTTPS,
    ArticleRedirectInline,
    CorrectionInline,
    RelatedLinkInline,
)
from articles.admin.panels import (
    embargo_record,
    hero_preview,
    local,
    notes_thread,
    post_live_entry,
    state_badge,
    thumbnail,
)
from articles.desk import returned
from articles.images import STORAGE_ERRORS, STORAGE_UNREACHABLE
from articles.models import Article, ArticleConflict, Correction, PendingChange
from articles.pending import discard_pending, pending_as_post, save_for_later
from articles.review import add_note, changes_requested, request_changes, resolve_notes
from articles.revisions import readable_changes
from articles.search import normalize_query
from articles.services import (
    DRAFT,
    article_publish,
    article_schedule,
    article_set_featured,
    article_state,
    article_submit_for_review,
    article_unpublish,
    can_publish,
    describe_conflict,
)
from articles.visibility import goes_live_at
from articles.working_copies import (
    PRESENCE_BEAT,
    discard_working_copy,
    editing_now,
    keep_working_copy,
    working_copy_of,
)

# Buttons other apps add to an article's workflow row (the newsletter's "Send as breaking
# news"): each is called with (request, article) and gives (label, address, explanation) or None.
EXTRA_ACTIONS = []


def schedule(*, article, by, expected_version):
    return article_schedule(
        article=article, by=by, at=article.published_at, expected_version=expected_version
    )


# What each workflow button does: one service each (articles.services checks permissions).
WORKFLOW = {
    WorkflowAction.SUBMIT_FOR_REVIEW: article_submit_for_review,
    WorkflowAction.PUBLISH_NOW: article_publish,
    WorkflowAction.SCHEDULE: schedule,
    WorkflowAction.UNPUBLISH: article_unpublish,
}


def action_done(action: WorkflowAction, article: Article) -> str:
    if action is WorkflowAction.SCHEDULE:
        return (
            f"scheduled: it goes live {local(article_state(article).goes_live_at, '%b %-d, %H:%M')}"
        )
    return {
        WorkflowAction.SUBMIT_FOR_REVIEW: "submitted for review",
        WorkflowAction.PUBLISH_NOW: "published: it is live now",
        WorkflowAction.UNPUBLISH: "unpublished: it is off the site and the API",
    }[action]


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


class MineFilter(admin.SimpleListFilter):
    title = "byline"
    parameter_name = "mine"

    def lookups(self, request, model_admin):
        return [("1", "Mine")]

    def queryset(self, request, queryset):
        if self.value() == "1":
            return queryset.filter(authors__user=request.user)
        return queryset


def going_live_days() -> dict:
    """The go-live filter's days, in the site's time zone: (from, until) for each choice."""
    today = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
    day = timedelta(days=1)
    return {
        "today": (today, today + day),
        "tomorrow": (today + day, today + 2 * day),
        "rest_of_week": (today + day, today + 7 * day),
        "later": (today + 7 * day, None),
    }


class GoesLiveFilter(admin.SimpleListFilter):
    """By the time an article really goes live: its publication time, or its embargo's end if
    that is later (a piece embargoed to Thursday is Thursday's, not the day it was scheduled)."""

    title = "goes live"
    parameter_name = "goes_live"

    def lookups(self, request, model_admin):
        return [
            ("today", "Today"),
            ("tomorrow", "Tomorrow"),
            ("rest_of_week", "Later this week"),
            ("later", "After this week"),
        ]

    def queryset(self, request, queryset):
        days = going_live_days()
        if self.value() not in days:
            return queryset
        start, end = days[self.value()]
        going = queryset.filter(status=Article.Status.PUBLISHED, goes_live_time__gte=start)
        return going.filter(goes_live_time__lt=end) if end else going


class ReturnedFilter(admin.SimpleListFilter):
    title = "review"
    parameter_name = "returned"

    def lookups(self, request, model_admin):
        return [("1", "Returned with changes requested")]

    def queryset(self, request, queryset):
        if self.value() == "1":
            return returned(queryset)
        return queryset


class LiveCoverageFilter(admin.SimpleListFilter):
    title = "live coverage"
    parameter_name = "live_coverage"

    def lookups(self, request, model_admin):
        return [("running", "Running")]

    def queryset(self, request, queryset):
        if self.value() == "running":
            return queryset.with_live_coverage_running()
        return queryset


# Work in progress first: in review, then drafts, then what goes live, then live articles.
WORK_ORDER = Case(
    When(status=Article.Status.REVIEW, then=Value(0)),
    When(status=Article.Status.DRAFT, then=Value(1)),
    default=Value(2),
)


@admin.register(Article)
class ArticleAdmin(SimpleHistoryAdmin):
    form = ArticleAdminForm
    change_form_template = "admin/articles/article/change_form.html"
    list_display = [
        "title",
        state_badge,
        "goes_live",
        "category",
        "byline",
        thumbnail,
        "tag_list",
    ]
    list_display_links = ["title"]
    list_filter = [
        StateFilter,
        MineFilter,
        ReturnedFilter,
        GoesLiveFilter,
        LiveCoverageFilter,
        "authors",
        "category",
        "is_featured",
        "tags",
    ]
    list_select_related = ["category"]
    # Headline, standfirst, body text and bylines (the list's search box).
    search_fields = ["title", "slug", "summary", "body", "authors__name"]
    prepopulated_fields = {"slug": ["title"]}
    autocomplete_fields = ["category", "authors"]
    inlines = [RelatedLinkInline, ArticleRedirectInline]
    list_per_page = 50
    formfield_overrides = URL_FIELDS_ASSUME_HTTPS
    actions = ["publish_selected", "unpublish_selected", "feature_selected", "unfeature_selected"]
    history_list_display = ["status", "version"]
    object_history_list_template = "admin/articles/article/object_history_list.html"
    # Four sections, one shown at a time (static/admin_newsroom/sections.js; without scripts,
    # one long form): each fieldset names its section in its classes.
    fieldsets = [
        (
            None,
            {
                "classes": ["section-content"],
                "fields": ["title", "slug", "take_over_slug", "label", "summary", "body"],
            },
        ),
        (
            "Desk notes",
            {
                "classes": ["section-content"],
                "description": "Between staff only: never on the site, in feeds or the API.",
                "fields": ["notes_thread", "editorial_note", "reply_to_note", "resolve_notes"],
            },
        ),
        (
            "Filing",
            {
                "classes": ["section-promotion"],
                "fields": ["category", "tags", "authors", "is_featured"],
            },
        ),
        (
            "Hero image",
            {
                "classes": ["section-promotion"],
                "fields": ["hero_preview", "hero_image", "hero_alt", "hero_caption", "hero_credit"],
            },
        ),
        (
            "SEO and syndication",
            {
                "classes": ["section-promotion"],
                "fields": ["seo_title", "seo_description", "canonical_url"],
            },
        ),
        (
            "Publishing",
            {
                "classes": ["section-publishing"],
                "fields": [
                    "status",
                    "published_at",
                    "embargoed_until",
                    "embargo_record",
                    "expected_version",
                ],
            },
        ),
        (
            "Record",
            {
                "classes": ["section-publishing"],
                "fields": ["first_published_at", "created_at", "updated_at", "version"],
            },
        ),
        (
            "Live coverage",
            {
                "classes": ["section-coverage"],
                "fields": [
                    "live_coverage_started_at",
                    "live_coverage_ended_at",
                    "post_live_entry",
                ],
            },
        ),
    ]
    # What only editors may change is not shown to writers at all (services check it too).
    EDITORS_FIELDS = {"is_featured", "embargoed_until", "embargo_record"}

    class Media:
        css = {"all": ["admin_newsroom/article.css"]}
        js = [
            "admin_newsroom/tag-suggestions.js",
            "admin_newsroom/autosave.js",
            "admin_newsroom/accessible-widgets.js",
            "admin_newsroom/sections.js",
        ]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .prefetch_related("tags", "authors")
            .annotate(goes_live_time=goes_live_at())
        )

    def get_ordering(self, request):
        return [WORK_ORDER.asc(), "-updated_at", "-pk"]

    @admin.display(description="goes live", ordering="goes_live_time")
    def goes_live(self, obj):
        """When it goes (or went) live: its embargo's end if that is later than its time."""
        if obj.status != Article.Status.PUBLISHED or obj.goes_live_time is None:
            return "—"
        return local(obj.goes_live_time, "%b %-d, %H:%M")

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        # A subclass, not an attribute on the shared class: each request gets its own.
        form = type(form.__name__, (form,), {"request": request})
        if "tags" in form.base_fields:
            widget = form.base_fields["tags"].widget
            widget = getattr(widget, "widget", widget)  # inside the admin's related-field wrapper
            widget.attrs["data-suggest-url"] = reverse("admin:articles_article_tag_suggestions")
        return form

    # The read-only panels (articles.admin.panels), by the names the fieldsets use.
    hero_preview = staticmethod(hero_preview)
    embargo_record = staticmethod(embargo_record)
    post_live_entry = staticmethod(post_live_entry)
    notes_thread = staticmethod(notes_thread)

    def get_fieldsets(self, request, obj=None):
        if can_publish(request.user):
            return self.fieldsets
        return [
            (
                name,
                {
                    **options,
                    "fields": [f for f in options["fields"] if f not in self.EDITORS_FIELDS],
                },
            )
            for name, options in self.fieldsets
        ]

    def get_readonly_fields(self, request, obj=None):
        fields = [
            "status",
            "hero_preview",
            "embargo_record",
            "post_live_entry",
            "notes_thread",
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
        state = article_state(obj) if obj else DRAFT
        pending = PendingChange.objects.filter(article=obj).first() if obj else None
        context.update(
            {
                "state_code": state.code,
                "state_label": state.label,
                "can_publish": can_publish(request.user),
                # The reader site renders previews (newsroom/urls.py).
                "preview_url": reverse("article_preview", args=[obj.pk]) if obj else None,
                "working_copy_config": self.working_copy_config(request, obj, pending),
                "pending_change": pending,
                "extra_actions": [
                    action for offer in EXTRA_ACTIONS if obj and (action := offer(request, obj))
                ],
                "changes_requested": list(changes_requested(obj)) if obj else [],
            }
        )
        return super().render_change_form(request, context, add, change, form_url, obj)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        if request.method == "POST" and object_id and "_discard_pending" in request.POST:
            return self.discard_pending_view(request, object_id)
        if (
            request.method == "POST"
            and object_id
            and WorkflowAction.PUBLISH_CHANGES in request.POST
        ):
            pending = PendingChange.objects.filter(article_id=object_id).first()
            if pending is None:
                messages.error(request, "No changes are waiting to be published.")
                return redirect(request.path)
            # Publishing them is saving the form as it was kept, against its base version.
            request.POST = pending_as_post(pending, request.POST.get("csrfmiddlewaretoken", ""))
            request.POST[WorkflowAction.PUBLISH_CHANGES] = "Publish changes"
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

    def keep_the_desks_notes(self, request, article, form):
        """The note written with this save, and the notes it resolves (articles.review)."""
        text = (form.cleaned_data.get("editorial_note") or "").strip()
        if text:
            add_note(
                article=article,
                by=request.user,
                text=text,
                reply_to=form.cleaned_data.get("reply_to_note"),
            )
        if form.cleaned_data.get("resolve_notes"):
            resolve_notes(
                article=article, by=request.user, notes=form.cleaned_data["resolve_notes"]
            )

    def discard_pending_view(self, request, object_id):
        article = self.get_object(request, object_id)
        if article is None or not self.has_change_permission(request, article):
            raise PermissionDenied
        discard_pending(article)
        messages.info(request, "The changes saved for later were discarded.")
        return redirect(request.path)

    def save_model(self, request, obj, form, change):
        # A restored revision is a deliberate overwrite: no version check.
        checked = change and not form.is_revert()
        expected = form.cleaned_data.get("expected_version") if checked else None
        action = form.action
        if action is WorkflowAction.SAVE_FOR_LATER:
            kept = {
                name: values
                for name, values in request.POST.lists()
                if name not in set(WorkflowAction)
            }
            save_for_later(
                article=obj, data=kept, base_version=expected or obj.version, by=request.user
            )
            discard_working_copy(obj, request.user)
            return  # the article itself is not saved: readers see nothing
        if action is WorkflowAction.REQUEST_CHANGES:
            request_changes(
                article=obj,
                by=request.user,
                note=form.cleaned_data["editorial_note"],
                expected_version=expected,
            )
            discard_working_copy(obj, request.user)
            message = f"“{obj}” returned to its writer with your note."
            transaction.on_commit(lambda: messages.info(request, message))
            return
        self.keep_the_desks_notes(request, obj, form)
        if action is WorkflowAction.PUBLISH_CHANGES:
            obj.save(expected_version=expected)
            discard_pending(obj)
            discard_working_copy(obj, request.user)
            return
        if action is None:
            if obj.status == Article.Status.PUBLISHED and not can_publish(request.user):
                raise PermissionDenied("Only editors can publish articles.")
            obj.save(expected_version=expected)
            discard_working_copy(obj, request.user)  # saved: nothing left unsaved
            return
        WORKFLOW[action](article=obj, by=request.user, expected_version=expected)
        discard_working_copy(obj, request.user)
        # Said once the admin's transaction commits: never for a save that was undone.
        message = f"“{obj}” {action_done(action, obj)}."
        transaction.on_commit(lambda: messages.info(request, message))

    def save_related(self, request, form, formsets, change):
        if form.action is WorkflowAction.SAVE_FOR_LATER:
            return  # kept with the pending change, not applied
        super().save_related(request, form, formsets, change)
        article = form.instance
        profile = getattr(request.user, "author_profile", None)
        if profile and not article.authors.exists():
            article.authors.add(profile)

    def construct_change_message(self, request, form, formsets, add=False):
        if form.action is WorkflowAction.SAVE_FOR_LATER:
            return []  # the inline forms were kept, not saved: nothing to describe yet
        return super().construct_change_message(request, form, formsets, add)

    def log_change(self, request, obj, message):
        if WorkflowAction.SAVE_FOR_LATER in request.POST:
            return None  # nothing changed yet: publishing the changes logs them
        return super().log_change(request, obj, message)

    def response_change(self, request, obj):
        if WorkflowAction.SAVE_FOR_LATER in request.POST:
            messages.success(
                request,
                f"Changes to “{obj}” saved for later: readers see nothing until you publish them.",
            )
            return redirect(request.path)
        if WorkflowAction.PUBLISH_CHANGES in request.POST:
            messages.success(request, f"Changes to “{obj}” published: readers see them now.")
            return redirect(request.path)
        return super().response_change(request, obj)

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

    # Never losing a word: the working copy autosave keeps, and what the form's script needs

    def working_copy_config(self, request, obj, pending) -> dict:
        copy = working_copy_of(obj, request.user) if obj else None
        return {
            "article": obj.pk if obj else None,
            "user": request.user.get_username(),
            "autosave_url": reverse("admin:articles_article_autosave", args=[obj.pk])
            if obj
            else None,
            "presence_url": reverse("admin:articles_article_presence", args=[obj.pk])
            if obj
            else None,
            "presence_seconds": PRESENCE_BEAT,
            "session_url": reverse("admin_session"),
            "sign_in_url": reverse("admin_sign_in"),
            "pending": {"data": pending.data, "base_version": pending.base_version}
            if pending
            else None,
            "working_copy": {
                "data": copy.data,
                "base_version": copy.base_version,
                "saved_at": timezone.localtime(copy.saved_at).isoformat(),
            }
            if copy
            else None,
        }

    def _article_for_script(self, request, object_id):
        """(article, None) for a signed-in editor who may change it, else (None, answer)."""
        if not (request.user.is_active and request.user.is_staff):
            return None, JsonResponse({"detail": "Signed out.", "signed_out": True}, status=401)
        article = (
            Article.objects.only("status", "version").filter(pk=object_id).first()
            if object_id.isdigit()
            else None
        )
        if article is None:
            return None, JsonResponse({"detail": "No such article."}, status=404)
        if not self.has_change_permission(request, article):
            answer = JsonResponse({"detail": "You may not change this article."}, status=403)
            return None, answer
        return article, None

    def presence_view(self, request, object_id):
        """POST (every few seconds while the form is open; {"leaving": true} when it closes):
        who else has this article open."""
        article, refused = self._article_for_script(request, object_id)
        if refused:
            return refused
        if request.method != "POST":
            return JsonResponse({"detail": "POST."}, status=405)
        try:
            leaving = json.loads(request.body or "{}").get("leaving") is True
        except (ValueError, AttributeError):
            return JsonResponse({"detail": 'The body must be JSON: {"leaving": true}.'}, status=400)
        return JsonResponse({"others": editing_now(article.pk, request.user, leaving=leaving)})

    def autosave_view(self, request, object_id):
        """POST {data, base_version}: keep the editor's working copy; DELETE: discard it."""
        article, refused = self._article_for_script(request, object_id)
        if refused:
            return refused
        if request.method == "DELETE":
            discard_working_copy(article, request.user)
            return JsonResponse({}, status=200)
        if request.method != "POST":
            return JsonResponse({"detail": "POST or DELETE."}, status=405)
        try:
            sent = json.loads(request.body)
        except ValueError:
            sent = None
        if not isinstance(sent, dict):
            return JsonResponse(
                {"detail": "The body must be JSON: an object with data and base_version."},
                status=400,
            )
        try:
            copy = keep_working_copy(
                article=article,
                editor=request.user,
                data=sent.get("data"),
                base_version=sent.get("base_version"),
            )
        except ValidationError as invalid:
            return JsonResponse({"detail": " ".join(invalid.messages)}, status=400)
        return JsonResponse({"saved_at": timezone.localtime(copy.saved_at).isoformat()})

    # A history a person can read (articles.revisions)

    def set_history_delta_changes(self, request, historical_records, foreign_keys_are_objs=True):
        """Each revision's readable changes against the one before; a save that changed
        nothing anyone would see is marked as such (the list leaves it out)."""
        records = list(historical_records)
        for newer, older in zip(records, records[1:], strict=False):
            newer.readable_changes = readable_changes(older, newer)
            newer.changed_nothing_visible = not newer.readable_changes

    def history_compare_view(self, request, object_id):
        """Two revisions of the article side by side: ?from=<revision>&to=<revision>."""
        article = self.get_object(request, object_id)
        if article is None:
            raise Http404("No such article.")
        if not self.has_view_or_change_permission(request, article):
            raise PermissionDenied
        ids = [request.GET.get("from", ""), request.GET.get("to", "")]
        if not all(value.isdigit() for value in ids):
            return HttpResponseBadRequest("Choose two revisions to compare (from and to).")
        revisions = {r.pk: r for r in article.history.filter(history_id__in=ids)}
        if len(revisions) != len(set(ids)):
            raise Http404("No such revision of this article.")
        older, newer = (revisions[int(ids[0])], revisions[int(ids[1])])
        if (older.history_date, older.pk) > (newer.history_date, newer.pk):
            older, newer = newer, older
        context = {
            **self.admin_site.each_context(request),
            "title": f"Compare revisions: {article}",
            "opts": self.model._meta,
            "object": article,
            "older": older,
            "newer": newer,
            "changes": readable_changes(older, newer),
        }
        return TemplateResponse(request, "admin/articles/article/history_compare.html", context)

    # Tag suggestions while typing

    def get_urls(self):
        suggestions = path(
            "tag-suggestions/",
            self.admin_site.admin_view(self.tag_suggestions_view),
            name="articles_article_tag_suggestions",
        )
        # Not admin_view: a signed-out autosave gets 401 JSON, not a redirect to the login page.
        autosave = path(
            "<path:object_id>/autosave/",
            csrf_protect(never_cache(self.autosave_view)),
            name="articles_article_autosave",
        )
        presence = path(
            "<path:object_id>/presence/",
            csrf_protect(never_cache(self.presence_view)),
            name="articles_article_presence",
        )
        compare = path(
            "<path:object_id>/history/compare/",
            self.admin_site.admin_view(self.history_compare_view),
            name="articles_article_history_compare",
        )
        return [suggestions, autosave, presence, compare, *super().get_urls()]

    def tag_suggestions_view(self, request):
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        query = normalize_query(request.GET.get("q", ""))[:100]
        names = Tag.objects.filter(name__istartswith=query).order_by("name") if query else []
        return JsonResponse({"tags": [tag.name for tag in names[:10]]})
