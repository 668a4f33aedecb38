"""CJIS AU-9: the database itself refuses to change or remove audit rows, even for the superuser `postgres`.

The test database switches the maintenance flag on for every session (conftest django_db_setup), so these
tests switch it off on their connection first, exactly as production runs.
"""

from __future__ import annotations

import pytest
from django.db import DatabaseError, connection, transaction

from vip.audit import audit
from vip.models import AuditEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def production_rules():
    with connection.cursor() as cursor:
        cursor.execute("SET vip.audit_maintenance = 'off'")
    yield
    with connection.cursor() as cursor:
        cursor.execute("SET vip.audit_maintenance = 'on'")


@pytest.fixture
def event(le_lead):
    return audit(actor=le_lead, action=AuditEvent.Action.READ, object_type="candidates.Candidate", object_id=1)


def _refused(sql: str, *params) -> bool:
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, params)
    except DatabaseError as exc:
        return "append-only" in str(exc)
    return False


def test_the_database_refuses_an_update_of_an_audit_row(event, production_rules):
    assert _refused("UPDATE vip_auditevent SET note = 'edited' WHERE id = %s", event.pk)


def test_the_database_refuses_a_delete_of_an_audit_row(event, production_rules):
    assert _refused("DELETE FROM vip_auditevent WHERE id = %s", event.pk)


def test_the_database_refuses_to_truncate_the_audit_trail(event, production_rules):
    with connection.cursor() as cursor:  # Django's foreign keys are deferred: check them now, not at commit
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    assert _refused("TRUNCATE vip_auditevent")


def test_the_orm_cannot_delete_an_audit_row_either(event, production_rules):
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).delete()


def test_the_refusal_holds_for_the_superuser_the_tests_connect_as(event, production_rules):
    with connection.cursor() as cursor:
        cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
        assert cursor.fetchone()[0] is True
    assert _refused("DELETE FROM vip_auditevent")


def test_a_new_row_is_still_written(event, production_rules):
    audit(actor=None, action=AuditEvent.Action.LOGIN_FAILED, note="after the refusals")
    assert AuditEvent.objects.filter(note="after the refusals").exists()
