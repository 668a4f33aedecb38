"""Two sweeps at once on PostgreSQL: the database's uniqueness rule lets each reminder be sent once."""

from __future__ import annotations

import datetime as dt
import threading
import time

import pytest
from django.db import connection

from notifications import reminders
from notifications.reminders.models import Reminder
from notifications.tests.test_reminders import T0, cn, eager, recent_gvis, role_groups  # noqa: F401 - fixtures

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("eager", "recent_gvis"),
]


def _wait_for_a_blocked_insert(timeout: float = 30.0) -> None:
    """Until another connection waits for this one: the second sweep's insert, held by our uncommitted rows."""
    deadline = time.monotonic() + timeout
    with connection.cursor() as cursor:
        while time.monotonic() < deadline:
            # Live lock data (pg_stat_activity would show this transaction's first snapshot).
            cursor.execute(
                "SELECT count(*) FROM pg_locks WHERE NOT granted AND pg_backend_pid() = ANY(pg_blocking_pids(pid))"
            )
            if cursor.fetchone()[0]:
                return
            time.sleep(0.05)
    raise AssertionError("the second sweep never waited on the first one's rows")


def _two_sweeps_racing(at: dt.datetime, step: str, monkeypatch) -> dict[str, dict[str, int]]:
    """The worst interleaving, every time: the first sweep inserts `step`'s reminders and, before it commits,
    the second one picks the same CNs (it cannot see those rows yet) and inserts the same keys, so each of
    its inserts meets the first sweep's uncommitted row and waits for its commit."""
    first_inserted = threading.Event()
    real_claim = reminders._claim_chunk

    def claim(cns, claimed_step, *args):
        me = threading.current_thread().name
        if claimed_step.code == step and me == "second":
            assert first_inserted.wait(30)
        result = real_claim(cns, claimed_step, *args)
        if claimed_step.code == step and me == "first":
            first_inserted.set()
            _wait_for_a_blocked_insert()  # then commit (the caller's transaction)
        return result

    monkeypatch.setattr(reminders, "_claim_chunk", claim)
    # Each sweep on its own thread, its steps one after the other, so the steps of "first" and "second" are
    # told apart by the thread's name (a sweep's own threads: test_a_sweep_claims_its_steps_two_at_a_time).
    monkeypatch.setattr(reminders, "SWEEP_CONNECTIONS", 1)
    results, errors = {}, []

    def sweep():
        try:
            results[threading.current_thread().name] = reminders.reminders_sweep(now=at)
        except Exception as exc:  # surfaced by the assert below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=sweep, name=name) for name in ("first", "second")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == []
    return results


def test_two_sweeps_at_once_send_each_reminder_once(le_lead, program_manager, mailoutbox, monkeypatch):
    deliveries = [cn("delivered", le_lead=le_lead) for _ in range(25)]
    results = _two_sweeps_racing(T0 + dt.timedelta(days=3), "delivered", monkeypatch)
    assert (results["first"]["remind"], results["second"]["remind"]) == (25, 0)  # the second won no claim
    assert (results["first"]["escalate"], results["second"]["escalate"]) == (25, 0)
    assert Reminder.objects.filter(delivery__in=deliveries).count() == 50  # a reminder and an escalation each
    assert len(mailoutbox) == 50


def test_a_sweep_after_a_racing_pair_sends_nothing_more(le_lead, mailoutbox, monkeypatch):
    cn("after_action", le_lead=le_lead)
    _two_sweeps_racing(T0 + dt.timedelta(days=3), "after_action", monkeypatch)
    monkeypatch.undo()
    again = reminders.reminders_sweep(now=T0 + dt.timedelta(days=3, hours=1))
    assert (again["remind"], len(mailoutbox)) == (0, 1)


def test_a_sweep_claims_its_steps_two_at_a_time_and_each_reminder_once(le_lead, mailoutbox, monkeypatch):
    """Outside a transaction a PostgreSQL sweep claims two steps at once, each on a connection of its own:
    the same reminders as one step after the other, and a second sweep finds nothing left to claim."""
    for state in ("delivered", "after_action", "identified", "eligible"):
        for _ in range(3):
            cn(state, le_lead=le_lead)
    threads, real_claim = set(), reminders._claim_chunk

    def claim(*args):
        threads.add(threading.current_thread().name)
        return real_claim(*args)

    monkeypatch.setattr(reminders, "_claim_chunk", claim)
    first = reminders.reminders_sweep(now=T0 + dt.timedelta(days=3))
    assert len({name for name in threads if name.startswith("reminders-sweep")}) == 2
    assert first["remind"] == 12 and Reminder.objects.filter(level="remind").count() == 12
    again = reminders.reminders_sweep(now=T0 + dt.timedelta(days=3, minutes=5))
    assert (again["remind"], again["escalate"]) == (0, 0)
