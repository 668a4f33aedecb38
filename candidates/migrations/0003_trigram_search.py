"""Misspelling-tolerant name search: pg_trgm and a GIN trigram index on PostgreSQL (no-op on SQLite)."""

from django.db import migrations


def forward(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm;")
    schema_editor.execute(
        "CREATE INDEX IF NOT EXISTS candidates_candidate_search_trgm "
        "ON candidates_candidate USING gin (search_text gin_trgm_ops);"
    )


def reverse(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("DROP INDEX IF EXISTS candidates_candidate_search_trgm;")


class Migration(migrations.Migration):
    dependencies = [("candidates", "0002_initial")]
    operations = [migrations.RunPython(forward, reverse)]
