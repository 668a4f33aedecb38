"""Create the program's roles as Django groups, with their model permissions.

Object-level rules (which candidate, which CN) live in `candidates/selectors.py` and
`notifications/selectors.py`; these permissions decide what each role may do in the admin and which
kinds of record it works with at all.
"""

from django.db import migrations

ROLE_PERMISSIONS = {
    "VIP Law Enforcement Lead": {
        "candidates": ["view", "add", "change"],
        "notifications": ["view", "add", "change"],
    },
    "Program Manager": {
        "candidates": ["view"],
        "notifications": ["view"],
        "candidates.serviceoffer": ["add", "change"],
        "candidates.outcomeevent": ["add", "change"],
        "candidates.partnerorganization": ["add", "change"],
        "vip.auditevent": ["view"],
    },
    "Officer": {
        "candidates.candidate": ["view"],
        "candidates.influencer": ["view"],
        "notifications.delivery": ["view"],
    },
    "Social Services": {
        "candidates.candidate": ["view"],
        "candidates.serviceoffer": ["view", "add", "change"],
        "candidates.partnerorganization": ["view"],
        "notifications.delivery": ["view"],
    },
    "Administrator": {
        "auth.user": ["view", "add", "change"],
        "auth.group": ["view"],
        "notifications.lettertemplate": ["view", "add", "change"],
        "notifications.personnel": ["view", "add", "change"],
        "notifications.trainingrecord": ["view", "add", "change"],
        "candidates.group": ["view", "add", "change"],
        "candidates.partnerorganization": ["view", "add", "change"],
        "vip.auditevent": ["view"],
        "django_celery_beat.periodictask": ["view", "change"],
        "django_celery_beat.intervalschedule": ["view", "add", "change"],
        "django_celery_beat.crontabschedule": ["view", "add", "change"],
    },
    "Records Custodian": {
        "candidates.candidate": ["view", "change"],
    },
}


def create_roles(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for role, grants in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=role)
        perms = []
        for target, actions in grants.items():
            if "." in target:
                app_label, model = target.split(".")
                models = [model]
            else:
                app_label, model = target, None
                models = [m._meta.model_name for m in apps.get_app_config(app_label).get_models()]
            for model_name in models:
                for action in actions:
                    perm = Permission.objects.filter(
                        content_type__app_label=app_label, codename=f"{action}_{model_name}"
                    ).first()
                    if perm is not None:
                        perms.append(perm)
        group.permissions.set(perms)


def remove_roles(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=ROLE_PERMISSIONS).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("vip", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("candidates", "0002_initial"),
        ("notifications", "0001_initial"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(create_roles, remove_roles)]
