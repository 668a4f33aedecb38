"""The dashboard's overdue list and the reminder sweep read one due time (notifications/rules.py): under an
administrator's override they agree on what is overdue (issue 16)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone

from candidates.models import Candidate
from notifications import reminders
from notifications.models import Check, Delivery, Reminder, StepDueTime
from reports import figures
from vip import roles

pytestmark = pytest.mark.django_db


def test_it_lists_on_the_dashboard_what_the_sweep_reminds_under_an_admin_override(
    django_capture_on_commit_callbacks, le_lead, program_manager
):
    for role in roles.ALL_ROLES:
        Group.objects.get_or_create(name=role)
    now = timezone.now()
    candidate = Candidate.objects.create(first_name="Late", last_name="Person", date_of_birth=dt.date(2000, 1, 1))
    late = Delivery.objects.create(
        candidate=candidate, state="after_action", state_entered_at=now - dt.timedelta(hours=3), le_lead=le_lead
    )
    StepDueTime.objects.create(state="after_action", due_hours=1)
    with django_capture_on_commit_callbacks(execute=False):
        reminders.reminders_sweep(now=now)
    reminded = set(Reminder.objects.filter(kind="step").values_list("delivery_id", flat=True))
    scope = figures.scope_for(program_manager)
    assert reminded == {late.pk}
    assert [line.delivery.pk for line in figures.overdue(scope, now=now, limit=25)] == [late.pk]
    assert figures.overdue_count(scope, now=now) == 1


def test_it_counts_a_cn_missing_its_checks_as_overdue_when_the_sweep_reminds_of_them(program_manager):
    now = timezone.now()
    candidate = Candidate.objects.create(first_name="Slow", last_name="Checks", date_of_birth=dt.date(2000, 1, 1))
    Delivery.objects.create(candidate=candidate, state="in_preparation", state_entered_at=now - dt.timedelta(days=6))
    assert figures.overdue_count(figures.scope_for(program_manager), now=now) == 1


@pytest.mark.parametrize(
    ("kinds", "late"), [(("threat_assessment",), 1), (("threat_assessment", "background_check"), 0)]
)
def test_a_cn_in_preparation_is_late_for_its_checks_until_both_are_on_record(program_manager, le_lead, kinds, late):
    now = timezone.now()
    candidate = Candidate.objects.create(first_name="Half", last_name="Done", date_of_birth=dt.date(2000, 1, 1))
    cn = Delivery.objects.create(
        candidate=candidate, state="in_preparation", state_entered_at=now - dt.timedelta(days=6)
    )
    for kind in kinds:
        Check.objects.create(
            delivery=cn, kind=kind, completed_on=now.date(), completed_by=le_lead, result="no_concerns"
        )
    assert figures.overdue_count(figures.scope_for(program_manager), now=now) == late
