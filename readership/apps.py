from django.apps import AppConfig


class ReadershipConfig(AppConfig):
    name = "readership"
    verbose_name = "Readership"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from caching import dependencies
        from readership.models import FoldedMinute, ReadCount

        # Counts are shown by /most-read/, which follows time (a minute), not changes: a read
        # must not make a page stale.
        dependencies.declare_unpublished(ReadCount, FoldedMinute)
