from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import get_connection
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils.html import format_html
from django.views.decorators.http import require_POST

from articles.models import Article
from articles.services import can_publish
from newsletters.breaking import already_sent, send_breaking_news
from newsletters.editions import articles_of, message
from newsletters.models import Delivery, Edition, Subscriber, Unsubscribed


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


@admin.register(Edition)
class EditionAdmin(admin.ModelAdmin):
    list_display = ["subject", "kind", "built_at", "sent_at", "preview"]
    readonly_fields = ["built_at", "sent_at", "preview"]
    actions = ["send_test_to_me"]

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
