"""The audit trail partitioned by month of `at` (issue 21; vip/audit/partitions.py says how it is kept).

An existing trail is not copied: its table is renamed and attached, whole, as the partition of everything before
the first monthly partition. A copy would rewrite every row and rebuild every index while the trail is locked
(hours at tens of millions of rows); attaching reads the table once, to validate a CHECK constraint on `at` that
lets ATTACH PARTITION skip its own scan, and its indexes become the partitions' indexes as they are. That
partition leaves the trail (retention) once the last of its rows is older than the cutoff. An empty trail (a new
database) is dropped instead, so that every month, past ones too, can have its own partition (the bench's
generator makes years of them).

PostgreSQL requires a partitioned table's primary key to include the partition key: the database's key is
(id, at), while Django keeps `id` as the model's key; ids stay unique, drawn from one sequence (PostgreSQL 15
has no identity column on a partitioned table, so the identity becomes a sequence, starting after the highest
id used). No table has a foreign key to the trail (checked below: the migration stops if one does).

The viewer's search by user name gets a trigram index (UPPER(actor_username), what `icontains` compares).

The append-only rule: the row trigger (0003, 0010) is declared on the parent and cloned to every partition; the
TRUNCATE trigger is put on the parent and on each partition. The parent keeps the old table's rights.
"""

import django.contrib.postgres.indexes
import django.db.models.functions.text
from django.db import migrations
from django.utils import timezone

TABLE = "vip_auditevent"


def partition(apps, schema_editor):
    from vip.audit import partitions as p

    connection = schema_editor.connection
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT conname, conrelid::regclass::text FROM pg_catalog.pg_constraint "
            "WHERE contype = 'f' AND confrelid = %s::regclass",
            [TABLE],
        )
        referencing = cursor.fetchall()
        if referencing:
            raise RuntimeError(f"Foreign keys refer to {TABLE}, which a partitioned table cannot serve: {referencing}")
        cursor.execute(
            f"SELECT count(*), max(at), max(id), pg_catalog.pg_sequence_last_value("  # noqa: S608 - a name
            f"pg_catalog.pg_get_serial_sequence('{TABLE}', 'id')) FROM {TABLE}"
        )
        rows, newest, highest, last_value = cursor.fetchone()
        cursor.execute("SELECT now()")
        now = cursor.fetchone()[0]
        # the first monthly partition: the month after the newest row (and after today)
        local = timezone.localtime(max(newest or now, now)).date()
        first = p._next_month(p._first_of(local))
        legacy = f"{TABLE}_before_y{first.year:04d}m{first.month:02d}"

        cursor.execute(f"ALTER TABLE {TABLE} RENAME TO {legacy}")
        cursor.execute(
            "SELECT i.relname, pg_catalog.pg_get_indexdef(i.oid), x.indisprimary FROM pg_catalog.pg_index x "
            "JOIN pg_catalog.pg_class i ON i.oid = x.indexrelid WHERE x.indrelid = %s::regclass ORDER BY 1",
            [legacy],
        )
        indexes = cursor.fetchall()
        for number, (name, _definition, primary) in enumerate(indexes):
            if primary:  # (id): ATTACH builds the partition's part of the parent's key, (id, at)
                cursor.execute(f'ALTER TABLE {legacy} DROP CONSTRAINT "{name}"')
            else:
                cursor.execute(f'ALTER INDEX "{name}" RENAME TO "{legacy[:50]}_{number}_idx"')
        cursor.execute(f"ALTER TABLE {legacy} ALTER COLUMN id DROP IDENTITY IF EXISTS")
        cursor.execute(f"DROP TRIGGER IF EXISTS {p.ROW_TRIGGER} ON {legacy}")  # the parent's clone replaces it

        cursor.execute(f"CREATE TABLE {TABLE} (LIKE {legacy}) PARTITION BY RANGE (at)")
        cursor.execute(f"CREATE SEQUENCE {TABLE}_id_seq AS bigint OWNED BY {TABLE}.id")
        cursor.execute("SELECT setval(%s, %s, false)", [f"{TABLE}_id_seq", max(highest or 0, last_value or 0) + 1])
        cursor.execute(f"ALTER TABLE {TABLE} ALTER COLUMN id SET DEFAULT nextval('{TABLE}_id_seq')")
        cursor.execute(f"ALTER TABLE {TABLE} ADD CONSTRAINT {TABLE}_pkey PRIMARY KEY (id, at)")
        for name, definition, primary in indexes:
            if primary:
                continue
            # "CREATE INDEX name ON public.legacy USING btree (...)": the same index, partitioned, on the parent
            _head, using = definition.split(" USING ", 1)
            unique = "UNIQUE " if definition.startswith("CREATE UNIQUE") else ""
            cursor.execute(f'CREATE {unique}INDEX "{name}" ON {TABLE} USING {using}')
        cursor.execute(
            "SELECT conname, pg_catalog.pg_get_constraintdef(oid) FROM pg_catalog.pg_constraint "
            "WHERE conrelid = %s::regclass AND contype = 'f'",
            [legacy],
        )
        for name, definition in cursor.fetchall():
            cursor.execute(f'ALTER TABLE {TABLE} ADD CONSTRAINT "{name}" {definition}')
        cursor.execute(
            f"CREATE TRIGGER {p.ROW_TRIGGER} BEFORE UPDATE OR DELETE ON {TABLE} "
            f"FOR EACH ROW EXECUTE FUNCTION {p.APPEND_ONLY_FUNCTION}()"
        )
        p._protect(cursor, TABLE)
        p.copy_rights(cursor, legacy, TABLE)

        if rows:
            bound = p.month_start(first)
            cursor.execute(f"ALTER TABLE {legacy} ADD CONSTRAINT {legacy[:50]}_bound CHECK (at < %s)", [bound])
            cursor.execute(f"ALTER TABLE {TABLE} ATTACH PARTITION {legacy} FOR VALUES FROM (MINVALUE) TO (%s)", [bound])
            cursor.execute(f"ALTER TABLE {legacy} DROP CONSTRAINT {legacy[:50]}_bound")
            p._protect(cursor, legacy)
            p.copy_rights(cursor, TABLE, legacy)
        else:
            cursor.execute(f"DROP TABLE {legacy}")
    p.ensure_ahead(using=connection.alias)


class Migration(migrations.Migration):
    atomic = True
    dependencies = [("vip", "0011_audit_action_merge"), ("candidates", "0003_trigram_search")]
    operations = [
        migrations.RunPython(partition, elidable=False),
        # the viewer's search by user name (icontains), on every partition (pg_trgm: candidates migration 0003)
        migrations.AddIndex(
            model_name="auditevent",
            index=django.contrib.postgres.indexes.GinIndex(
                django.contrib.postgres.indexes.OpClass(
                    django.db.models.functions.text.Upper("actor_username"), name="gin_trgm_ops"
                ),
                name="audit_actor_trgm",
            ),
        ),
    ]
