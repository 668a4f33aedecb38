"""Reminders: fewer indexes to write per reminder, and one for the e-mails still to send (issue #9).

A city's first sweep inserts about 175,000 reminders; each index costs every insert. Dropped: `claim`'s
(the sweep now learns what it won from `INSERT ... RETURNING`, nothing looks rows up by claim), and the
foreign keys' own indexes on `delivery` and `recipient`, which `reminder_item` and `reminder_unread` already
lead with. Only the indexes go: Django's AlterField would also drop and re-validate both foreign keys, a
scan of the whole table, hence SeparateDatabaseAndState. Added: `reminder_unsent`, the few reminders whose
e-mail is still to send (the sweep's re-queueing, the digest), so those reads stay small as reminders pile up.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

# The names Django gave the dropped indexes in 0003.
DROPPED = [
    ("notifications_reminder_claim_b63db293", "claim"),
    ("notifications_reminder_delivery_id_78a9f024", "delivery_id"),
    ("notifications_reminder_recipient_id_517ea2b6", "recipient_id"),
]


class Migration(migrations.Migration):
    dependencies = [
        ("notifications", "0003_reminders"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="reminder",
                    name="claim",
                    field=models.UUIDField(editable=False),
                ),
                migrations.AlterField(
                    model_name="reminder",
                    name="delivery",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="reminders",
                        to="notifications.delivery",
                    ),
                ),
                migrations.AlterField(
                    model_name="reminder",
                    name="recipient",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="reminders",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            database_operations=[
                migrations.RunSQL(
                    f"DROP INDEX IF EXISTS {name}",
                    reverse_sql=f"CREATE INDEX IF NOT EXISTS {name} ON notifications_reminder ({column})",
                )
                for name, column in DROPPED
            ],
        ),
        migrations.AddIndex(
            model_name="reminder",
            index=models.Index(
                condition=models.Q(("email_sent_at__isnull", True), ("email_skipped", "")),
                fields=["created_at"],
                name="reminder_unsent",
            ),
        ),
    ]
