from django.core.management.base import BaseCommand, CommandError

from partners.models import PartnerKey


class Command(BaseCommand):
    help = "Issue a partner API key. The key is printed once, alone on the last line."

    def add_arguments(self, parser):
        parser.add_argument("name", help="Who the key is for, e.g. the partner's name.")

    def handle(self, *args, name, **options):
        name = name.strip()
        if not name:
            raise CommandError("Give the key a non-empty NAME.")
        api_key, key = PartnerKey.objects.create_key(name=name)
        self.stdout.write(
            f"Issued API key {api_key.prefix}… for {name!r}. It is stored hashed and shown only once;\n"
            'send it as the header "Authorization: Api-Key <key>". Revoke it in the admin.'
        )
        self.stdout.write(key)
