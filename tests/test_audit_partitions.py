"""The audit trail partitioned by month (issue 21, vip/audit/partitions.py, vip migration 0012): the append-only
rule on every partition, present and future; the months made ahead, idempotently; retention detaching whole
months only, as the owner, audited; the viewer's period filter as a range of `at` in local time.

Transactional: the owner's connection (as_owner) sees committed rows only, and making a partition is the owner's.
"""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from vip.audit import AuditMaintenanceRefused, audit, retire_audit_older_than
from vip.audit.partitions import ARCHIVE_SCHEMA, ensure_months, month_table, partitions
from vip.db_roles import as_owner
from vip.models import AuditEvent
from vip.testing import age_audit_event

pytestmark = pytest.mark.django_db(transaction=True)
A = AuditEvent.Action
FAR_MONTH = dt.date(2040, 1, 1)  # a month no other test makes


def _refusal(conn, sql: str, *params) -> str:
    try:
        with transaction.atomic(using=conn.alias), conn.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute(sql, params)
    except DatabaseError as exc:
        return str(exc)
    return ""


def _changes(table: str) -> tuple[str, str, str]:
    """An update, a delete and an emptying of the whole `table` (a partition's name, from the catalogue)."""
    return (f"UPDATE {table} SET note = 'edited'", f"DELETE FROM {table}", f"TRUNCATE {table}")  # noqa: S608


def _tables() -> list[str]:
    return [table for table, _start, _end in partitions()]


@pytest.fixture
def event():
    return audit(actor=None, action=A.READ, object_type="candidates.Candidate", object_id=7, note="kept")


@pytest.fixture
def owner_switch_closed(event):
    """The owner's connection with the maintenance switch closed, as production runs."""
    with as_owner() as conn:
        with conn.cursor() as cursor:
            cursor.execute("SET vip.audit_maintenance = 'off'")
        yield conn


def test_the_trail_is_partitioned_by_month_with_the_months_ahead_made():
    with connection.cursor() as cursor:
        cursor.execute("SELECT partstrat FROM pg_partitioned_table WHERE partrelid = 'vip_auditevent'::regclass")
        assert cursor.fetchone() == ("r",)
    today = timezone.localdate()
    assert month_table(today) in _tables()
    assert month_table(today + dt.timedelta(days=95)) in _tables()


def test_the_app_role_may_only_read_and_add_to_each_partition(event):
    with connection.cursor() as cursor:
        for table in _tables():
            cursor.execute(
                "SELECT has_table_privilege(current_user, %s, 'SELECT'), has_table_privilege(current_user, %s, "
                "'INSERT'), has_table_privilege(current_user, %s, 'UPDATE, DELETE, TRUNCATE, TRIGGER')",
                [table] * 3,
            )
            assert cursor.fetchone() == (True, True, False), table


def test_each_partition_refuses_the_app_role_an_update_a_delete_and_a_truncate(event):
    table = month_table(timezone.localdate())
    for sql in _changes(table):
        assert _refusal(connection, sql), sql
    assert AuditEvent.objects.filter(pk=event.pk, note="kept").exists()


def test_each_partition_refuses_even_the_owner_without_the_switch(owner_switch_closed):
    with owner_switch_closed.cursor() as cursor:  # a row trigger fires on rows: each partition has its own
        cursor.execute(
            "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
            "JOIN pg_trigger t ON t.tgrelid = c.oid AND t.tgname = 'vip_auditevent_append_only' AND t.tgenabled = 'O' "
            "AND t.tgtype = (1 | 2 | 8 | 16) WHERE i.inhparent = 'vip_auditevent'::regclass"
        )
        assert sorted(row[0] for row in cursor.fetchall()) == sorted(_tables())
    for table in _tables():
        assert "append-only" in _refusal(owner_switch_closed, f"TRUNCATE {table}"), table
    for sql in _changes(month_table(timezone.localdate()))[:2]:  # this month's, which holds the event
        assert "append-only" in _refusal(owner_switch_closed, sql), sql


def test_a_new_month_gets_the_rule_and_the_trail_s_rights():
    table = month_table(FAR_MONTH)
    with as_owner() as conn:
        made = ensure_months(FAR_MONTH, FAR_MONTH, using=conn.alias)
        assert made in ([table], [])  # [] when this session's database made it already
        assert table in _tables()
        age_audit_event(audit(actor=None, action=A.READ, note="far"), dt.datetime(2040, 1, 15, tzinfo=dt.UTC))
        with conn.cursor() as cursor:
            cursor.execute("SET vip.audit_maintenance = 'off'")
            for sql in _changes(table):
                assert "append-only" in _refusal(conn, sql), sql
            cursor.execute(
                "SELECT relacl::text FROM pg_class WHERE oid IN ('vip_auditevent'::regclass, %s::regclass)", [table]
            )
            parent, partition = (row[0] for row in cursor.fetchall())
            assert parent == partition


def test_making_the_months_again_changes_nothing():
    with as_owner() as conn:
        first = ensure_months(dt.date(2039, 5, 1), dt.date(2039, 7, 31), using=conn.alias)
        before = _tables()
        assert ensure_months(dt.date(2039, 5, 1), dt.date(2039, 7, 31), using=conn.alias) == []
        assert _tables() == before
    assert {month_table(dt.date(2039, m, 1)) for m in (5, 6, 7)} <= set(before)
    assert len(first) in (0, 3)


def test_a_row_whose_month_has_no_partition_is_refused_clearly():
    event = audit(actor=None, action=A.READ, note="to move")
    with as_owner(), pytest.raises(DatabaseError, match="no partition"), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).update(at=dt.datetime(1999, 1, 1, tzinfo=dt.UTC))


# --- retention -------------------------------------------------------------------------------------------


@pytest.fixture
def history():
    """Rows in three months: one wholly past the cutoff (800 days), one straddling it, one recent."""
    _drop_archive()  # another module's retention may have left one
    now = timezone.now()
    cutoff = now - dt.timedelta(days=730)
    month_start = timezone.localtime(cutoff).replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    rows = {
        "old": now - dt.timedelta(days=800),
        # same month as the cutoff, but before it: its month is partly younger than the cutoff, so it stays
        "straddling": max(month_start, cutoff - dt.timedelta(hours=1)),
        "recent": now - dt.timedelta(days=300),
    }
    for note, at in rows.items():
        age_audit_event(audit(actor=None, action=A.READ, note=note), at)
    yield rows
    _drop_archive()


def _drop_archive() -> None:
    with as_owner() as conn, conn.cursor() as cursor:  # the archive is no table `flush` empties
        cursor.execute(f"DROP SCHEMA IF EXISTS {ARCHIVE_SCHEMA} CASCADE")


def test_retention_detaches_only_whole_months_older_than_the_cutoff(history):
    old_table = month_table(timezone.localtime(history["old"]).date())
    detached = retire_audit_older_than(730)
    assert f"{ARCHIVE_SCHEMA}.{old_table}" in detached
    assert detached[f"{ARCHIVE_SCHEMA}.{old_table}"] == 1
    assert set(AuditEvent.objects.filter(note__in=history).values_list("note", flat=True)) == {"straddling", "recent"}
    assert old_table not in _tables()
    with as_owner() as conn, conn.cursor() as cursor:  # kept as a table of the archive, for the operator
        cursor.execute(f"SELECT count(*) FROM {ARCHIVE_SCHEMA}.{old_table} WHERE note = 'old'")  # noqa: S608
        assert cursor.fetchone()[0] == 1


def test_retention_is_audited_with_the_tables_and_their_rows(history):
    detached = retire_audit_older_than(730)
    row = AuditEvent.objects.filter(note__startswith="Retention:").get()
    assert row.changes["detached"] == detached
    assert row.changes["rows"] == sum(detached.values()) >= 1


def test_a_detached_month_stays_append_only(history):
    (archived,) = [table for table in retire_audit_older_than(730) if "y" in table]
    with as_owner() as conn:
        with conn.cursor() as cursor:
            cursor.execute("SET vip.audit_maintenance = 'off'")
        for sql in _changes(archived):
            assert "append-only" in _refusal(conn, sql), sql


def test_retention_is_refused_to_the_app_role(history, settings):
    settings.VIP_DATABASE_OWNER = None  # no DATABASE_OWNER_URL: it would run as the site's own role
    with pytest.raises(AuditMaintenanceRefused, match="does not own the audit trail"):
        retire_audit_older_than(730)
    with pytest.raises(CommandError, match="DATABASE_OWNER_URL"):
        call_command("purge_audit", stdout=StringIO())
    assert AuditEvent.objects.filter(note="old").exists()
    assert not AuditEvent.objects.filter(note__startswith="Retention:").exists()


def test_the_monthly_partition_task_is_registered_in_the_beat_schedule():
    from django_celery_beat.models import PeriodicTask

    call_command("setup_schedules", stdout=StringIO())
    assert PeriodicTask.objects.filter(task="vip.tasks.create_audit_partitions").count() == 1


# --- the viewer's period ---------------------------------------------------------------------------------


def test_the_viewer_s_period_is_the_same_local_days_as_before(client, program_manager):
    local = timezone.get_current_timezone()
    times = {
        "before": dt.datetime(2026, 5, 1, 23, 59, 59, tzinfo=local),
        "first": dt.datetime(2026, 5, 2, 0, 0, tzinfo=local),
        "last": dt.datetime(2026, 5, 3, 23, 59, 59, 999999, tzinfo=local),
        "after": dt.datetime(2026, 5, 4, 0, 0, tzinfo=local),
    }
    for note, at in times.items():
        age_audit_event(audit(actor=None, action=A.READ, note=note), at)
    client.force_login(program_manager)
    page = client.get("/audit/", {"date_from": "2026-05-02", "date_to": "2026-05-03", "action": "read"})
    shown = {event.note for event in page.context["page"].object_list}
    assert shown == {"first", "last"}
    by_date = AuditEvent.objects.filter(at__date__gte=dt.date(2026, 5, 2), at__date__lte=dt.date(2026, 5, 3))
    assert shown == set(by_date.filter(note__in=times).values_list("note", flat=True))


def test_the_viewer_s_period_filter_is_a_range_of_the_time_the_partitions_can_prune():
    from vip.audit.views import AuditFilter

    with as_owner() as conn:
        ensure_months(dt.date(2026, 4, 1), dt.date(2026, 6, 1), using=conn.alias)
    filters = AuditFilter({"date_from": "2026-05-02", "date_to": "2026-05-03"}, queryset=AuditEvent.objects.all())
    plan = filters.qs.values("pk").explain()
    assert "vip_auditevent_y2026m05" in plan
    assert "y2026m04" not in plan and "y2026m06" not in plan


def test_the_viewer_does_not_count_the_trail(client, program_manager):
    for n in range(3):
        audit(actor=None, action=A.LOGIN_FAILED, note=f"n{n}")
    client.force_login(program_manager)
    with CaptureQueriesContext(connection) as queries:
        page = client.get("/audit/", {"action": "login_failed"})
    assert not [q["sql"] for q in queries if "COUNT(" in q["sql"].upper() and "vip_auditevent" in q["sql"]]
    assert "Events 1 to 3, newest first" in page.content.decode()
