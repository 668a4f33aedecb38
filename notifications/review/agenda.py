"""The agenda of a weekly review, built from the records alone: each list reads the rule's one home."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Count, Q
from django.utils import timezone

from candidates import retention
from candidates.models import Candidate, GVISMeeting, Shooting, ShootingParticipant, add_years
from candidates.selectors import candidates_visible_to
from notifications import rules
from notifications.models import Delivery
from notifications.selectors import deliveries_visible_to

REPEAT_SHOOTINGS = 2  # named in this many shootings ...
REPEAT_WINDOW_YEARS = 1  # ... within 12 months before the meeting
OVERDUE_SHOWN = 25  # the longest late; the dashboard lists every one


def previous_meeting(meeting: GVISMeeting) -> GVISMeeting | None:
    """The meeting held before this one (by date, then by the order they were recorded)."""
    earlier = Q(held_on__lt=meeting.held_on) | Q(held_on=meeting.held_on, pk__lt=meeting.pk)
    return GVISMeeting.objects.filter(earlier).order_by("-held_on", "-pk").first()


def shootings_since_last_meeting(meeting: GVISMeeting) -> list[Shooting]:
    """The shootings from the last meeting's day to this one's that the last meeting did not review; with no
    earlier meeting, those of the review period (the weekly due time of the rulebook, SOP 2-64-3)."""
    last = previous_meeting(meeting)
    if last is None:
        since = meeting.held_on - rules.due_times()["gvis"]
        shootings = Shooting.objects.filter(occurred_on__gte=since)
    else:
        shootings = Shooting.objects.filter(occurred_on__gte=last.held_on).exclude(gvis_meetings=last)
    return list(
        shootings.filter(occurred_on__lte=meeting.held_on)
        .prefetch_related("participants__candidate")
        .order_by("occurred_on", "id")
    )


@dataclass
class RepeatPerson:
    candidate: Candidate
    shootings: list[Shooting] = field(default_factory=list)


def people_in_repeat_shootings(user, meeting: GVISMeeting) -> list[RepeatPerson]:
    """The people the user may see named in two or more shootings in the 12 months up to the meeting's day."""
    since = add_years(meeting.held_on, -REPEAT_WINDOW_YEARS)
    in_window = ShootingParticipant.objects.filter(
        shooting__occurred_on__gte=since, shooting__occurred_on__lte=meeting.held_on
    )
    repeated = (
        in_window.filter(candidate__in=candidates_visible_to(user).unsealed())
        .values("candidate")
        .annotate(n=Count("shooting", distinct=True))
        .filter(n__gte=REPEAT_SHOOTINGS)
        .values("candidate")
    )
    people: dict[int, RepeatPerson] = {}
    rows = in_window.filter(candidate__in=repeated).select_related("candidate", "shooting")
    for row in rows.order_by("candidate__last_name", "candidate__first_name", "candidate_id", "shooting__occurred_on"):
        person = people.setdefault(row.candidate_id, RepeatPerson(row.candidate))
        if row.shooting not in person.shootings:
            person.shootings.append(row.shooting)
    return list(people.values())


def overdue_cns(user, *, now: dt.datetime | None = None) -> tuple[list[Delivery], int]:
    """The open CNs owing a step past its due time (the rulebook's overdue: what the sweep reminds of and the
    dashboard counts), the longest late first, and how many there are."""
    dues = rules.due_times()
    # Never a sealed record's CN, even for the Records Custodian who may see it: the agenda is the meeting's.
    late = deliveries_visible_to(user).filter(candidate__sealed_at__isnull=True)
    late = late.filter(rules.overdue_q(now or timezone.now(), dues))
    rows = late.annotate(due_at=rules.due_at_expression(dues)).order_by("due_at", "state_entered_at", "pk")
    return list(rows[:OVERDUE_SHOWN]), late.count()


def reviews_due(user) -> list:
    """The memberships and bases whose 5-year review is due (retention's rule), of people the user may see."""
    visible = candidates_visible_to(user)
    memberships = retention.memberships_due_for_review().filter(candidate__in=visible)
    bases = retention.bases_due_for_review().filter(candidate__in=visible)
    return sorted([*memberships, *bases], key=lambda record: (record.review_due_on, record.candidate_id))


@dataclass
class Agenda:
    shootings: list[Shooting]
    repeat_people: list[RepeatPerson]
    overdue: list[Delivery]
    overdue_total: int
    reviews: list


def agenda_for(user, meeting: GVISMeeting) -> Agenda:
    overdue, total = overdue_cns(user)
    return Agenda(
        shootings=shootings_since_last_meeting(meeting),
        repeat_people=people_in_repeat_shootings(user, meeting),
        overdue=overdue,
        overdue_total=total,
        reviews=reviews_due(user),
    )
