"""Partners' models, which the articles app held (app_label="articles"): their tables keep
their names and rows; this app takes over the models, and their content types move with them so
that the roles' permissions (Editors may view embargo fetches) and admin log entries stay."""

import django.core.validators
import django.db.models.deletion
import django.utils.timezone
import partners.webhooks.addresses
import partners.webhooks.signing
import uuid
from django.db import migrations, models

MOVED = [
    "partnerkey",
    "embargofetch",
    "publicationannouncement",
    "webhookendpoint",
    "webhookdelivery",
]


def move_content_types(apps, schema_editor, *, source="articles", target="partners"):
    ContentType = apps.get_model("contenttypes", "ContentType")
    ContentType.objects.filter(app_label=source, model__in=MOVED).exclude(
        model__in=ContentType.objects.filter(app_label=target).values("model")
    ).update(app_label=target)


def move_content_types_back(apps, schema_editor):
    move_content_types(apps, schema_editor, source="partners", target="articles")


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("articles", "0015_webhooks"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        # The tables exist (articles 0002, 0013, 0015): only the models move.
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='PartnerKey',
                    fields=[
                        ('id', models.CharField(editable=False, max_length=150, primary_key=True, serialize=False, unique=True)),
                        ('prefix', models.CharField(editable=False, max_length=8, unique=True)),
                        ('hashed_key', models.CharField(editable=False, max_length=150)),
                        ('created', models.DateTimeField(auto_now_add=True, db_index=True)),
                        ('name', models.CharField(default=None, help_text='A free-form name for the API key. Need not be unique. 50 characters max.', max_length=50)),
                        ('revoked', models.BooleanField(blank=True, default=False, help_text='If the API key is revoked, clients cannot use it anymore. (This cannot be undone.)')),
                        ('expiry_date', models.DateTimeField(blank=True, help_text='Once API key expires, clients cannot use it anymore.', null=True, verbose_name='Expires')),
                        ('requests_per_minute', models.PositiveIntegerField(default=600, help_text='Requests this key may make per minute; past that it gets 429.', validators=[django.core.validators.MinValueValidator(1)])),
                        ('last_used_at', models.DateTimeField(blank=True, editable=False, null=True)),
                        ('can_see_embargoed', models.BooleanField(default=False, help_text='Sees published articles still under embargo (marked embargoed_until), to prepare syndication; each such fetch is recorded.', verbose_name='embargoed copy')),
                    ],
                    options={
                        'verbose_name': 'partner API key',
                        'verbose_name_plural': 'partner API keys',
                        'db_table': 'articles_partnerkey',
                        'ordering': ('-created',),
                        'abstract': False,
                    },
                ),
                migrations.CreateModel(
                    name='EmbargoFetch',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('fetched_at', models.DateTimeField(default=django.utils.timezone.now)),
                        ('article', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='embargo_fetches', to='articles.article')),
                        ('key', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='embargo_fetches', to='partners.partnerkey')),
                    ],
                    options={
                        'db_table': 'articles_embargofetch',
                        'ordering': ['-fetched_at', '-id'],
                    },
                ),
                migrations.CreateModel(
                    name='PublicationAnnouncement',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('article_id', models.BigIntegerField()),
                        ('went_live_at', models.DateTimeField()),
                        ('announced_at', models.DateTimeField(default=django.utils.timezone.now)),
                    ],
                    options={
                        'db_table': 'articles_publicationannouncement',
                        'constraints': [models.UniqueConstraint(fields=('article_id', 'went_live_at'), name='announced_once')],
                    },
                ),
                migrations.CreateModel(
                    name='WebhookEndpoint',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('url', models.URLField(help_text='An https:// address on the public internet; redirects are not followed.', max_length=500, validators=[partners.webhooks.addresses.validate_endpoint_url], verbose_name='URL')),
                        ('events', models.JSONField(default=list, help_text='Which changes are sent: published, updated, withdrawn, deleted.')),
                        ('is_active', models.BooleanField(default=True, verbose_name='active')),
                        ('secret', models.CharField(default=partners.webhooks.signing.new_secret, editable=False, max_length=100)),
                        ('paused_at', models.DateTimeField(blank=True, editable=False, null=True)),
                        ('paused_reason', models.TextField(blank=True, editable=False)),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                        ('key', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='webhook_endpoints', to='partners.partnerkey')),
                    ],
                    options={
                        'db_table': 'articles_webhookendpoint',
                        'ordering': ['key', 'url'],
                    },
                ),
                migrations.CreateModel(
                    name='WebhookDelivery',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('event', models.CharField(max_length=12)),
                        ('article_id', models.BigIntegerField()),
                        ('idempotency_id', models.UUIDField(default=uuid.uuid4, editable=False, unique=True)),
                        ('payload', models.JSONField()),
                        ('status', models.CharField(choices=[('pending', 'Pending'), ('succeeded', 'Succeeded'), ('failed', 'Failed (no more retries)')], default='pending', max_length=10)),
                        ('attempts', models.PositiveSmallIntegerField(default=0)),
                        ('response_code', models.PositiveSmallIntegerField(blank=True, null=True)),
                        ('latency_ms', models.PositiveIntegerField(blank=True, null=True)),
                        ('last_error', models.TextField(blank=True)),
                        ('created_at', models.DateTimeField(default=django.utils.timezone.now)),
                        ('first_attempt_at', models.DateTimeField(blank=True, null=True)),
                        ('next_attempt_at', models.DateTimeField(blank=True, db_index=True, null=True)),
                        ('delivered_at', models.DateTimeField(blank=True, null=True)),
                        ('endpoint', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='deliveries', to='partners.webhookendpoint')),
                    ],
                    options={
                        'verbose_name_plural': 'webhook deliveries',
                        'db_table': 'articles_webhookdelivery',
                        'ordering': ['-created_at', '-id'],
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(move_content_types, move_content_types_back),
    ]
