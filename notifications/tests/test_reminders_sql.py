"""A batch of reminders is claimed in one hand-written statement: who is reminded, at which level, with
which message."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.utils import timezone

from notifications import reminders, rules
from notifications.models import Check
from notifications.reminders.models import Reminder, ReminderPreference
from notifications.tests.test_reminders import T0, cn, recent_gvis, role_groups  # noqa: F401 - fixtures
from vip import roles
from vip.testing import make_user

pytestmark = pytest.mark.usefixtures("recent_gvis")

COLUMNS = [
    "kind",
    "delivery_id",
    "step",
    "state",
    "state_entered_at",
    "attempt",
    "period",
    "recipient_id",
    "level",
    "due_at",
    "message",
    "mode",
    "read_at",
    "email_sent_at",
    "email_attempts",
    "last_attempt_at",
    "last_error",
    "email_skipped",
]  # fmt: skip - every column but the id, the claim token and the creation time


def _sweep(at: dt.datetime) -> set[tuple]:
    """The reminders one sweep makes (the test's transaction never commits: no e-mail is queued)."""
    before = set(Reminder.objects.values_list("pk", flat=True))
    reminders.reminders_sweep(now=at)
    return set(Reminder.objects.exclude(pk__in=before).values_list(*COLUMNS))


def test_the_claim_reminds_each_lead_and_escalates_to_each_manager_once(le_lead, program_manager):
    second_lead = make_user("lead2", roles.LE_LEAD)
    ReminderPreference.objects.create(user=second_lead, digest=True)
    gone = make_user("gone", roles.LE_LEAD)
    gone.is_active = False
    gone.save()
    day = dt.timedelta(days=1)
    cn("identified", entered=T0 - 5 * day, le_lead=le_lead)  # reminded and escalated
    cn("identified", entered=T0 - 3 * day, le_lead=None)  # every active LE Lead; one of them takes the digest
    cn("eligible", entered=T0 - 3 * day, le_lead=gone)  # an inactive lead: every active LE Lead
    checks_done = cn("in_preparation", entered=T0 - 11 * day, le_lead=le_lead)
    for kind in Check.Kind.values:
        Check.objects.create(
            delivery=checks_done, kind=kind, completed_on=dt.date(2026, 1, 1), completed_by=le_lead, result="x"
        )
    cn("in_preparation", entered=T0 - 11 * day, le_lead=le_lead)  # checks missing: a second step
    reminded_once = cn("ready", entered=T0 - 15 * day, le_lead=le_lead)
    cn("delivered", entered=T0 - 3 * day, le_lead=le_lead)
    at = T0
    # An earlier sweep reminded one CN; this one only escalates it.
    Reminder.objects.create(
        delivery=reminded_once, step="ready", state="ready", state_entered_at=reminded_once.state_entered_at,
        recipient=le_lead, due_at=at, message="earlier", claim="00000000-0000-0000-0000-000000000000",
    )  # fmt: skip

    in_sql = _sweep(at)
    levels = sorted((step, level) for _k, _d, step, _s, _e, _a, _p, _r, level, *_rest in in_sql)
    assert levels == sorted(
        [("identified", "remind"), ("identified", "escalate")]  # the lead's CN, past twice its due time
        + [("identified", "remind")] * 2  # no lead: both active LE Leads
        + [("eligible", "remind")] * 2  # an inactive lead: both active LE Leads
        + [("in_preparation", "remind")] * 2  # both CNs: the approval (7 days; escalated at 14)
        + [("in_preparation.checks", "remind"), ("in_preparation.checks", "escalate")]  # the one missing them
        + [("ready", "escalate")]  # reminded already
        + [("delivered", "remind"), ("delivered", "escalate")]
    )
    assert {mode for *_cols, mode, _r, _s, _a, _l, _e, _k in in_sql} == {"single", "digest"}


def test_a_reminder_says_which_cn_what_is_due_and_when_in_local_time(le_lead, program_manager):
    # Due on the morning daylight saving time starts in Denver (09:00 UTC): 10:00 UTC is 04:00 MDT.
    entered = dt.datetime(2026, 3, 6, 10, 0, tzinfo=dt.UTC)
    delivery = cn("identified", entered=entered, le_lead=le_lead)
    made = _sweep(entered + dt.timedelta(days=5))
    messages = sorted(row[COLUMNS.index("message")] for row in made)
    assert messages == [
        f"CN #{delivery.pk} (Identified): the eligibility determination was due Mar 08, 2026 04:00.",
        f"Escalation: CN #{delivery.pk} (Identified): the eligibility determination was due Mar 08, 2026 04:00"
        " and is past twice its time.",
    ]
    due_at = {row[COLUMNS.index("due_at")] for row in made}
    assert due_at == {entered + dt.timedelta(days=2)}
    assert timezone.localtime(entered + dt.timedelta(days=2)).strftime("%H:%M") == "04:00"


def test_a_batch_boundary_between_cns_entered_at_the_same_instant_skips_none(le_lead, monkeypatch):
    """The batches are paged by (state_entered_at, id): CNs sharing an instant are split, none lost or doubled."""
    monkeypatch.setattr(reminders, "CHUNK_SIZE", 2)
    deliveries = {cn("delivered", entered=T0, le_lead=le_lead).pk for _ in range(5)}
    made = _sweep(T0 + dt.timedelta(hours=25))
    assert sorted(row[COLUMNS.index("delivery_id")] for row in made) == sorted(deliveries)


@pytest.mark.parametrize("after", [None, (T0 - dt.timedelta(days=30), 1)], ids=["first batch", "a later batch"])
def test_a_batch_reads_the_late_cns_of_a_step_in_order_from_one_index(after):
    """At scale the sweep pages each step's late CNs by key, 5,000 at a time: each batch must read only its own CNs,
    in order, from the index `delivery_state_visit`. Read from (state, state_entered_at) and sorted, every batch
    read and sorted every CN of the state (45 s for the first sweep at 1.2 M CNs). The table's few rows here
    would be read whole, so the plan is asked for as a large table gets it: without whole-table or bitmap scans."""
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_bitmapscan = off")
    for step, due in rules.due_steps():
        plan = reminders._step_cns(step, due, T0, after).explain()
        assert "delivery_state_visit" in plan, (step.code, plan)
        assert "Sort" not in plan, (step.code, plan)
