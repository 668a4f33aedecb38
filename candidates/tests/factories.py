"""Small builders for tests: invented people and events, dated relative to today."""

from __future__ import annotations

import datetime as dt
import itertools

from candidates import models as m
from candidates.models import add_years, today

_seq = itertools.count(1)


def born_years_ago(years: int, extra_days: int = 30) -> dt.date:
    """A date of birth making the person `years` old today (and `extra_days` past that birthday)."""
    return add_years(today(), -years) - dt.timedelta(days=extra_days)


def make_candidate(age: int = 22, first: str = "Jordan", last: str | None = None, **fields) -> m.Candidate:
    n = next(_seq)
    return m.Candidate.objects.create(
        first_name=first, last_name=last or f"Testperson{n}", date_of_birth=born_years_ago(age), **fields
    )


def make_shooting(days_ago: int = 10, **fields) -> m.Shooting:
    n = next(_seq)
    fields.setdefault("location", "Central Ave SW")
    return m.Shooting.objects.create(
        incident_number=f"T-{n:05d}", occurred_on=today() - dt.timedelta(days=days_ago), **fields
    )


def make_meeting(days_ago: int = 3) -> m.GVISMeeting:
    return m.GVISMeeting.objects.create(held_on=today() - dt.timedelta(days=days_ago), partners_present="APD")


def make_group(name: str | None = None) -> m.Group:
    return m.Group.objects.create(name=name or f"Group {next(_seq)}")


def make_referral(candidate, source: str = "department") -> m.Referral:
    return m.Referral.objects.create(
        candidate=candidate, source=source, referred_by="Det. Ruiz", referred_on=today(), reason="Retaliation risk"
    )


def make_delivery(candidate, *, team=(), state: str = "identified", le_lead=None):
    """A CN for the candidate with the given users on its team (the way officers come to see a person)."""
    from notifications.models import Delivery, TeamMember

    delivery = Delivery.objects.create(candidate=candidate, state=state, le_lead=le_lead)
    for user, role in team:
        TeamMember.objects.create(delivery=delivery, user=user, role=role)
    return delivery
