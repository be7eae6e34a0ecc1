from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from newsletters.editions import build_daily, recipients, send
from newsletters.models import Edition


class Command(BaseCommand):
    help = (
        "Build today's edition from what went live since the last one and send it, as the "
        "timed task does. Run again, it sends nothing twice: an edition built within the hour "
        "is completed (to whoever lacks it), not built anew."
    )

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=["daily"])

    def handle(self, *args, kind, **options):
        edition = build_daily()
        if edition is None:  # built within the hour: complete that one (a resumed run)
            last = Edition.objects.filter(kind=Edition.Kind.DAILY).first()
            recent = last and (timezone.now() - last.built_at).total_seconds() < 3600
            edition = last if recent else None
        if edition is None:
            raise CommandError("Nothing went live since the last edition: nothing to send.")
        waiting = recipients(edition).count()
        send(edition)
        self.stdout.write(f"{edition}: sent to {waiting} address(es) that did not have it.")
