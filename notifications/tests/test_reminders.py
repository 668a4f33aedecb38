"""Reminders: every step has a due time; overdue work reminds the LE Lead once, and escalates at twice.

The clock is moved by passing `now=` to the sweep: nothing here sleeps.
"""

from __future__ import annotations

import datetime as dt
import smtplib

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone

from candidates.models import Candidate, GVISMeeting
from notifications import reminders
from notifications.models import Check, Delivery
from notifications.reminders.models import Reminder, ReminderPreference, StepDueTime
from notifications.tasks import reminders_digest_task, send_reminder_email_task
from vip import roles
from vip.testing import make_user

T0 = timezone.now().replace(microsecond=0)
MINUTE = dt.timedelta(minutes=1)


@pytest.fixture(autouse=True)
def role_groups(db):
    """The role groups come from a data migration, which a transactional test's flush empties: put them back."""
    for role in roles.ALL_ROLES:
        Group.objects.get_or_create(name=role)


@pytest.fixture
def eager():
    """Logic tests run the e-mail task in-process; the real worker round trip is in test_reminders_worker."""
    from vip.celery import app

    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = False


@pytest.fixture
def sweep(eager, django_capture_on_commit_callbacks):
    """Run the sweep at a moved clock, then what it scheduled after commit (its e-mails)."""

    def run(at: dt.datetime) -> dict[str, int]:
        with django_capture_on_commit_callbacks(execute=True):
            return reminders.reminders_sweep(now=at)

    return run


@pytest.fixture
def recent_gvis(db):
    """A GVIS meeting dated past every moved clock, so the weekly review reminder stays out of the CN tests."""
    return GVISMeeting.objects.create(held_on=timezone.localdate(T0) + dt.timedelta(days=30))


def cn(state: str, entered: dt.datetime = T0, le_lead=None) -> Delivery:
    candidate = Candidate.objects.create(first_name="Test", last_name="Person", date_of_birth=dt.date(2000, 1, 1))
    return Delivery.objects.create(candidate=candidate, state=state, state_entered_at=entered, le_lead=le_lead)


DUE = [
    ("identified", dt.timedelta(days=2)),
    ("eligible", dt.timedelta(days=2)),
    ("in_preparation", dt.timedelta(days=7)),
    ("ready", dt.timedelta(days=7)),
    ("ecc_advised", dt.timedelta(days=7)),
    ("delivered", dt.timedelta(hours=24)),
    ("delivered_to_influencer", dt.timedelta(hours=24)),
    ("refused", dt.timedelta(hours=24)),
    ("not_located", dt.timedelta(hours=24)),
    ("after_action", dt.timedelta(days=2)),
]


def step_reminders(delivery, step=None):
    found = Reminder.objects.filter(delivery=delivery)
    return found.filter(step=step) if step else found


@pytest.mark.parametrize(("state", "due"), DUE)
def test_it_does_not_remind_before_the_step_is_due(sweep, recent_gvis, le_lead, state, due):
    delivery = cn(state, le_lead=le_lead)
    sweep(T0 + due - MINUTE)
    assert not step_reminders(delivery, state).exists()


@pytest.mark.parametrize(("state", "due"), DUE)
def test_it_reminds_the_cns_le_lead_once_the_step_is_overdue(sweep, recent_gvis, le_lead, state, due):
    delivery = cn(state, le_lead=le_lead)
    sweep(T0 + due + MINUTE)
    reminder = step_reminders(delivery, state).get()
    assert (reminder.recipient, reminder.level) == (le_lead, "remind")


def test_it_reminds_of_the_threat_assessment_and_background_check_after_five_days(sweep, recent_gvis, le_lead):
    delivery = cn("in_preparation", le_lead=le_lead)
    sweep(T0 + dt.timedelta(days=5) + MINUTE)
    assert step_reminders(delivery, "in_preparation.checks").count() == 1


def test_it_does_not_remind_of_checks_already_recorded(sweep, recent_gvis, le_lead):
    delivery = cn("in_preparation", le_lead=le_lead)
    for kind in Check.Kind.values:
        Check.objects.create(
            delivery=delivery, kind=kind, completed_on=dt.date(2026, 1, 1), completed_by=le_lead, result="no_concerns"
        )
    sweep(T0 + dt.timedelta(days=5) + MINUTE)
    assert not step_reminders(delivery, "in_preparation.checks").exists()


def test_an_administrator_changes_a_due_time_without_a_deploy(sweep, recent_gvis, le_lead):
    StepDueTime.objects.create(state="after_action", due_hours=1)
    delivery = cn("after_action", le_lead=le_lead)
    sweep(T0 + dt.timedelta(hours=1) + MINUTE)
    assert step_reminders(delivery).count() == 1


def test_it_reminds_every_le_lead_when_the_cn_has_none(sweep, recent_gvis, le_lead):
    second_lead = make_user("lead2", roles.LE_LEAD)
    delivery = cn("after_action", le_lead=None)
    sweep(T0 + dt.timedelta(days=3))
    assert set(step_reminders(delivery).values_list("recipient__username", flat=True)) == {"lead", second_lead.username}


def test_it_e_mails_the_reminder_after_commit(sweep, recent_gvis, le_lead, mailoutbox):
    delivery = cn("delivered", le_lead=le_lead)
    sweep(T0 + dt.timedelta(hours=25))
    assert [m.to for m in mailoutbox] == [[le_lead.email]]
    assert f"CN #{delivery.pk}" in mailoutbox[0].subject
    assert step_reminders(delivery).get().email_sent_at is not None


def test_running_the_sweep_twice_sends_each_reminder_once(sweep, recent_gvis, le_lead, mailoutbox):
    delivery = cn("delivered", le_lead=le_lead)
    first = sweep(T0 + dt.timedelta(hours=25))
    second = sweep(T0 + dt.timedelta(hours=26))
    assert (first["remind"], second["remind"]) == (1, 0)
    assert step_reminders(delivery).count() == 1
    assert len(mailoutbox) == 1


# --- escalation ----------------------------------------------------------------------------------------


def test_it_escalates_to_the_program_manager_past_twice_the_due_time(sweep, recent_gvis, le_lead, program_manager):
    delivery = cn("delivered", le_lead=le_lead)
    sweep(T0 + dt.timedelta(hours=25))
    sweep(T0 + dt.timedelta(hours=48) + MINUTE)
    escalation = step_reminders(delivery).get(level="escalate")
    assert escalation.recipient == program_manager
    assert step_reminders(delivery).count() == 2


def test_it_does_not_escalate_before_twice_the_due_time(sweep, recent_gvis, le_lead, program_manager):
    delivery = cn("delivered", le_lead=le_lead)
    sweep(T0 + dt.timedelta(hours=48) - MINUTE)
    assert not step_reminders(delivery).filter(level="escalate").exists()


def test_escalation_is_sent_once(sweep, recent_gvis, le_lead, program_manager, mailoutbox):
    delivery = cn("after_action", le_lead=le_lead)
    sweep(T0 + dt.timedelta(days=5))
    sweep(T0 + dt.timedelta(days=6))
    assert step_reminders(delivery).filter(level="escalate").count() == 1
    assert len(mailoutbox) == 2  # the LE Lead's reminder and the Program Manager's escalation


# --- a CN that moved on --------------------------------------------------------------------------------


def test_a_cn_that_moved_on_is_not_reminded_of_the_old_step(sweep, recent_gvis, le_lead):
    delivery = cn("delivered", le_lead=le_lead)
    Delivery.objects.filter(pk=delivery.pk).update(state="after_action", state_entered_at=T0 + dt.timedelta(hours=2))
    sweep(T0 + dt.timedelta(hours=25))
    assert not step_reminders(delivery).exists()


def test_a_reminder_whose_cn_moved_on_before_sending_is_not_e_mailed(eager, recent_gvis, le_lead, mailoutbox):
    delivery = cn("delivered", le_lead=le_lead)
    reminders.reminders_sweep(now=T0 + dt.timedelta(hours=25))  # on_commit never runs here: nothing sent yet
    Delivery.objects.filter(pk=delivery.pk).update(state="after_action", state_entered_at=timezone.now())
    reminder = step_reminders(delivery).get()
    send_reminder_email_task.apply(args=[reminder.pk])
    reminder.refresh_from_db()
    assert mailoutbox == []
    assert reminder.email_skipped == "The CN moved on before the e-mail was sent."


def test_a_retried_delivery_back_in_ready_is_a_new_visit_reminded_again(sweep, recent_gvis, le_lead):
    delivery = cn("ready", le_lead=le_lead)
    sweep(T0 + dt.timedelta(days=8))
    Delivery.objects.filter(pk=delivery.pk).update(state_entered_at=T0 + dt.timedelta(days=9), attempt=2)
    sweep(T0 + dt.timedelta(days=17))
    assert list(step_reminders(delivery).values_list("attempt", flat=True).order_by("attempt")) == [1, 2]


# --- the weekly shooting review (GVIS) -----------------------------------------------------------------


def test_it_reminds_the_le_lead_when_no_gvis_meeting_was_held_in_the_last_seven_days(sweep, le_lead):
    GVISMeeting.objects.create(held_on=timezone.localdate(T0) - dt.timedelta(days=7))
    sweep(T0)
    assert Reminder.objects.get(kind="gvis").recipient == le_lead


def test_it_does_not_remind_of_gvis_after_a_meeting_this_week(sweep, le_lead):
    GVISMeeting.objects.create(held_on=timezone.localdate(T0) - dt.timedelta(days=6))
    sweep(T0)
    assert not Reminder.objects.filter(kind="gvis").exists()


def test_gvis_is_reminded_once_per_iso_week(sweep, le_lead):
    GVISMeeting.objects.create(held_on=timezone.localdate(T0) - dt.timedelta(days=30))
    sweep(T0)
    sweep(T0 + dt.timedelta(minutes=5))
    sweep(T0 + dt.timedelta(days=7))
    assert Reminder.objects.filter(kind="gvis", level="remind").count() == 2


# --- the daily digest ----------------------------------------------------------------------------------


def test_a_lead_who_asked_for_the_digest_gets_one_e_mail_for_the_day(sweep, recent_gvis, le_lead, mailoutbox):
    ReminderPreference.objects.create(user=le_lead, digest=True)
    cn("delivered", le_lead=le_lead)
    cn("after_action", le_lead=le_lead)
    sweep(T0 + dt.timedelta(days=3))
    assert mailoutbox == []  # no single e-mails
    reminders_digest_task.apply()
    assert len(mailoutbox) == 1
    assert mailoutbox[0].body.count("CN #") == 2


def test_the_digest_sends_each_item_once(sweep, recent_gvis, le_lead, mailoutbox):
    ReminderPreference.objects.create(user=le_lead, digest=True)
    cn("delivered", le_lead=le_lead)
    sweep(T0 + dt.timedelta(days=2))
    reminders.reminders_digest()
    assert reminders.reminders_digest() == {"digests": 0, "items": 0}
    assert len(mailoutbox) == 1


# --- failed e-mail -------------------------------------------------------------------------------------


def _overdue_reminder(le_lead) -> Reminder:
    delivery = cn("delivered", le_lead=le_lead)
    reminders.reminders_sweep(now=T0 + dt.timedelta(hours=25))  # on_commit not run: the e-mail is ours to send
    return step_reminders(delivery).get()


def test_a_failed_e_mail_is_retried_and_recorded(eager, recent_gvis, le_lead, mailoutbox, monkeypatch):
    reminder = _overdue_reminder(le_lead)
    real_send, calls = reminders.send_mail, []

    def flaky(*args, **kwargs):
        calls.append(1)
        if len(calls) == 1:
            raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")
        return real_send(*args, **kwargs)

    monkeypatch.setattr(reminders, "send_mail", flaky)
    send_reminder_email_task.apply(args=[reminder.pk])
    reminder.refresh_from_db()
    assert (reminder.email_attempts, len(mailoutbox)) == (2, 1)
    assert reminder.last_error == "SMTPServerDisconnected: Connection unexpectedly closed"


def test_an_e_mail_that_keeps_failing_stops_after_the_retries_and_shows_why(eager, recent_gvis, le_lead, monkeypatch):
    reminder = _overdue_reminder(le_lead)

    def down(*args, **kwargs):
        raise ConnectionRefusedError(111, "Connection refused")

    monkeypatch.setattr(reminders, "send_mail", down)
    result = send_reminder_email_task.apply(args=[reminder.pk])
    reminder.refresh_from_db()
    assert result.failed()
    assert (reminder.email_attempts, reminder.email_sent_at) == (reminders.EMAIL_MAX_RETRIES + 1, None)
    assert "Connection refused" in reminder.last_error


def test_a_sweep_requeues_an_e_mail_a_dead_worker_left_unsent(sweep, recent_gvis, le_lead, mailoutbox):
    reminder = _overdue_reminder(le_lead)
    Reminder.objects.filter(pk=reminder.pk).update(created_at=timezone.now() - dt.timedelta(minutes=20))
    counts = sweep(T0 + dt.timedelta(hours=26))
    assert counts["emails_requeued"] == 1
    assert len(mailoutbox) == 1


def test_an_e_mail_task_run_twice_sends_once(eager, recent_gvis, le_lead, mailoutbox):
    reminder = _overdue_reminder(le_lead)
    send_reminder_email_task.apply(args=[reminder.pk])
    send_reminder_email_task.apply(args=[reminder.pk])
    assert len(mailoutbox) == 1


def test_a_sweep_that_dies_midway_is_finished_by_the_next_without_sending_twice(
    sweep, recent_gvis, le_lead, mailoutbox, monkeypatch
):
    for _ in range(5):
        cn("delivered", le_lead=le_lead)
    monkeypatch.setattr(reminders, "CHUNK_SIZE", 2)
    real_claim, calls = reminders._claim_chunk, []

    def dies_on_the_second_chunk(cns, step, *args):
        calls.append(step.code)
        if calls.count("delivered") == 2:
            raise SystemExit("worker lost")
        return real_claim(cns, step, *args)

    monkeypatch.setattr(reminders, "_claim_chunk", dies_on_the_second_chunk)
    with pytest.raises(SystemExit):
        sweep(T0 + dt.timedelta(hours=25))
    assert Reminder.objects.filter(kind="step").count() == 2  # the first chunk's claims were committed
    monkeypatch.setattr(reminders, "_claim_chunk", real_claim)
    sweep(T0 + dt.timedelta(hours=25))  # the redelivered task (acks late) runs again
    assert Reminder.objects.filter(kind="step").count() == 5
    assert len(mailoutbox) == 5
