"""The reminder sweep's index: the CNs of a state by (state_entered_at, id), with the LE Lead and the attempt.

It replaces the index on (state, state_entered_at), which it serves as well (the same leading columns). Created
before the old one is dropped, so the states' queries always have one of them."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("notifications", "0012_referral_follow_up_reminders"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="delivery",
            index=models.Index(
                fields=["state", "state_entered_at", "id"], include=("le_lead", "attempt"), name="delivery_state_visit"
            ),
        ),
        migrations.RemoveIndex(
            model_name="delivery",
            name="notificatio_state_aaab85_idx",
        ),
    ]
