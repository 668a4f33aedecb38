"""A sweep's e-mails go in chunks, one task per chunk: each e-mail is still sent once, and only the failed
ones are retried, each reminder counting its own attempts (at most EMAIL_MAX_RETRIES retries)."""

from __future__ import annotations

import datetime as dt
import smtplib

import pytest

from notifications import reminders
from notifications.reminders.models import Reminder
from notifications.tasks import send_reminder_emails_task
from notifications.tests.test_reminders import T0, cn, eager, recent_gvis, role_groups  # noqa: F401 - fixtures
from vip import roles
from vip.testing import make_user

pytestmark = pytest.mark.usefixtures("eager", "recent_gvis")


@pytest.fixture
def three_unsent(le_lead) -> list[Reminder]:
    """Three reminders claimed and not e-mailed yet (the sweep's after-commit queueing never runs here):
    two to the LE Lead, one to a second LE Lead (a CN without a lead reminds every LE Lead)."""
    make_user("lead2", roles.LE_LEAD)
    cn("delivered", le_lead=le_lead)
    cn("after_action", le_lead=le_lead)
    cn("delivered", le_lead=None)
    reminders.reminders_sweep(now=T0 + dt.timedelta(days=3))
    Reminder.objects.filter(recipient=le_lead, delivery__le_lead=None).delete()
    unsent = list(Reminder.objects.order_by("recipient__username", "pk"))
    assert [r.recipient.username for r in unsent] == ["lead", "lead", "lead2"]
    assert [r.email_attempts for r in unsent] == [0, 0, 0]
    return unsent


def _failing_for(monkeypatch, address: str, times: int | None):
    """The mail server refuses `address` the first `times` times (always when None); the others go through."""
    real_send, refused = reminders.send_mail, []

    def send_mail(subject, body, sender, recipients, **kwargs):
        if address in recipients and (times is None or len(refused) < times):
            refused.append(address)
            raise smtplib.SMTPRecipientsRefused({address: (450, b"Mailbox busy")})
        return real_send(subject, body, sender, recipients, **kwargs)

    monkeypatch.setattr(reminders, "send_mail", send_mail)
    return refused


def _rows(unsent):
    return [
        (r.email_attempts, r.email_sent_at is not None, r.last_error)
        for r in Reminder.objects.filter(pk__in=[u.pk for u in unsent]).order_by("recipient__username", "pk")
    ]


def test_a_chunk_sends_every_e_mail_once(three_unsent, mailoutbox):
    result = send_reminder_emails_task.apply(args=[[r.pk for r in three_unsent]])
    assert result.get() == {"sent": 3}
    assert sorted(m.to[0] for m in mailoutbox) == ["lead2@vip.test", "lead@vip.test", "lead@vip.test"]
    assert _rows(three_unsent) == [(1, True, "")] * 3


def test_a_chunk_run_twice_sends_once(three_unsent, mailoutbox):
    ids = [r.pk for r in three_unsent]
    send_reminder_emails_task.apply(args=[ids])
    again = send_reminder_emails_task.apply(args=[ids])
    assert again.get() == {"nothing to send": 3}
    assert len(mailoutbox) == 3


def test_only_the_failed_e_mail_of_a_chunk_is_retried_and_its_attempts_recorded(three_unsent, mailoutbox, monkeypatch):
    refused = _failing_for(monkeypatch, "lead2@vip.test", times=2)
    real_send, tried = reminders.send_reminder_email, []
    monkeypatch.setattr(reminders, "send_reminder_email", lambda pk, **kw: tried.append(pk) or real_send(pk, **kw))
    first, second, failing = (r.pk for r in three_unsent)
    send_reminder_emails_task.apply(args=[[first, second, failing]])
    assert tried == [first, second, failing, failing, failing]
    assert refused == ["lead2@vip.test"] * 2
    assert len(mailoutbox) == 3  # the two others were not sent again by the retries
    busy = "SMTPRecipientsRefused: {'lead2@vip.test': (450, b'Mailbox busy')}"
    assert _rows(three_unsent) == [(1, True, ""), (1, True, ""), (3, True, busy)]


def test_an_e_mail_that_keeps_failing_stops_after_its_retries_and_the_task_fails(three_unsent, mailoutbox, monkeypatch):
    refused = _failing_for(monkeypatch, "lead2@vip.test", times=None)
    result = send_reminder_emails_task.apply(args=[[r.pk for r in three_unsent]])
    assert result.failed()
    assert len(refused) == reminders.EMAIL_MAX_RETRIES + 1
    assert [row[:2] for row in _rows(three_unsent)] == [(1, True), (1, True), (reminders.EMAIL_MAX_RETRIES + 1, False)]
    assert len(mailoutbox) == 2


def test_a_re_queued_e_mail_gets_only_the_attempts_it_has_left(three_unsent, monkeypatch):
    """A stranded e-mail re-queued by a sweep already counts its attempts: no fresh set of retries."""
    stranded = three_unsent[2]
    Reminder.objects.filter(pk=stranded.pk).update(email_attempts=reminders.EMAIL_MAX_RETRIES - 1)
    refused = _failing_for(monkeypatch, "lead2@vip.test", times=None)
    result = send_reminder_emails_task.apply(args=[[stranded.pk]])
    assert result.failed()
    assert len(refused) == 2
    stranded.refresh_from_db()
    assert stranded.email_attempts == reminders.EMAIL_MAX_RETRIES + 1


def test_a_chunk_opens_one_mail_connection_for_all_its_e_mails(three_unsent, monkeypatch):
    opened = []
    real_get_connection = reminders.get_connection

    def get_connection(*args, **kwargs):
        connection = real_get_connection(*args, **kwargs)
        opened.append(connection)
        return connection

    monkeypatch.setattr(reminders, "get_connection", get_connection)
    sent = []
    monkeypatch.setattr(reminders, "send_mail", lambda *args, connection=None, **kwargs: sent.append(connection))
    reminders.send_reminder_emails([r.pk for r in three_unsent])
    assert len(opened) == 1
    assert sent == opened * 3
