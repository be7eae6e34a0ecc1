"""Writers and Editors: the two editorial roles, with their permissions."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

WRITER_PERMISSIONS = [
    ("articles", "add_article"),
    ("articles", "change_article"),
    ("articles", "view_article"),
    ("articles", "view_historicalarticle"),
    ("articles", "add_relatedlink"),
    ("articles", "change_relatedlink"),
    ("articles", "delete_relatedlink"),
    ("articles", "view_relatedlink"),
    ("articles", "view_category"),
    ("articles", "view_author"),
    ("articles", "view_articleredirect"),
    ("taggit", "view_tag"),
]
EDITOR_MODELS = [
    ("articles", "article"),
    ("articles", "historicalarticle"),
    ("articles", "relatedlink"),
    ("articles", "category"),
    ("articles", "author"),
    ("articles", "articleredirect"),
    ("taggit", "tag"),
    ("taggit", "taggeditem"),
]


def create_roles(apps, schema_editor):
    # Permissions are normally created after all migrations; make sure they exist now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, verbosity=0)
        app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")

    def permissions(pairs):
        found = []
        for app_label, codename in pairs:
            found.append(
                Permission.objects.get(content_type__app_label=app_label, codename=codename)
            )
        return found

    writers, _ = Group.objects.get_or_create(name="Writers")
    writers.permissions.set(permissions(WRITER_PERMISSIONS))

    editor_pairs = [("articles", "publish_article"), ("articles", "view_articlewithdrawal")]
    for app_label, model in EDITOR_MODELS:
        editor_pairs += [
            (app_label, f"{action}_{model}") for action in ("add", "change", "delete", "view")
        ]
    editors, _ = Group.objects.get_or_create(name="Editors")
    editors.permissions.set(permissions(editor_pairs))


def remove_roles(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=["Writers", "Editors"]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0003_editorial_desk"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("taggit", "0006_rename_taggeditem_content_type_object_id_taggit_tagg_content_8fc721_idx"),
    ]

    operations = [migrations.RunPython(create_roles, remove_roles)]
