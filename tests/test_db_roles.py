"""Issue 17, CJIS AU-9 and AC-6: the product connects as an app role that can add to the audit trail but never
change it, remove from it, empty it or switch its append-only trigger off, whatever it sets. The owner migrates
and purges (docs/operations.md, "Database roles").

The tests connect exactly as the site does: as the app role that `setup_db_roles` set up on the test database
(conftest.py); the owner's steps go through `vip.db_roles.as_owner`, as the commands do.
"""

from __future__ import annotations

import datetime as dt
import logging
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction
from django.urls import reverse
from django.utils import timezone

from vip.audit import audit
from vip.db_roles import as_owner
from vip.models import AuditEvent
from vip.testing import age_audit_event

pytestmark = pytest.mark.django_db

APP_ROLE_REFUSALS = ("permission denied", "must be owner", "append-only")


@pytest.fixture
def event(le_lead):
    return audit(actor=le_lead, action=AuditEvent.Action.READ, object_type="candidates.Candidate", object_id=1)


def _refusal(sql: str, *params) -> str:
    """The database's refusal of `sql` on the site's connection ("" when it ran)."""
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, params)
    except DatabaseError as exc:
        return str(exc)
    return ""


def _refused(sql: str, *params) -> bool:
    refusal = _refusal(sql, *params)
    return any(reason in refusal for reason in APP_ROLE_REFUSALS)


def _app_role() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_user")
        return cursor.fetchone()[0]


# --- who the site is --------------------------------------------------------------------------------------


def test_the_site_connects_as_a_role_that_is_neither_superuser_nor_the_owner_of_the_trail():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT r.rolsuper, r.rolcreatedb, r.rolcreaterole, r.oid = c.relowner FROM pg_roles r, pg_class c "
            "WHERE r.rolname = current_user AND c.oid = 'vip_auditevent'::regclass"
        )
        assert cursor.fetchone() == (False, False, False, False)


def test_the_app_role_owns_nothing_in_the_database():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_class WHERE relpersistence <> 't' "
            "AND relowner = (SELECT oid FROM pg_roles WHERE rolname = current_user)"
        )
        assert cursor.fetchone()[0] == 0


# --- the audit trail: add and read, nothing else ------------------------------------------------------------


def test_the_app_role_cannot_update_an_audit_row(event):
    assert _refused("UPDATE vip_auditevent SET note = 'edited' WHERE id = %s", event.pk)


def test_the_app_role_cannot_delete_an_audit_row(event):
    assert _refused("DELETE FROM vip_auditevent WHERE id = %s", event.pk)


def test_the_app_role_cannot_empty_the_audit_trail(event):
    assert _refused("TRUNCATE vip_auditevent CASCADE")


def test_the_app_role_cannot_disable_the_append_only_trigger(event):
    assert _refused("ALTER TABLE vip_auditevent DISABLE TRIGGER vip_auditevent_append_only")


def test_the_maintenance_switch_does_not_open_for_the_app_role(event):
    with connection.cursor() as cursor:
        cursor.execute("SET vip.audit_maintenance = 'on'")
    try:
        assert _refused("DELETE FROM vip_auditevent WHERE id = %s", event.pk)
    finally:
        with connection.cursor() as cursor:
            cursor.execute("RESET vip.audit_maintenance")


def test_the_app_role_cannot_turn_triggers_off_with_session_replication_role():
    assert "permission denied" in _refusal("SET session_replication_role = replica")


def test_the_app_role_cannot_grant_itself_more_on_the_trail():
    app = _app_role()
    _refusal(f"GRANT DELETE, TRUNCATE ON vip_auditevent TO {app}")  # PostgreSQL warns and grants nothing
    with connection.cursor() as cursor:
        cursor.execute("SELECT has_table_privilege(%s, 'vip_auditevent', 'DELETE, TRUNCATE')", [app])
        assert cursor.fetchone()[0] is False


def test_the_app_role_still_writes_and_reads_audit_rows(event):
    audit(actor=None, action=AuditEvent.Action.LOGIN_FAILED, note="written as the app role")
    assert AuditEvent.objects.filter(note="written as the app role").count() == 1


@pytest.mark.django_db(transaction=True)
def test_the_trigger_refuses_a_role_given_delete_by_mistake_whatever_it_sets(le_lead):
    """The trigger on its own: a right granted by hand is still not enough, with the switch on, and with a
    temporary view posing as the catalogue the trigger reads (pg_temp comes first in a role's search path)."""
    event = audit(actor=le_lead, action=AuditEvent.Action.READ, object_type="candidates.Candidate", object_id=1)
    app = _app_role()
    with as_owner() as owner, owner.cursor() as cursor:
        cursor.execute(f"GRANT DELETE ON vip_auditevent TO {app}")
    try:
        with connection.cursor() as cursor:
            cursor.execute("SET vip.audit_maintenance = 'on'")
            cursor.execute(
                "CREATE TEMP VIEW pg_roles AS SELECT oid, rolname, true AS rolsuper FROM pg_catalog.pg_roles"
            )
        assert "append-only" in _refusal("DELETE FROM vip_auditevent WHERE id = %s", event.pk)
    finally:
        with connection.cursor() as cursor:
            cursor.execute("DROP VIEW IF EXISTS pg_temp.pg_roles")
            cursor.execute("RESET vip.audit_maintenance")
        connection.close()
        call_command("setup_db_roles", app, stdout=StringIO())  # and the right granted by hand
    assert AuditEvent.objects.filter(pk=event.pk).exists()


# --- the rest of the program: the app's normal work -----------------------------------------------------------


def test_the_app_role_cannot_empty_or_alter_a_program_table():
    assert _refused("TRUNCATE candidates_candidate CASCADE")
    assert _refused("ALTER TABLE candidates_candidate ADD COLUMN extra text")


def test_the_app_role_cannot_rewrite_the_record_of_applied_migrations():
    assert _refused("DELETE FROM django_migrations WHERE app = 'vip'")


def test_a_sign_in_is_recorded_by_the_app_role(client, officer):
    from vip.testing import PASSWORD

    client.post(reverse("login"), {"username": "officer", "password": "wrong-password"})
    client.post(reverse("login"), {"username": "officer", "password": PASSWORD})
    trail = AuditEvent.objects.filter(object_id="officer", action=AuditEvent.Action.LOGIN_FAILED)
    assert trail.exists() and AuditEvent.objects.filter(actor=officer, action=AuditEvent.Action.LOGIN).exists()


def test_opening_a_cn_writes_its_records_and_their_trail_as_the_app_role(le_lead):
    from candidates.models import Candidate
    from notifications.services import delivery_create

    person = Candidate.objects.create(first_name="Ana", last_name="Baca", date_of_birth=dt.date(2000, 1, 1))
    delivery = delivery_create(user=le_lead, candidate=person)
    trail = AuditEvent.objects.filter(object_type="notifications.Delivery", object_id=str(delivery.pk))
    assert set(trail.values_list("action", flat=True)) == {"create"} and trail.count() == 2  # service + trigger


# --- the owner's commands -----------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_setup_db_roles_is_safe_to_run_twice():
    app = _app_role()

    def rights() -> list:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT table_name, privilege_type FROM information_schema.role_table_grants "
                "WHERE grantee = %s AND table_catalog = current_database() ORDER BY 1, 2",
                [app],
            )
            return cursor.fetchall()

    before = rights()
    call_command("setup_db_roles", app, stdout=StringIO())
    call_command("setup_db_roles", app, stdout=StringIO())
    assert rights() == before
    assert {kind for table, kind in before if table == "vip_auditevent"} == {"SELECT", "INSERT"}


@pytest.mark.django_db(transaction=True)
def test_setup_db_roles_refuses_to_make_the_owner_the_app_role():
    from django.core.management import CommandError

    with as_owner() as owner, owner.cursor() as cursor:
        cursor.execute("SELECT current_user")
        owner_role = cursor.fetchone()[0]
    with pytest.raises(CommandError, match="owner"):
        call_command("setup_db_roles", owner_role, stdout=StringIO())


@pytest.mark.django_db(transaction=True)
def test_a_table_a_later_migrate_creates_is_open_to_the_app_role():
    with as_owner() as owner, owner.cursor() as cursor:
        cursor.execute("CREATE TABLE vip_later_table (id bigint GENERATED BY DEFAULT AS IDENTITY, note text)")
    try:
        with connection.cursor() as cursor:
            cursor.execute("INSERT INTO vip_later_table (note) VALUES ('added by the site')")
            cursor.execute("SELECT count(*) FROM vip_later_table")
            assert cursor.fetchone()[0] == 1
    finally:
        with as_owner() as owner, owner.cursor() as cursor:
            cursor.execute("DROP TABLE vip_later_table")


@pytest.mark.django_db(transaction=True)
def test_migrate_runs_as_the_owner_and_the_site_goes_on_as_the_app_role():
    from django.db.models.signals import post_migrate

    seen = []

    def who(sender, using, **kwargs):
        from django.db import connections

        with connections[using].cursor() as cursor:
            cursor.execute("SELECT current_user")
            seen.append(cursor.fetchone()[0])

    app = _app_role()
    post_migrate.connect(who, dispatch_uid="test_db_roles_who")
    try:
        call_command("migrate", verbosity=0, interactive=False)
    finally:
        post_migrate.disconnect(dispatch_uid="test_db_roles_who")
    assert seen and app not in seen
    assert _app_role() == app


@pytest.mark.django_db(transaction=True)
def test_the_owner_s_purge_command_removes_rows_past_retention():
    event = audit(actor=None, action=AuditEvent.Action.READ, note="four years old")
    age_audit_event(event, timezone.now() - dt.timedelta(days=4 * 365))
    call_command("purge_audit", stdout=StringIO())
    assert not AuditEvent.objects.filter(pk=event.pk).exists()


@pytest.mark.django_db(transaction=True)
def test_the_purge_is_refused_to_the_app_role(settings):
    from django.core.management import CommandError

    settings.VIP_DATABASE_OWNER = None  # no DATABASE_OWNER_URL: the purge would run as the site's own role
    with pytest.raises(CommandError, match="DATABASE_OWNER_URL"):
        call_command("purge_audit", stdout=StringIO())


@pytest.mark.django_db(transaction=True)
def test_the_weekly_task_purges_as_the_owner_when_the_worker_has_its_url(settings):
    from vip.tasks import purge_expired_audit_events

    settings.VIP_AUDIT_RETENTION_DAYS = 730
    event = audit(actor=None, action=AuditEvent.Action.READ, note="three years old")
    age_audit_event(event, timezone.now() - dt.timedelta(days=3 * 365))
    assert purge_expired_audit_events() == 1


@pytest.mark.django_db(transaction=True)
def test_the_weekly_task_without_the_owner_s_url_purges_nothing_and_says_who_must(settings, caplog):
    from vip.tasks import purge_expired_audit_events

    settings.VIP_DATABASE_OWNER = None
    with caplog.at_level(logging.WARNING, logger="vip.tasks"):
        assert purge_expired_audit_events() == 0
    assert "manage.py purge_audit" in caplog.text
