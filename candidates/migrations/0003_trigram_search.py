"""Misspelling-tolerant name search: pg_trgm and a GIN trigram index."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("candidates", "0002_initial")]
    operations = [
        migrations.RunSQL(
            [
                "CREATE EXTENSION IF NOT EXISTS pg_trgm;",
                "CREATE INDEX IF NOT EXISTS candidates_candidate_search_trgm "
                "ON candidates_candidate USING gin (search_text gin_trgm_ops);",
            ],
            "DROP INDEX IF EXISTS candidates_candidate_search_trgm;",
        )
    ]
