from django.apps import AppConfig


class NewslettersConfig(AppConfig):
    name = "newsletters"
    verbose_name = "Newsletters"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from articles.admin.article import EXTRA_ACTIONS
        from caching import dependencies
        from newsletters.admin import breaking_news_button
        from newsletters.models import Delivery, Edition, Subscriber, SubscriberEvent, Unsubscribed

        EXTRA_ACTIONS.append(breaking_news_button)

        # Readers' addresses and what was mailed to them: no public response shows them.
        dependencies.declare_unpublished(
            Subscriber, Unsubscribed, Edition, Delivery, SubscriberEvent
        )
