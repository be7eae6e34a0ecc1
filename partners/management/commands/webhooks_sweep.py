from django.core.management.base import BaseCommand

from partners.tasks import webhooks_sweep


class Command(BaseCommand):
    help = (
        "Announce go-lives whose timed task did not run and attempt webhook deliveries that "
        "are due. `celery beat` runs this every minute; without a broker, run it from cron."
    )

    def handle(self, *args, **options):
        result = webhooks_sweep.apply(throw=True).get()
        self.stdout.write(
            f"Announced {result['announced']} publication(s); {result['due']} delivery(ies) due."
        )
