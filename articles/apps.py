from django.apps import AppConfig


class ArticlesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "articles"

    def ready(self):
        from articles import signals  # noqa: F401
        from articles.caching import freshness

        freshness.connect_signals()
