"""The Administrator role sees failed sign-ins and lockouts (django-axes) and manages second-factor devices:
release a lockout (CJIS AC-7) and reset a lost authenticator (IA-2). Additive: existing grants are kept."""

from django.db import migrations

GRANTS = {
    "axes.accessattempt": ["view", "delete"],
    "axes.accessfailurelog": ["view"],
    "axes.accesslog": ["view"],
    "otp_totp.totpdevice": ["view", "delete"],
    "otp_static.staticdevice": ["view", "delete"],
}


def grant(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    for label in ("axes", "otp_totp", "otp_static"):
        app_config = apps.get_app_config(label)
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name="Administrator")
    for target, actions in GRANTS.items():
        app_label, model = target.split(".")
        for action in actions:
            perm = Permission.objects.filter(content_type__app_label=app_label, codename=f"{action}_{model}").first()
            if perm is not None:
                group.permissions.add(perm)


class Migration(migrations.Migration):
    dependencies = [
        ("vip", "0003_audit_append_only"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("axes", "0010_accessattemptexpiration"),
        ("otp_totp", "0003_add_timestamps"),
        ("otp_static", "0003_add_timestamps"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
