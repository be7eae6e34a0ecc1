import sys

from django.core.management.base import BaseCommand

from newsletters.export import write_export
from newsletters.models import Subscriber, SubscriberEvent
from newsletters.subscriptions import record


class Command(BaseCommand):
    help = (
        "Write the subscriber list as CSV (email, daily, breaking, confirmed_at) to standard "
        "output, for a move to another mail service; the export is recorded in the audit log."
    )

    def handle(self, *args, **options):
        rows = write_export(Subscriber.objects.all(), self.stdout)
        record(SubscriberEvent.Action.EXPORTED, detail=f"{rows} addresses (manage.py)")
        sys.stderr.write(f"{rows} subscriber(s) exported.\n")
