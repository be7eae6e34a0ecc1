"""The editorial roles get the newsroom tools: Editors manage corrections and live entries;
Writers post live entries and read corrections."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

WRITER_PERMISSIONS = [
    ("articles", "add_liveentry"),
    ("articles", "view_liveentry"),
    ("articles", "view_correction"),
]
EDITOR_MODELS = ["correction", "liveentry"]
EDITOR_VIEWS = ["historicalcorrection", "historicalliveentry", "embargofetch"]


def grant(apps, schema_editor):
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")

    def permissions(codenames):
        return Permission.objects.filter(content_type__app_label="articles", codename__in=codenames)

    writers, _ = Group.objects.get_or_create(name="Writers")
    writers.permissions.add(*permissions([codename for _, codename in WRITER_PERMISSIONS]))
    editor_codenames = [
        f"{action}_{model}"
        for model in EDITOR_MODELS
        for action in ("add", "change", "delete", "view")
    ] + [f"view_{model}" for model in EDITOR_VIEWS]
    editors, _ = Group.objects.get_or_create(name="Editors")
    editors.permissions.add(*permissions(editor_codenames))


def revoke(apps, schema_editor):
    Permission = apps.get_model("auth", "Permission")
    for group in apps.get_model("auth", "Group").objects.filter(name__in=["Writers", "Editors"]):
        group.permissions.remove(
            *Permission.objects.filter(
                content_type__app_label="articles",
                content_type__model__in=[*EDITOR_MODELS, *EDITOR_VIEWS],
            )
        )


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0013_newsroom_tools"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
