"""A small, hand-countable program for the reports tests: people, CNs in given states, encounters, outcomes."""

from __future__ import annotations

import datetime as dt
from contextlib import contextmanager
from unittest import mock

from django.utils import timezone

from candidates.models import Address, Candidate, OutcomeEvent, ServiceOffer
from notifications.models import Delivery, Encounter, TeamMember
from vip.audit import audit


def at_noon(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(12, 0), tzinfo=timezone.get_current_timezone())


def person(first: str, last: str, born: dt.date, *, sealed: bool = False, address: str = "") -> Candidate:
    candidate = Candidate.objects.create(
        first_name=first, last_name=last, date_of_birth=born, sealed_at=timezone.now() if sealed else None
    )
    if address:
        Address.objects.create(candidate=candidate, line1=address)
    return candidate


def cn(candidate, state: str, *, outcome: str = "", on: dt.date | None = None, team=(), **fields) -> Delivery:
    """A CN created straight in `state` (FSMField allows it at creation), with its encounter and team."""
    delivery = Delivery.objects.create(candidate=candidate, state=state, **fields)
    if outcome:
        Encounter.objects.create(delivery=delivery, outcome=outcome, occurred_at=at_noon(on))
    for user, role in team:
        TeamMember.objects.create(delivery=delivery, user=user, role=role)
    return delivery


def arrest(candidate, on: dt.date, category: str = "other_violence", ref: str = "RMS-1") -> OutcomeEvent:
    return OutcomeEvent.objects.create(
        candidate=candidate, kind="arrest", category=category, occurred_on=on, source_reference=ref
    )


def shot_again(candidate, on: dt.date) -> OutcomeEvent:
    return OutcomeEvent.objects.create(
        candidate=candidate, kind="revictimization", occurred_on=on, source_reference="CAD-2026-0001"
    )


def offer(candidate, service_type: str, status: str, on: dt.date, **fields) -> ServiceOffer:
    return ServiceOffer.objects.create(
        candidate=candidate, service_type=service_type, status=status, offered_on=on, **fields
    )


OFFICER, LEAD = TeamMember.Role.OFFICER, TeamMember.Role.LE_LEAD
DELIVERED, TO_INFLUENCER, REFUSED = "delivered", "delivered_to_influencer", "refused"


def small_program(le_lead, officer, second_officer):
    """The data set the figures tests count by hand, period 2026-01-01 to 2026-06-30:

    - Ana (25 at contact): CN closed, delivered 10 Feb by the LE Lead (command level); arrest 1 May (80 days).
    - Ben (16, juvenile): CN after-action, delivered 5 Mar by an officer; arrest the same day (not after the
      contact); shot again 10 Apr.
    - Cal (36): CN delivered to an influencer 20 Apr by a command-level officer; arrest 25 Apr (5 days).
    - Dee (22): CN refused 5 May; shot again 10 May (never contacted).
    - Eve (25): delivered 20 Dec 2025, before the period.
    - Sam: sealed; delivered 1 Feb: never counted.
    - Fay: a CN waiting with the ECC advised, no encounter.
    Services: Ana job training accepted, Ben food box completed, Cal shelter declined, Eve mental health
    (before the period), Sam shelter accepted (sealed).
    """
    d = dt.date
    ana = person("Anabel", "Quillfeather", d(2000, 3, 1), address="12 Zephyr Row SW")
    ben = person("Benedikt", "Marrowind", d(2009, 6, 1))
    cal = person("Callisto", "Vantreight", d(1990, 1, 1))
    dee = person("Delphine", "Oakhurst", d(2004, 1, 1))
    eve = person("Evander", "Pilkwick", d(2001, 1, 1))
    sam = person("Samwise", "Sealedperson", d(1999, 1, 1), sealed=True)
    fay = person("Fayette", "Nimblecourt", d(1995, 1, 1))
    people = dict(ana=ana, ben=ben, cal=cal, dee=dee, eve=eve, sam=sam, fay=fay)
    cns = dict(
        ana=cn(ana, "closed", outcome=DELIVERED, on=d(2026, 2, 10), team=[(le_lead, LEAD)]),
        ben=cn(ben, "after_action", outcome=DELIVERED, on=d(2026, 3, 5), team=[(officer, OFFICER)]),
        cal=cn(cal, TO_INFLUENCER, outcome=TO_INFLUENCER, on=d(2026, 4, 20), team=[(second_officer, OFFICER)]),
        dee=cn(dee, REFUSED, outcome=REFUSED, on=d(2026, 5, 5), team=[(officer, OFFICER)]),
        eve=cn(eve, "closed", outcome=DELIVERED, on=d(2025, 12, 20)),
        sam=cn(sam, "closed", outcome=DELIVERED, on=d(2026, 2, 1), team=[(le_lead, LEAD)]),
        fay=cn(fay, "ecc_advised"),
    )
    arrest(ana, d(2026, 5, 1))
    arrest(ben, d(2026, 3, 5))
    arrest(cal, d(2026, 4, 25), category="gun_violence")
    shot_again(ben, d(2026, 4, 10))
    shot_again(dee, d(2026, 5, 10))
    offer(ana, "job_training", "accepted", d(2026, 2, 11))
    offer(ben, "food_box", "completed", d(2026, 3, 6))
    offer(cal, "shelter", "declined", d(2026, 4, 21))
    offer(eve, "mental_health", "offered", d(2025, 12, 21))
    offer(sam, "shelter", "accepted", d(2026, 2, 2))
    return people, cns


# --- CNs followed through their transitions (the funnel, the follow-up report) --------------------------------


@contextmanager
def on_the_day(day: dt.date):
    """Records created inside are stamped at noon on `day` (their `auto_now_add` dates and the audit rows)."""
    with mock.patch("django.utils.timezone.now", return_value=at_noon(day)):
        yield


def cn_through(candidate, identified: dt.date, *steps: tuple[str, dt.date], state: str = "", **fields) -> Delivery:
    """A CN identified on a day, then moved into each (state, day) of `steps` as the service records it: a
    transition row in the audit trail dated that day. It ends in `state` (the last step's when not given)."""
    with on_the_day(identified):
        delivery = Delivery.objects.create(
            candidate=candidate, state=state or (steps[-1][0] if steps else "identified"), **fields
        )
    before = "identified"
    for to_state, day in steps:
        with on_the_day(day):
            audit(actor=None, action="transition", obj=delivery, from_state=before, to_state=to_state)
        before = to_state
    return delivery


def encounter(delivery, outcome: str, day: dt.date, attempt: int = 1) -> Encounter:
    return Encounter.objects.create(delivery=delivery, outcome=outcome, occurred_at=at_noon(day), attempt=attempt)
