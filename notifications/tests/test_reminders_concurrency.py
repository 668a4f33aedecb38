"""Two sweeps at once on PostgreSQL: the database's uniqueness rule lets each reminder be sent once."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.db import connection

from notifications import reminders
from notifications.models import Reminder
from notifications.tests.test_reminders import T0, cn, eager, recent_gvis, role_groups  # noqa: F401 - fixtures

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("eager", "recent_gvis"),
]


def _two_sweeps_racing(at: dt.datetime, monkeypatch) -> list[dict[str, int]]:
    """Both sweeps scan before either inserts, so every insert races the other sweep's for the same key."""
    both_scanned = threading.Barrier(2, timeout=30)
    real_claim, waited = reminders._claim, threading.local()

    def claim_after_both_scanned(batch):
        if not getattr(waited, "done", False):
            waited.done = True
            both_scanned.wait()
        return real_claim(batch)

    monkeypatch.setattr(reminders, "_claim", claim_after_both_scanned)
    results, errors = [], []

    def sweep():
        try:
            results.append(reminders.reminders_sweep(now=at))
        except Exception as exc:  # surfaced by the assert below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=sweep) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == []
    return results


def test_two_sweeps_at_once_send_each_reminder_once(le_lead, program_manager, mailoutbox, monkeypatch):
    deliveries = [cn("delivered", le_lead=le_lead) for _ in range(25)]
    results = _two_sweeps_racing(T0 + dt.timedelta(days=3), monkeypatch)
    assert sorted(r["remind"] for r in results) == [0, 25]  # one sweep won every claim, the other none
    assert Reminder.objects.filter(delivery__in=deliveries).count() == 50  # a reminder and an escalation each
    assert len(mailoutbox) == 50


def test_a_sweep_after_a_racing_pair_sends_nothing_more(le_lead, mailoutbox, monkeypatch):
    cn("after_action", le_lead=le_lead)
    _two_sweeps_racing(T0 + dt.timedelta(days=3), monkeypatch)
    monkeypatch.undo()
    again = reminders.reminders_sweep(now=T0 + dt.timedelta(days=3, hours=1))
    assert (again["remind"], len(mailoutbox)) == (0, 1)
