from django.apps import AppConfig


class PartnersConfig(AppConfig):
    """The partner API, keys, webhooks, embargo fetches and the changes feed: built on the
    content app, which knows nothing of it."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "partners"

    def ready(self):
        from caching import dependencies
        from partners import signals  # noqa: F401  (connects the receivers)
        from partners.models import (
            EmbargoFetch,
            PartnerKey,
            PublicationAnnouncement,
            WebhookDelivery,
            WebhookEndpoint,
        )

        # A key's cached lookups (PartnerKey.objects.find) are kept under the content version,
        # so a revocation reaches every process within a second.
        dependencies.declare(PartnerKey, lambda key: {f"partner-key:{key.prefix}"})
        dependencies.declare_unpublished(
            WebhookEndpoint, WebhookDelivery, PublicationAnnouncement, EmbargoFetch
        )
