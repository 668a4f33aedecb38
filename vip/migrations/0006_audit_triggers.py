"""One change trail: the database writes every change of a program record (and of an account's privileges)
into vip_auditevent, whatever made it (vip/audit/triggers.py). Adds the changed record's `snapshot`, the index
a person's history reads, the trigger functions, and the trigger on every followed table that exists now;
later tables get theirs after each `migrate` (post_migrate)."""

import django.db.models.fields.json
from django.conf import settings
from django.db import migrations, models


def install(apps, schema_editor):
    from vip.audit.triggers import install

    install(schema_editor.connection, apps)


def uninstall(apps, schema_editor):
    from vip.audit.triggers import DROP_FUNCTIONS, TRIGGER, wanted_triggers

    with schema_editor.connection.cursor() as cursor:
        for table in wanted_triggers(apps):
            cursor.execute(f"DROP TRIGGER IF EXISTS {TRIGGER} ON {schema_editor.quote_name(table)}")
        cursor.execute(DROP_FUNCTIONS)


class Migration(migrations.Migration):
    dependencies = [
        ("vip", "0005_audit_indexes_without_like"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("candidates", "0006_drop_simple_history"),
        ("notifications", "0007_drop_simple_history"),
        ("reports", "0002_planned_for_index"),
    ]

    operations = [
        migrations.AddField(
            model_name="auditevent",
            name="snapshot",
            field=models.JSONField(blank=True, null=True),
        ),
        migrations.AddIndex(
            model_name="auditevent",
            index=models.Index(
                models.F("object_type"),
                django.db.models.fields.json.KeyTextTransform("candidate_id", "snapshot"),
                models.OrderBy(models.F("at"), descending=True),
                name="audit_candidate_records",
            ),
        ),
        migrations.RunPython(install, uninstall),
    ]
