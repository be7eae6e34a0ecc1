from django.core.management.base import BaseCommand

from caching.freshness import GENERATION_ID, content_changed
from caching.models import ContentGeneration


class Command(BaseCommand):
    help = (
        "Tell every process that public content changed, after a write that bypassed the "
        "application (a manual SQL fix, QuerySet.update()). Every cached page, feed and API "
        "response is rebuilt within a second, on every web process and node."
    )

    def add_arguments(self, parser):
        parser.add_argument("--database", default="default", help="Database alias.")

    def handle(self, *args, database, **options):
        content_changed(using=database)
        generation = ContentGeneration.objects.using(database).get(pk=GENERATION_ID)
        self.stdout.write(
            f"Content generation {generation.value}: every cache follows within a second."
        )
