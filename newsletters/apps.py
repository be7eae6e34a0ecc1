from django.apps import AppConfig


class NewslettersConfig(AppConfig):
    name = "newsletters"
    verbose_name = "Newsletters"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from caching import dependencies
        from newsletters.models import Delivery, Edition, Subscriber, Unsubscribed

        # Readers' addresses and what was mailed to them: no public response shows them.
        dependencies.declare_unpublished(Subscriber, Unsubscribed, Edition, Delivery)
