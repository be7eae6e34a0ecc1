import json

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.core.serializers.base import DeserializationError
from django.db import DatabaseError

from articles.backup import BackupError, import_content


class Command(BaseCommand):
    help = "Restore a JSON backup made by export_content into a database without content."

    def add_arguments(self, parser):
        parser.add_argument("path", help="The file export_content wrote.")

    def handle(self, *args, path, **options):
        try:
            with open(path, encoding="utf-8") as file:
                data = json.load(file)
        except OSError as error:
            raise CommandError(f"Can't read {path}: {error.strerror}.") from error
        except json.JSONDecodeError as error:
            raise CommandError(f"{path} is not JSON: {error}.") from error
        try:
            counts = import_content(data)
        except BackupError as error:
            raise CommandError(str(error)) from error
        except (DeserializationError, ValidationError, DatabaseError, KeyError, TypeError) as error:
            raise CommandError(
                f"{path} could not be restored, nothing was written: {error}"
            ) from error
        summary = ", ".join(f"{count} {name.replace('_', ' ')}" for name, count in counts.items())
        self.stdout.write(f"Restored {summary}.")
