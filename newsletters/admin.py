from datetime import timedelta

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import get_connection
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.views.decorators.http import require_POST

from articles.models import Article
from articles.services import can_publish
from newsletters.breaking import already_sent, send_breaking_news
from newsletters.editions import articles_of, message
from newsletters.export import write_export
from newsletters.models import Delivery, Edition, Subscriber, SubscriberEvent, Unsubscribed
from newsletters.subscriptions import digest, lists_of, record


def breaking_news_button(request, article):
    """The article form's "Send as breaking news" (articles.admin.article.EXTRA_ACTIONS)."""
    if not (can_publish(request.user) and article.is_live) or already_sent(article):
        return None
    return (
        "Send as breaking news",
        reverse("admin:newsletters_breaking_news", args=[article.pk]),
        "Mail this article now to the subscribers who asked for breaking news",
    )


@admin.register(Subscriber)
class SubscriberAdmin(admin.ModelAdmin):
    list_display = ["email", "daily", "breaking", "confirmed_at", "paused_at", "failures"]
    list_filter = ["daily", "breaking"]
    search_fields = ["email"]
    actions = ["export_csv"]

    @admin.action(description="Export the selected subscribers (CSV)")
    def export_csv(self, request, queryset):
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="subscribers.csv"'
        rows = write_export(queryset, response)
        record(SubscriberEvent.Action.EXPORTED, detail=f"{rows} addresses", by=request.user)
        return response

    def save_model(self, request, subscriber, form, change):
        super().save_model(request, subscriber, form, change)
        record(
            SubscriberEvent.Action.EDITED,
            subscriber.email,
            detail=lists_of(subscriber),
            by=request.user,
        )

    def delete_model(self, request, subscriber):
        record(SubscriberEvent.Action.DELETED, subscriber.email, by=request.user)
        super().delete_model(request, subscriber)

    def delete_queryset(self, request, queryset):
        for email in queryset.values_list("email", flat=True):
            record(SubscriberEvent.Action.DELETED, email, by=request.user)
        super().delete_queryset(request, queryset)


@admin.register(SubscriberEvent)
class SubscriberEventAdmin(admin.ModelAdmin):
    list_display = ["at", "action", "detail", "by"]
    list_filter = ["action"]
    search_fields = ["digest"]
    search_help_text = "An e-mail address: its actions (the log keeps a digest, not the address)."

    def get_search_results(self, request, queryset, search_term):
        if not search_term.strip():
            return queryset, False
        return queryset.filter(digest=digest(search_term)), False

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class EditionForm(forms.ModelForm):
    """A waiting edition as editors change it: each story's place (or left out), a story
    added, the note on top, or skip it altogether."""

    add_article = forms.ModelChoiceField(
        Article.objects.none(),
        required=False,
        label="Add a story",
        help_text="A live story published in the last two days; it goes last.",
    )
    skip = forms.BooleanField(
        required=False,
        label="Skip this edition",
        help_text="Nobody gets it; the next one covers what it held.",
    )

    class Meta:
        model = Edition
        fields = ["subject", "note"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        shown = Article.objects.live().only("title").in_bulk(self.instance.article_ids)
        self.stories = [shown[pk] for pk in self.instance.article_ids if pk in shown]
        for place, story in enumerate(self.stories, start=1):
            self.fields[f"place_{story.pk}"] = forms.IntegerField(
                min_value=1,
                initial=place,
                label=story.title,
                widget=forms.NumberInput(attrs={"class": "vIntegerField", "min": 1}),
            )
            self.fields[f"leave_out_{story.pk}"] = forms.BooleanField(
                required=False,
                label="Leave out",
                # The visible label says what; its accessible name says which story.
                widget=forms.CheckboxInput(attrs={"aria-label": f"Leave out “{story.title}”"}),
            )
        recent = Article.objects.live().filter(published_at__gte=timezone.now() - timedelta(days=2))
        self.fields["add_article"].queryset = recent.exclude(pk__in=self.instance.article_ids)

    @property
    def story_fields(self) -> list[tuple[str, str]]:
        return [(f"place_{story.pk}", f"leave_out_{story.pk}") for story in self.stories]

    def ordered_ids(self) -> list[int]:
        kept = []
        for index, story in enumerate(self.stories):
            if self.cleaned_data.get(f"leave_out_{story.pk}"):
                continue
            place = self.cleaned_data[f"place_{story.pk}"]
            stayed = place == index + 1  # a story moved to a place goes before the one there
            kept.append((place, stayed, index, story.pk))
        order = [pk for *_, pk in sorted(kept)]
        if self.cleaned_data.get("add_article"):
            order.append(self.cleaned_data["add_article"].pk)
        return order

    def clean(self):
        cleaned = super().clean()
        if not self.errors and not cleaned.get("skip") and not self.ordered_ids():
            raise ValidationError("An edition needs one story at least (or skip it).")
        return cleaned


@admin.register(Edition)
class EditionAdmin(admin.ModelAdmin):
    form = EditionForm
    list_display = ["subject", "kind", "state", "built_at", "preview"]
    list_filter = ["kind"]
    readonly_fields = ["state", "built_at", "preview"]
    actions = ["send_test_to_me"]

    def has_add_permission(self, request):
        return False  # built from what went live (or by "Send as breaking news")

    def has_change_permission(self, request, edition=None):
        waiting = edition is None or edition.is_waiting
        return waiting and super().has_change_permission(request, edition)

    def get_fieldsets(self, request, edition=None):
        if edition is None or not self.has_change_permission(request, edition):
            return [(None, {"fields": ["subject", "note", "state", "built_at", "preview"]})]
        form = self.get_form(request, edition)(instance=edition)
        return [
            (None, {"fields": ["state", "subject", "note", "preview"]}),
            (
                "Stories, in the order they go",
                {
                    "fields": form.story_fields,
                    "description": "Give each story its place (1 goes first), or leave it out.",
                },
            ),
            (None, {"fields": ["add_article", "skip"]}),
        ]

    def get_form(self, request, obj=None, change=False, **kwargs):
        kwargs["fields"] = ["subject", "note"]  # the stories' fields are the form's own
        return super().get_form(request, obj, change, **kwargs)

    def save_model(self, request, edition, form, change):
        edition.article_ids = form.ordered_ids() or edition.article_ids
        edition.edited_at = timezone.now()
        if form.cleaned_data.get("skip"):
            edition.skipped_at = timezone.now()
        super().save_model(request, edition, form, change)

    @admin.display(description="state")
    def state(self, edition):
        if edition.sent_at:
            return f"Sent {timezone.localtime(edition.sent_at):%b %d, %H:%M}"
        if edition.skipped_at:
            return f"Skipped {timezone.localtime(edition.skipped_at):%b %d, %H:%M}"
        if edition.send_at:
            return f"Waiting: goes at {timezone.localtime(edition.send_at):%b %d, %H:%M}"
        return "Waiting"

    @admin.display(description="preview")
    def preview(self, edition):
        if not edition.pk:
            return "—"
        url = reverse("admin:newsletters_edition_preview", args=[edition.pk])
        return format_html('<a href="{}" target="_blank" rel="noopener">Open the mail</a>', url)

    @admin.action(description="Send a test of the selected editions to me")
    def send_test_to_me(self, request, queryset):
        if not request.user.email:
            messages.error(request, "Your account has no e-mail address to send the test to.")
            return
        with get_connection() as connection:
            for edition in queryset:
                test = message(edition, articles_of(edition), request.user.email)
                test.subject = f"[Test] {test.subject}"
                test.connection = connection
                test.send()  # a test: no Delivery, the edition still goes to everyone
        messages.info(request, f"Sent {queryset.count()} test mail(s) to {request.user.email}.")

    def get_urls(self):
        views = [
            path(
                "<int:pk>/preview/",
                self.admin_site.admin_view(self.preview_view),
                name="newsletters_edition_preview",
            ),
            path(
                "breaking/<int:article_id>/",
                self.admin_site.admin_view(require_POST(self.breaking_news_view)),
                name="newsletters_breaking_news",
            ),
        ]
        return [*views, *super().get_urls()]

    def preview_view(self, request, pk):
        edition = get_object_or_404(Edition, pk=pk)
        if not self.has_view_permission(request, edition):
            raise PermissionDenied
        mail = message(edition, articles_of(edition), request.user.email or "you@example.com")
        response = HttpResponse(mail.alternatives[0][0])
        response["Content-Security-Policy"] = (
            "default-src 'none'; img-src * data:; style-src 'unsafe-inline'"
        )
        return response

    def breaking_news_view(self, request, article_id):
        article = get_object_or_404(Article, pk=article_id)
        back = reverse("admin:articles_article_change", args=[article.pk])
        if not can_publish(request.user):
            raise PermissionDenied
        try:
            edition = send_breaking_news(article=article, by=request.user)
        except ValidationError as refused:
            messages.error(request, " ".join(refused.messages))
            return redirect(back)
        messages.success(request, f"“{article}” is going out as breaking news ({edition.subject}).")
        return redirect(back)


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    list_display = ["edition", "email", "status", "at", "error"]
    list_filter = ["status"]

    def has_add_permission(self, request):
        return False


@admin.register(Unsubscribed)
class UnsubscribedAdmin(admin.ModelAdmin):
    list_display = ["digest", "at"]

    def has_add_permission(self, request):
        return False
