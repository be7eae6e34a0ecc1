from django.apps import AppConfig


class CachingConfig(AppConfig):
    """A library the other apps call: it imports none of them (see caching/__init__.py)."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "caching"

    def ready(self):
        from caching import dependencies, purging  # noqa: F401  (purging: its Celery task)
        from caching.models import ContentGeneration, TagCount

        dependencies.declare_unpublished(ContentGeneration, TagCount)
