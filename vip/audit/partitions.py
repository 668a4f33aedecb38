"""The audit trail's monthly partitions (issue 21): vip_auditevent is partitioned by range of `at`, one partition a
month of the project's time zone (TIME_ZONE), named vip_auditevent_yYYYYmMM (vip migration 0012).

- **Made ahead.** `ensure_months(first, last)` creates the missing months (idempotent). `migrate` (post_migrate)
  and the monthly beat task (`vip.tasks.create_audit_partitions`) keep MONTHS_AHEAD months ahead of today; the
  bench's generator calls it before COPYing years of history. There is no DEFAULT partition: a row whose month
  has no partition is refused with PostgreSQL's "no partition of relation ... found for row", which cannot
  happen while the months are made ahead. A DEFAULT partition would take such a row, but then the month could
  no longer be created while the row is there, and every new month would have to scan it.
- **Append-only on every partition.** The row trigger refusing UPDATE and DELETE (vip migration 0003, owner-only
  switch 0010) is declared on the parent, and PostgreSQL clones it onto each partition, present and future. A
  statement-level TRUNCATE trigger is not cloned: each partition gets its own when it is made (`_protect`).
  Each partition's rights are the parent's (`copy_rights`): the owner's default privileges would otherwise give
  the app role UPDATE and DELETE on a partition read by name.
- **Retention detaches whole months** (`detach_older_than`): a month whose end is older than the cutoff leaves the
  trail as a table of its own in the `audit_archive` schema, still append-only, for the operator to archive and
  drop (docs/operations.md, "The audit trail's retention").
"""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connections, transaction

PARENT = "vip_auditevent"
ARCHIVE_SCHEMA = "audit_archive"
MONTHS_AHEAD = 6
APPEND_ONLY_FUNCTION = "vip_audit_refuse_change"
ROW_TRIGGER = "vip_auditevent_append_only"
TRUNCATE_TRIGGER = "vip_auditevent_no_truncate"
MONTH_NAME = re.compile(r"^vip_auditevent_y(\d{4})m(\d{2})$")
OVERLAP = "42P17"  # invalid_object_definition: "partition ... would overlap partition ..."


def month_table(month: dt.date) -> str:
    return f"{PARENT}_y{month.year:04d}m{month.month:02d}"


def _first_of(day: dt.date) -> dt.date:
    return day.replace(day=1)


def _next_month(month: dt.date) -> dt.date:
    return (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1)


def month_start(month: dt.date) -> dt.datetime:
    """The instant a month begins in the project's time zone (partitions and retention count local months)."""
    return dt.datetime(month.year, month.month, 1, tzinfo=ZoneInfo(settings.TIME_ZONE))


def months(first: dt.date, last: dt.date) -> list[dt.date]:
    """The first days of the months from `first`'s to `last`'s, both included."""
    found, month = [], _first_of(first)
    while month <= _first_of(last):
        found.append(month)
        month = _next_month(month)
    return found


def _protect(cursor, table: str) -> None:
    """The append-only rule a partition does not inherit: the statement-level TRUNCATE trigger."""
    cursor.execute(
        f"CREATE OR REPLACE TRIGGER {TRUNCATE_TRIGGER} BEFORE TRUNCATE ON {table} "
        f"FOR EACH STATEMENT EXECUTE FUNCTION {APPEND_ONLY_FUNCTION}()"
    )


def copy_rights(cursor, source: str, target: str) -> None:
    """Give `target` exactly the rights granted on `source` (to the app role, to PUBLIC), nothing more."""
    cursor.execute(
        "SELECT DISTINCT coalesce(r.rolname, 'PUBLIC') FROM pg_catalog.pg_class c, aclexplode(c.relacl) a "
        "LEFT JOIN pg_catalog.pg_roles r ON r.oid = a.grantee WHERE c.oid = %s::regclass "
        "AND a.grantee <> c.relowner",
        [target],
    )
    for (grantee,) in cursor.fetchall():
        cursor.execute(f"REVOKE ALL ON {target} FROM {_role(grantee)}")
    cursor.execute(f"REVOKE ALL ON {target} FROM PUBLIC")
    cursor.execute(
        "SELECT coalesce(r.rolname, 'PUBLIC'), string_agg(a.privilege_type, ', ') "
        "FROM pg_catalog.pg_class c, aclexplode(c.relacl) a LEFT JOIN pg_catalog.pg_roles r ON r.oid = a.grantee "
        "WHERE c.oid = %s::regclass AND a.grantee <> c.relowner GROUP BY 1",
        [source],
    )
    for grantee, rights in cursor.fetchall():
        cursor.execute(f"GRANT {rights} ON {target} TO {_role(grantee)}")


def copy_rights_to_partitions(cursor) -> None:
    """Every partition of the trail gets the trail's rights (`setup_db_roles` grants on all tables first)."""
    cursor.execute(
        "SELECT c.relname FROM pg_catalog.pg_inherits i JOIN pg_catalog.pg_class c ON c.oid = i.inhrelid "
        "WHERE i.inhparent = to_regclass(%s)",
        [PARENT],
    )
    for (table,) in cursor.fetchall():
        copy_rights(cursor, PARENT, table)


def _role(name: str) -> str:
    return "PUBLIC" if name == "PUBLIC" else '"' + name.replace('"', '""') + '"'


def ensure_months(first: dt.date, last: dt.date, *, using: str = "default") -> list[str]:
    """Create the trail's missing monthly partitions from `first`'s month to `last`'s, both included, each with
    the append-only rule and the parent's rights. Idempotent: a month that has its partition (or lies inside the
    partition of the rows from before partitioning, vip migration 0012) is left alone. Returns the tables made.

    Run as the owner of the trail (`migrate`, the beat task given DATABASE_OWNER_URL, the bench's generator)."""
    connection = connections[using]
    made = []
    with transaction.atomic(using=using), connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname FROM pg_catalog.pg_inherits i JOIN pg_catalog.pg_class c ON c.oid = i.inhrelid "
            "WHERE i.inhparent = %s::regclass",
            [PARENT],
        )
        present = {row[0] for row in cursor.fetchall()}
        for month in months(first, last):
            table = month_table(month)
            if table in present:
                continue
            try:
                with transaction.atomic(using=using):
                    cursor.execute(
                        f"CREATE TABLE {table} PARTITION OF {PARENT} FOR VALUES FROM (%s) TO (%s)",
                        [month_start(month), month_start(_next_month(month))],
                    )
            except Exception as exc:  # noqa: BLE001 - only an overlap is expected; anything else goes on up
                cause = exc.__cause__
                if getattr(cause, "sqlstate", None) == OVERLAP or getattr(cause, "pgcode", None) == OVERLAP:
                    continue  # inside the partition of the rows from before partitioning
                raise
            _protect(cursor, table)
            copy_rights(cursor, PARENT, table)
            made.append(table)
    return made


def ensure_ahead(today: dt.date | None = None, *, using: str = "default") -> list[str]:
    """This month and MONTHS_AHEAD more (post_migrate and the monthly beat task)."""
    from django.utils import timezone

    today = today or timezone.localdate()
    last = today
    for _ in range(MONTHS_AHEAD):
        last = _next_month(_first_of(last))
    return ensure_months(today, last, using=using)


def ensure_after_migrate(sender, using="default", **kwargs) -> None:
    """post_migrate: the months ahead exist after every `migrate` (once, after the vip app's migrations)."""
    if sender.label != "vip":
        return
    connection = connections[using]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT to_regclass(%s) IS NOT NULL AND EXISTS (SELECT 1 FROM pg_catalog.pg_partitioned_table"
            " WHERE partrelid = to_regclass(%s))",
            [PARENT, PARENT],
        )
        if not cursor.fetchone()[0]:  # migrated back before 0012
            return
    ensure_ahead(using=using)


def partitions(*, using: str = "default") -> list[tuple[str, dt.datetime | None, dt.datetime]]:
    """The trail's partitions as (table, from, to), oldest first; `from` is None for the rows from before
    partitioning (MINVALUE)."""
    with connections[using].cursor() as cursor:
        cursor.execute(
            "SELECT c.relname, pg_catalog.pg_get_expr(c.relpartbound, c.oid) FROM pg_catalog.pg_inherits i "
            "JOIN pg_catalog.pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = %s::regclass",
            [PARENT],
        )
        rows = cursor.fetchall()
        found = []
        for table, bound in rows:
            if bound == "DEFAULT":  # none is made (see above); one added by hand holds no month to retire
                continue
            low, high = re.match(r"FOR VALUES FROM \((.*)\) TO \((.*)\)", bound).groups()
            cursor.execute(
                "SELECT %s::timestamptz, %s::timestamptz",
                [None if low == "MINVALUE" else low.strip("'"), high.strip("'")],
            )
            start, end = cursor.fetchone()
            found.append((table, start, end))
    return sorted(found, key=lambda part: part[2])


def detach_older_than(cutoff: dt.datetime, *, using: str = "default") -> list[tuple[str, int]]:
    """Detach every partition whose end is at or before `cutoff` (whole months only: a month partly younger than
    the cutoff stays) and move it to the `audit_archive` schema, append-only again (PostgreSQL drops the cloned
    row trigger on DETACH). Returns (archived table, rows) for each. The caller is the owner, in a transaction."""
    connection = connections[using]
    detached = []
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE SCHEMA IF NOT EXISTS {ARCHIVE_SCHEMA}")
        cursor.execute(f"REVOKE ALL ON SCHEMA {ARCHIVE_SCHEMA} FROM PUBLIC")
        for table, _start, end in partitions(using=using):
            if end > cutoff:
                continue
            cursor.execute(f"SELECT count(*) FROM {table}")  # noqa: S608 - a partition's name from the catalogue
            rows = cursor.fetchone()[0]
            cursor.execute(f"ALTER TABLE {PARENT} DETACH PARTITION {table}")
            # the archive stands alone: its rows name their actor (actor_username), and a key to the users would
            # tie the users' table to it (a user's removal, an emptying of the database's tables)
            cursor.execute(
                "SELECT conname FROM pg_catalog.pg_constraint WHERE conrelid = %s::regclass AND contype = 'f'", [table]
            )
            for (name,) in cursor.fetchall():
                cursor.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
            name, number = table, 1
            while True:  # a month detached before (made again, detached again) keeps its first archive
                cursor.execute("SELECT to_regclass(%s) IS NULL", [f"{ARCHIVE_SCHEMA}.{name}"])
                if cursor.fetchone()[0]:
                    break
                number += 1
                name = f"{table}_{number}"
            if name != table:  # and its indexes, whose names the first archive holds
                cursor.execute(
                    "SELECT indexrelid::regclass::text FROM pg_catalog.pg_index WHERE indrelid = %s::regclass", [table]
                )
                for k, (index,) in enumerate(cursor.fetchall()):
                    cursor.execute(f'ALTER INDEX {index} RENAME TO "{name}_{k}_idx"')
                cursor.execute(f"ALTER TABLE {table} RENAME TO {name}")
            cursor.execute(f"ALTER TABLE {name} SET SCHEMA {ARCHIVE_SCHEMA}")
            archived = f"{ARCHIVE_SCHEMA}.{name}"
            cursor.execute(
                f"CREATE OR REPLACE TRIGGER {ROW_TRIGGER} BEFORE UPDATE OR DELETE ON {archived} "
                f"FOR EACH ROW EXECUTE FUNCTION {APPEND_ONLY_FUNCTION}()"
            )
            _protect(cursor, archived)
            cursor.execute(f"REVOKE ALL ON {archived} FROM PUBLIC")
            cursor.execute(
                "SELECT DISTINCT r.rolname FROM pg_catalog.pg_class c, aclexplode(c.relacl) a "
                "JOIN pg_catalog.pg_roles r ON r.oid = a.grantee WHERE c.oid = %s::regclass "
                "AND a.grantee <> c.relowner",
                [archived],
            )
            for (grantee,) in cursor.fetchall():  # the app role reads the trail, not its archive
                cursor.execute(f"REVOKE ALL ON {archived} FROM {_role(grantee)}")
            detached.append((archived, rows))
    return detached


def check_months_ahead(app_configs=None, databases=None, **kwargs):
    """System check (database): next month has its partition (else, once it begins, every audited request fails)."""
    from django.core import checks
    from django.utils import timezone

    if not databases or "default" not in databases:
        return []
    next_month = _next_month(_first_of(timezone.localdate()))
    try:
        with connections["default"].cursor() as cursor:
            cursor.execute("SELECT to_regclass(%s) IS NULL, to_regclass(%s) IS NULL", [PARENT, month_table(next_month)])
            no_trail, missing = cursor.fetchone()
    except Exception:  # noqa: BLE001 - no database yet (a fresh clone before its first migrate)
        return []
    if no_trail or not missing:
        return []
    return [
        checks.Warning(
            f"The audit trail has no partition for {next_month:%B %Y}: once it begins, no audit row can be written.",
            hint="Run `python manage.py audit_partitions` (or `migrate`) as the database owner.",
            id="vip.W103",
        )
    ]
