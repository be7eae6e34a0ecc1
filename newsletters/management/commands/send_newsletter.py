from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from newsletters.editions import build_daily, recipients, send_daily, send_time, todays_daily


class Command(BaseCommand):
    help = (
        "Send today's daily edition now, as the timed task does: the one waiting for editors "
        "(as they left it), or one built from what went live since the last. Run again, it "
        "sends nothing twice: an edition sent within the hour is completed (to whoever lacks "
        "it), not built anew. --build-only builds it to wait for editors until the send."
    )

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=["daily"])
        parser.add_argument(
            "--build-only",
            action="store_true",
            help="Build today's edition and leave it for editors (NEWSROOM_NEWSLETTER_DAILY_AT).",
        )

    def handle(self, *args, kind, build_only, **options):
        if build_only:
            edition = build_daily(send_at=send_time())
            if edition is None:
                raise CommandError("Nothing went live since the last edition, or one is built.")
            self.stdout.write(f"{edition}: waiting for editors until {edition.send_at:%H:%M} UTC.")
            return
        now = timezone.now()
        edition = todays_daily(now)
        if edition is None or edition.skipped_at is not None:
            raise CommandError(
                "Nothing to send: nothing went live since the last edition, or editors skipped it."
            )
        waiting = recipients(edition).count()
        send_daily(now=now)
        self.stdout.write(f"{edition}: sent to {waiting} address(es) that did not have it.")
