"""Partners in the admin: their API keys (with their webhook endpoints), the delivery log, and
the audit trail of embargoed copy (also shown in each article's embargo record)."""

from django import forms
from django.contrib import admin, messages
from django.utils import timezone
from django.utils.html import format_html
from rest_framework_api_key.admin import APIKeyModelAdmin
from rest_framework_api_key.models import APIKey

from articles.admin import panels
from partners.models import EmbargoFetch, PartnerKey, WebhookDelivery, WebhookEndpoint
from partners.webhooks import EVENTS, events
from partners.webhooks.addresses import URL_HELP
from partners.webhooks.signing import new_secret


def embargo_fetches(article) -> list:
    """The article's embargo record: which partner keys fetched it under embargo, and when."""
    return [
        format_html(
            "<li>Fetched by key “{}” ({}) at {}</li>",
            fetch.key.name,
            fetch.key.prefix,
            panels.local(fetch.fetched_at, "%Y-%m-%d %H:%M:%S"),
        )
        for fetch in article.embargo_fetches.select_related("key")[:20]
    ]


panels.EMBARGO_RECORD_LINES.append(embargo_fetches)

# Partners' keys live in PartnerKey (with a rate and last use); the library's own model is unused.
admin.site.unregister(APIKey)


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
        choices=[(event, event) for event in EVENTS],
        widget=forms.CheckboxSelectMultiple,
        initial=EVENTS,
        help_text="Which changes this address gets.",
    )

    url = forms.URLField(
        label="URL",
        max_length=500,
        assume_scheme="https",
        help_text=URL_HELP,
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
            endpoint.secret = new_secret()
            endpoint.save(update_fields=["secret"])
            show_webhook_secret(request, endpoint)

    @admin.action(description="Resume paused deliveries (and send what waited)")
    def resume_delivery(self, request, queryset):
        for endpoint in queryset.exclude(paused_at=None):
            endpoint.resume()
            for delivery in endpoint.deliveries.filter(status=WebhookDelivery.Status.PENDING):
                events.redeliver(delivery)
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
            events.redeliver(delivery)
        messages.info(request, f"{queryset.count()} delivery(ies) queued again.")

    def get_actions(self, request):
        # Redelivering is a change, even though the rows are read-only in the form.
        actions = super().get_actions(request)
        if not request.user.has_perm("partners.change_webhookdelivery"):
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
