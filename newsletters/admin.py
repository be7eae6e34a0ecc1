from django.contrib import admin

from newsletters.models import Delivery, Edition, Subscriber, Unsubscribed


@admin.register(Subscriber)
class SubscriberAdmin(admin.ModelAdmin):
    list_display = ["email", "daily", "breaking", "confirmed_at", "paused_at", "failures"]
    list_filter = ["daily", "breaking"]
    search_fields = ["email"]


@admin.register(Edition)
class EditionAdmin(admin.ModelAdmin):
    list_display = ["subject", "kind", "built_at", "sent_at"]
    readonly_fields = ["built_at", "sent_at"]


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
