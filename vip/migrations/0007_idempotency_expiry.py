# The idempotency records expire (VIP_IDEMPOTENCY_KEPT_FOR) and are purged hourly by their claim time.

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("vip", "0006_audit_triggers"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="idempotencyrecord",
            index=models.Index(fields=["created_at"], name="idempotency_created_at"),
        ),
    ]
