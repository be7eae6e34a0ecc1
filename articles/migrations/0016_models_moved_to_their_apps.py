"""Partners' models and the content version's counter moved to their own apps (partners,
caching) with their tables: this app forgets them without touching the database."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0015_webhooks"),
        ("caching", "0001_initial"),
        ("partners", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(
                    name='ContentGeneration',
                ),
                migrations.RemoveField(
                    model_name='embargofetch',
                    name='article',
                ),
                migrations.RemoveField(
                    model_name='embargofetch',
                    name='key',
                ),
                migrations.RemoveField(
                    model_name='webhookendpoint',
                    name='key',
                ),
                migrations.DeleteModel(
                    name='PublicationAnnouncement',
                ),
                migrations.RemoveField(
                    model_name='webhookdelivery',
                    name='endpoint',
                ),
                migrations.DeleteModel(
                    name='EmbargoFetch',
                ),
                migrations.DeleteModel(
                    name='PartnerKey',
                ),
                migrations.DeleteModel(
                    name='WebhookDelivery',
                ),
                migrations.DeleteModel(
                    name='WebhookEndpoint',
                ),
            ],
            database_operations=[],
        ),
    ]
