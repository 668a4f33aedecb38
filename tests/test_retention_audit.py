"""CJIS AU-11: audit rows are kept at least a year; the purge deletes only older rows and is itself audited.

The purge runs as the database owner (DATABASE_OWNER_URL), which only sees committed rows: these tests commit."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from vip.audit import audit
from vip.db_roles import as_owner
from vip.models import AuditEvent
from vip.testing import age_audit_event

pytestmark = pytest.mark.django_db(transaction=True)


def _event_aged(days: int, note: str) -> AuditEvent:
    event = audit(actor=None, action=AuditEvent.Action.READ, note=note)
    age_audit_event(event, timezone.now() - dt.timedelta(days=days))
    return event


@pytest.fixture
def aged_events():
    return _event_aged(800, "old"), _event_aged(300, "recent")


def test_the_purge_deletes_only_rows_past_the_retention_period(aged_events, settings):
    settings.VIP_AUDIT_RETENTION_DAYS = 730
    call_command("purge_audit", stdout=StringIO())
    assert set(AuditEvent.objects.filter(note__in=["old", "recent"]).values_list("note", flat=True)) == {"recent"}


def test_the_purge_is_itself_audited(aged_events, settings):
    settings.VIP_AUDIT_RETENTION_DAYS = 730
    call_command("purge_audit", stdout=StringIO())
    event = AuditEvent.objects.filter(note__startswith="Retention:").get()
    assert event.changes["rows"] == 1


def test_the_purge_refuses_to_keep_less_than_a_year(aged_events):
    with pytest.raises(CommandError, match="at least 365"):
        call_command("purge_audit", days=364, stdout=StringIO())
    assert AuditEvent.objects.filter(note="old").exists()


def test_a_retention_setting_under_a_year_is_refused(aged_events, settings):
    settings.VIP_AUDIT_RETENTION_DAYS = 30
    with pytest.raises(CommandError):
        call_command("purge_audit", stdout=StringIO())


def test_the_switch_does_not_stay_open_after_the_purge(aged_events, settings):
    settings.VIP_AUDIT_RETENTION_DAYS = 730
    with as_owner() as owner, owner.cursor() as cursor:  # production rules: the purge opens the switch itself
        cursor.execute("SET vip.audit_maintenance = 'off'")
        call_command("purge_audit", stdout=StringIO())
        cursor.execute("SELECT current_setting('vip.audit_maintenance', true)")
        assert cursor.fetchone()[0] == "off"


def test_the_default_retention_is_at_least_a_year():
    from django.conf import settings

    assert settings.VIP_AUDIT_RETENTION_DAYS >= 365


def test_the_system_check_refuses_a_retention_under_a_year(settings):
    from vip.audit import check_retention_setting

    settings.VIP_AUDIT_RETENTION_DAYS = 90
    assert [error.id for error in check_retention_setting()] == ["vip.E101"]


def test_the_weekly_purge_is_registered_in_the_beat_schedule(db):
    from io import StringIO

    from django.core.management import call_command
    from django_celery_beat.models import PeriodicTask

    call_command("setup_schedules", stdout=StringIO())
    assert PeriodicTask.objects.filter(task="vip.tasks.purge_expired_audit_events").count() == 1
