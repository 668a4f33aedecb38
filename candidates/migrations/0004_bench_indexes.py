"""Date indexes for the Program Manager's dashboard at a city's scale (issue #9, docs/performance.md).

The dashboard counts contacts (encounters) and services offered within a period (reports/figures.py): both
filter a table that only grows, by date, and had no index on that date. Built CONCURRENTLY, so applying this
to a live database does not lock the tables; SQL only (like 0003's trigram index), so the models' state and
other branches' model changes are untouched.
"""

from django.db import migrations

INDEXES = [
    ("notifications_encounter_occurred_at", "notifications_encounter", "occurred_at"),
    ("candidates_serviceoffer_offered_on", "candidates_serviceoffer", "offered_on"),
]


class Migration(migrations.Migration):
    atomic = False  # CREATE INDEX CONCURRENTLY cannot run inside a transaction

    dependencies = [
        ("candidates", "0003_trigram_search"),
        ("notifications", "0002_default_letter_template"),
    ]
    operations = [
        migrations.RunSQL(
            f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {name} ON {table} ({columns});",
            f"DROP INDEX CONCURRENTLY IF EXISTS {name};",
        )
        for name, table, columns in INDEXES
    ]
