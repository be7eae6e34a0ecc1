import json
import sys

from django.core.management.base import BaseCommand
from django.core.serializers.json import DjangoJSONEncoder

from articles.backup import export_content


class Command(BaseCommand):
    help = (
        "Write a complete JSON backup of the content: articles, categories, authors, tags, "
        "related links, redirects and withdrawals. Copy MEDIA_ROOT beside it for the images."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "-o", "--output", help="File to write (default: standard output).", default="-"
        )

    def handle(self, *args, output, **options):
        data = export_content()
        text = json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=1)
        if output == "-":
            sys.stdout.write(text + "\n")
            return
        with open(output, "w", encoding="utf-8") as file:
            file.write(text + "\n")
        self.stderr.write(
            f"Wrote {output}: {len(data['articles'])} articles, {len(data['categories'])} "
            f"categories, {len(data['authors'])} authors, {len(data['tags'])} tags."
        )
