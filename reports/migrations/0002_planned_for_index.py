"""An index for the dashboard's "this week's deliveries" at a city's scale (issue #9, docs/performance.md).

The dashboard lists the first CNs planned this week in planned-day order (reports/figures.py
`this_weeks_first`); without an index on `Delivery.planned_for` that reads every CN. (planned_for, id) gives
the rows in the list's order, so the read stops after the first few. On the notifications table but created
here, by SQL only (like candidates/0004), so the notifications app's models and migrations are untouched.
Built CONCURRENTLY: applying it to a live database does not lock the table.
"""

from django.db import migrations

NAME, TABLE, COLUMNS = "notifications_delivery_planned_for", "notifications_delivery", "planned_for, id"


class Migration(migrations.Migration):
    atomic = False  # CREATE INDEX CONCURRENTLY cannot run inside a transaction

    dependencies = [
        ("reports", "0001_figures_snapshot"),
        ("notifications", "0001_initial"),
    ]
    operations = [
        migrations.RunSQL(
            f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {NAME} ON {TABLE} ({COLUMNS});",
            f"DROP INDEX CONCURRENTLY IF EXISTS {NAME};",
        )
    ]
