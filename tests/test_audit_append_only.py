"""CJIS AU-9: the database itself refuses to change or remove audit rows, even for the owner of the table and the
superuser `postgres`, unless the owner opens the maintenance switch for the retention purge (vip migrations 0003
and 0009). What the app role the site connects as may do (never that): tests/test_db_roles.py.

The owner's test sessions hold the switch (conftest.py, for the flush between transactional tests): these tests
close it on their connection first, exactly as production runs.
"""

from __future__ import annotations

import pytest
from django.db import DatabaseError, transaction

from vip.audit import audit
from vip.db_roles import as_owner
from vip.models import AuditEvent

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def event(le_lead):
    return audit(actor=le_lead, action=AuditEvent.Action.READ, object_type="candidates.Candidate", object_id=1)


@pytest.fixture
def owner(event):
    """The connection, as the owner of the tables, with the maintenance switch closed."""
    with as_owner() as connection:
        with connection.cursor() as cursor:
            cursor.execute("SET vip.audit_maintenance = 'off'")
        yield connection


def _refused(connection, sql: str, *params) -> bool:
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, params)
    except DatabaseError as exc:
        return "append-only" in str(exc)
    return False


def test_the_database_refuses_the_owner_an_update_of_an_audit_row(event, owner):
    assert _refused(owner, "UPDATE vip_auditevent SET note = 'edited' WHERE id = %s", event.pk)


def test_the_database_refuses_the_owner_a_delete_of_an_audit_row(event, owner):
    assert _refused(owner, "DELETE FROM vip_auditevent WHERE id = %s", event.pk)


def test_the_database_refuses_the_owner_to_truncate_the_audit_trail(event, owner):
    with owner.cursor() as cursor:  # Django's foreign keys are deferred: check them now, not at commit
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    assert _refused(owner, "TRUNCATE vip_auditevent")


def test_the_orm_cannot_delete_an_audit_row_either(event, owner):
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).delete()


def test_the_refusal_holds_for_a_superuser(event, owner):
    with owner.cursor() as cursor:
        cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
        if not cursor.fetchone()[0]:
            pytest.skip("the owner of this test database is no superuser (DATABASE_OWNER_URL)")
    assert _refused(owner, "DELETE FROM vip_auditevent")


def test_a_new_row_is_still_written(event):
    audit(actor=None, action=AuditEvent.Action.LOGIN_FAILED, note="after the refusals")
    assert AuditEvent.objects.filter(note="after the refusals").exists()
