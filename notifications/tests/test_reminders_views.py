"""The notification centre (/reminders/), the unread count on every page, the digest choice, the schedules."""

from __future__ import annotations

import datetime as dt
import re
import uuid
from importlib import import_module
from io import StringIO

import pytest
from django.apps import apps as django_apps
from django.contrib.auth.models import User
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django_celery_beat.models import PeriodicTask

from notifications import reminders
from notifications.reminders.models import Reminder, ReminderPreference
from notifications.tests.test_reminders import T0, cn, eager, role_groups  # noqa: F401 - fixtures
from vip.auth_backends import ModelBackend
from vip.celery import app

_week = iter(range(1, 53))


def reminder_for(user, message="No weekly shooting review (GVIS) meeting on record.", **fields) -> Reminder:
    return Reminder.objects.create(
        kind="gvis",
        step="gvis",
        period=f"2026-W{next(_week):02d}",
        recipient=user,
        due_at=timezone.now(),
        message=message,
        claim=uuid.uuid4(),
        **fields,
    )


def test_it_lists_the_signed_in_persons_reminders_and_no_one_elses(client, le_lead, program_manager):
    reminder_for(le_lead, "Lead's reminder")
    reminder_for(program_manager, "Manager's escalation")
    client.force_login(le_lead)
    page = client.get(reverse("reminders:inbox")).content.decode()
    assert "Lead&#x27;s reminder" in page
    assert "Manager" not in page


def test_the_unread_count_shows_on_every_page(client, le_lead):
    reminder_for(le_lead)
    reminder_for(le_lead)
    client.force_login(le_lead)
    page = client.get(reverse("notifications:board")).content.decode()
    assert 'aria-label="2 unread"' in page


def test_the_unread_count_is_read_with_the_signed_in_user_not_by_a_query_of_its_own(client, le_lead):
    reminder_for(le_lead)
    client.force_login(le_lead)
    with CaptureQueriesContext(connection) as seen:
        page = client.get(reverse("notifications:board")).content.decode()
    assert 'aria-label="1 unread"' in page
    reading_reminders = [q["sql"] for q in seen.captured_queries if "notifications_reminder" in q["sql"]]
    assert len(reading_reminders) == 1 and 'FROM "auth_user"' in reading_reminders[0]


def test_reminders_marked_read_leave_no_count_on_the_next_page(client, le_lead):
    reminder_for(le_lead)
    reminder_for(le_lead)
    client.force_login(le_lead)
    client.post(reverse("reminders:mark_all_read"))
    page = client.get(reverse("notifications:board")).content.decode()
    assert re.search(r'aria-label="[0-9+]+ unread"', page) is None


def test_marking_read_forgets_the_count_read_with_the_user(le_lead):
    reminder_for(le_lead)
    signed_in = ModelBackend().get_user(le_lead.pk)  # as every request reads them
    assert reminders.unread_count(signed_in) == 1
    reminders.reminder_mark_all_read(user=signed_in)
    assert reminders.unread_count(signed_in) == 0


def test_a_backlog_of_unread_reminders_shows_as_99_plus(client, le_lead, monkeypatch):
    monkeypatch.setattr(reminders, "UNREAD_COUNTED_UP_TO", 3)
    monkeypatch.setattr("notifications.context_processors.UNREAD_COUNTED_UP_TO", 3)
    for _ in range(4):
        reminder_for(le_lead)
    client.force_login(le_lead)
    assert reminders.unread_count(le_lead) == 3
    assert 'aria-label="2+ unread"' in client.get(reverse("notifications:board")).content.decode()


def test_it_marks_one_reminder_read(client, le_lead):
    reminder = reminder_for(le_lead)
    client.force_login(le_lead)
    client.post(reverse("reminders:mark_read", args=[reminder.pk]))
    reminder.refresh_from_db()
    assert reminder.read_at is not None


def test_it_marks_all_read(client, le_lead):
    reminder_for(le_lead)
    reminder_for(le_lead)
    client.force_login(le_lead)
    client.post(reverse("reminders:mark_all_read"))
    assert reminders.unread_count(le_lead) == 0


def test_another_persons_reminder_is_not_found(client, le_lead, program_manager):
    theirs = reminder_for(program_manager)
    client.force_login(le_lead)
    response = client.post(reverse("reminders:mark_read", args=[theirs.pk]))
    theirs.refresh_from_db()
    assert response.status_code == 404
    assert theirs.read_at is None


def test_marking_read_needs_a_post(client, le_lead):
    reminder = reminder_for(le_lead)
    client.force_login(le_lead)
    assert client.get(reverse("reminders:mark_read", args=[reminder.pk])).status_code == 405


@pytest.mark.usefixtures("eager")
def test_a_lead_asks_for_the_daily_digest_and_later_reminders_wait_for_it(
    client, le_lead, mailoutbox, django_capture_on_commit_callbacks
):
    client.force_login(le_lead)
    client.post(reverse("reminders:set_digest"), {"digest": "on"})
    cn("after_action", le_lead=le_lead)
    with django_capture_on_commit_callbacks(execute=True):
        reminders.reminders_sweep(now=T0 + dt.timedelta(days=3))
    assert ReminderPreference.objects.get(user=le_lead).digest is True
    assert Reminder.objects.filter(recipient=le_lead, kind="step").get().mode == "digest"
    assert mailoutbox == []


def test_a_lead_turns_the_digest_off_again(client, le_lead):
    ReminderPreference.objects.create(user=le_lead, digest=True)
    client.force_login(le_lead)
    client.post(reverse("reminders:set_digest"), {})
    assert reminders.wants_digest(le_lead) is False


def test_the_admin_shows_a_failed_e_mail(admin_client, le_lead):
    reminder = reminder_for(le_lead, email_attempts=6, last_error="SMTPServerDisconnected: Connection closed")
    page = admin_client.get(reverse("admin:notifications_reminder_change", args=[reminder.pk])).content.decode()
    assert "SMTPServerDisconnected: Connection closed" in page


def test_setup_schedules_registers_the_sweep_and_the_digest_once(db):
    call_command("setup_schedules")
    call_command("setup_schedules")
    tasks = sorted(PeriodicTask.objects.filter(name__startswith="Reminders:").values_list("task", flat=True))
    assert tasks == ["notifications.tasks.reminders_digest_task", "notifications.tasks.reminders_sweep_task"]
    assert set(tasks) <= set(app.tasks)


def test_setup_schedules_keeps_what_an_administrator_changed(db):
    call_command("setup_schedules")
    PeriodicTask.objects.filter(task="notifications.tasks.reminders_sweep_task").update(enabled=False)
    call_command("setup_schedules")
    assert PeriodicTask.objects.get(task="notifications.tasks.reminders_sweep_task").enabled is False


@pytest.mark.usefixtures("eager")
def test_on_the_demo_data_the_le_lead_sees_the_overdue_after_action_after_a_sweep(
    client, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.VAR_DIR = tmp_path
    # The default letter template is data-migration content, which a transactional test's flush empties.
    import_module("notifications.migrations.0002_default_letter_template").create(django_apps, None)
    call_command("seed_demo", stdout=StringIO())
    with django_capture_on_commit_callbacks(execute=True):
        reminders.reminders_sweep()
    client.force_login(User.objects.get(username="lead"))
    page = client.get(reverse("reminders:inbox")).content.decode()
    assert "(After-action recorded): the LE Lead&#x27;s confirmation of the after-action was due" in page
