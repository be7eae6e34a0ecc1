"""The content version's counter row, which the articles app made (its table keeps its name)."""

from django.db import migrations, models



def move_content_type(apps, schema_editor, *, source="articles", target="caching"):
    """The moved model's content type follows it (permissions and log entries stay attached)."""
    ContentType = apps.get_model("contenttypes", "ContentType")
    if not ContentType.objects.filter(app_label=target, model="contentgeneration").exists():
        ContentType.objects.filter(app_label=source, model="contentgeneration").update(
            app_label=target
        )


def move_content_type_back(apps, schema_editor):
    move_content_type(apps, schema_editor, source="caching", target="articles")


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("articles", "0015_webhooks"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        # The table exists (articles 0012): this app only takes over the model.
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='ContentGeneration',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('value', models.BigIntegerField(default=0)),
                        ('changed_at', models.DateTimeField(null=True)),
                    ],
                    options={
                        'db_table': 'articles_contentgeneration',
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(move_content_type, move_content_type_back),
    ]
