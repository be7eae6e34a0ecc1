"""Rendition addresses stored before the media gate pointed at the bucket itself (object storage
kept objects public then): point them at the storage's address now, /media/ behind the gate."""

import re

from django.core.files.storage import default_storage
from django.db import migrations

RENDITION_NAME = re.compile(r"renditions/[0-9a-f]{16}/[^/?#]+")


def through_the_gate(apps, schema_editor):
    Article = apps.get_model("articles", "Article")
    for article in Article.objects.exclude(hero_renditions={}).only("hero_renditions").iterator():
        renditions = article.hero_renditions
        changed = False
        for rows in renditions.get("formats", {}).values():
            for row in rows:
                found = RENDITION_NAME.search(row[2])
                if found and row[2] != default_storage.url(found[0]):
                    row[2], changed = default_storage.url(found[0]), True
        if changed:
            Article.objects.filter(pk=article.pk).update(hero_renditions=renditions)


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0020_withdrawal_audience"),
    ]

    operations = [
        migrations.RunPython(through_the_gate, migrations.RunPython.noop),
    ]
