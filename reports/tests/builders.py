"""A small, hand-countable program for the reports tests: people, CNs in given states, encounters, outcomes."""

from __future__ import annotations

import datetime as dt
from contextlib import contextmanager
from unittest import mock

from django.utils import timezone

from candidates.aftercare.models import Consent, PartnerReferral
from candidates.models import Address, Candidate, OutcomeEvent, PartnerOrganization, ServiceOffer
from notifications.models import Delivery, Encounter, JPOCheck, TeamMember
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


def referred(candidate, on: dt.date, result: str = "pending", result_on: dt.date | None = None, area="housing"):
    """A referral to a partner (under the person's consent to share with it) made on a day, with its result."""
    partner, _ = PartnerOrganization.objects.get_or_create(name="Casa Esperanza")
    consent, _ = Consent.objects.get_or_create(
        candidate=candidate,
        partner=partner,
        purpose=Consent.Purpose.REFERRAL,
        defaults={"decision": "given", "decided_on": on, "method": "signed"},
    )
    return PartnerReferral.objects.create(
        candidate=candidate,
        partner=partner,
        consent=consent,
        area=area,
        referred_on=on,
        follow_up_due=on + dt.timedelta(days=14),
        result=result,
        result_on=result_on,
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


def _adult(name: str, *, sealed: bool = False):
    return person(name, "Funnelperson", dt.date(1998, 1, 1), sealed=sealed)


def funnel_program():
    """Eight CNs identified in the period, one before it, one sealed:

    - Ana: identified 5 Jan, eligible 7 Jan, ready 12 Jan, delivered to her 15 Jan; accepted job training 20 Jan.
    - Ben: identified 10 Jan, eligible 11 Jan, ready 20 Jan, delivered to an influencer 30 Jan; accepted a
      food box offered 15 Jan, before the delivery (not counted), declined shelter after it.
    - Cal: identified 1 Feb, eligible 3 Feb, ready 10 Feb, refused 12 Feb.
    - Dee: identified 5 Feb, eligible 6 Feb, ready 8 Feb, not located 9 Feb (not tried again).
    - Eve: identified 1 Mar, eligible 2 Mar, the JPO said "do not deliver", cancelled 5 Mar.
    - Fay: identified 3 Mar, cancelled 4 Mar.
    - Gus: identified 10 Mar, eligible 12 Mar, ready 14 Mar, not located 15 Mar, tried again (ready 20 Mar),
      delivered to him 25 Mar; accepted a food box 4 Apr.
    - Hal: identified 1 Apr, still identified.
    - Ivy: identified 20 Dec 2025 and delivered: before the period. Sam: sealed, delivered: never counted.

    Referrals to a partner (behind the services wall):
    - Ana: referred 16 Jan, enrolled 1 Feb (17 days after her delivery); referred 20 Jan, refused by the partner.
    - Ben: referred 10 Jan, completed 25 Jan: made before his delivery (30 Jan), not counted; referred 2 Feb,
      declined by him; referred 3 Feb, still pending.
    - Gus: referred 26 Mar, completed 5 Apr (11 days after his delivery): enrolled and completed, both dated
      5 Apr (a completed referral keeps no enrolment date of its own).
    - Hal (never delivered): referred 2 Apr, enrolled 10 Apr. Sam (sealed): referred 10 Feb, completed 20 Feb.
    """
    cns = {}
    ana = _adult("Ana")
    cns["ana"] = cn_through(
        ana,
        dt.date(2026, 1, 5),
        ("eligible", dt.date(2026, 1, 7)),
        ("ready", dt.date(2026, 1, 12)),
        ("ecc_advised", dt.date(2026, 1, 15)),
        ("delivered", dt.date(2026, 1, 15)),
        ("after_action", dt.date(2026, 1, 16)),
        ("closed", dt.date(2026, 1, 17)),
    )
    encounter(cns["ana"], "delivered", dt.date(2026, 1, 15))
    offer(ana, "job_training", "accepted", dt.date(2026, 1, 15), status_changed_on=dt.date(2026, 1, 20))
    ben = _adult("Ben")
    cns["ben"] = cn_through(
        ben,
        dt.date(2026, 1, 10),
        ("eligible", dt.date(2026, 1, 11)),
        ("ready", dt.date(2026, 1, 20)),
        ("delivered_to_influencer", dt.date(2026, 1, 30)),
    )
    encounter(cns["ben"], "delivered_to_influencer", dt.date(2026, 1, 30))
    # accepted before the delivery, not during it: no service accepted after the delivery
    offer(ben, "food_box", "accepted", dt.date(2026, 1, 15), status_changed_on=dt.date(2026, 1, 16))
    offer(ben, "shelter", "declined", dt.date(2026, 1, 30), status_changed_on=dt.date(2026, 2, 1))
    cns["cal"] = cn_through(
        _adult("Cal"),
        dt.date(2026, 2, 1),
        ("eligible", dt.date(2026, 2, 3)),
        ("ready", dt.date(2026, 2, 10)),
        ("refused", dt.date(2026, 2, 12)),
    )
    encounter(cns["cal"], "refused", dt.date(2026, 2, 12))
    cns["dee"] = cn_through(
        _adult("Dee"),
        dt.date(2026, 2, 5),
        ("eligible", dt.date(2026, 2, 6)),
        ("ready", dt.date(2026, 2, 8)),
        ("not_located", dt.date(2026, 2, 9)),
    )
    encounter(cns["dee"], "not_located", dt.date(2026, 2, 9))
    cns["eve"] = cn_through(
        _adult("Eve"), dt.date(2026, 3, 1), ("eligible", dt.date(2026, 3, 2)), ("cancelled", dt.date(2026, 3, 5))
    )
    JPOCheck.objects.create(
        delivery=cns["eve"],
        contacted_on=dt.date(2026, 3, 4),
        on_probation=True,
        services_status="-",
        relationship_status="-",
        decision=JPOCheck.Decision.DO_NOT_DELIVER,
        reasons="On probation.",
    )
    cns["fay"] = cn_through(_adult("Fay"), dt.date(2026, 3, 3), ("cancelled", dt.date(2026, 3, 4)))
    gus = _adult("Gus")
    cns["gus"] = cn_through(
        gus,
        dt.date(2026, 3, 10),
        ("eligible", dt.date(2026, 3, 12)),
        ("ready", dt.date(2026, 3, 14)),
        ("not_located", dt.date(2026, 3, 15)),
        ("ready", dt.date(2026, 3, 20)),
        ("delivered", dt.date(2026, 3, 25)),
        ("after_action", dt.date(2026, 3, 26)),
        attempt=2,
    )
    encounter(cns["gus"], "not_located", dt.date(2026, 3, 15))
    encounter(cns["gus"], "delivered", dt.date(2026, 3, 25), attempt=2)
    offer(gus, "food_box", "completed", dt.date(2026, 3, 25), status_changed_on=dt.date(2026, 4, 4))
    cns["hal"] = cn_through(_adult("Hal"), dt.date(2026, 4, 1))
    cns["ivy"] = cn_through(_adult("Ivy"), dt.date(2025, 12, 20), ("delivered", dt.date(2025, 12, 28)))
    encounter(cns["ivy"], "delivered", dt.date(2025, 12, 28))
    cns["sam"] = cn_through(_adult("Sam", sealed=True), dt.date(2026, 2, 2), ("delivered", dt.date(2026, 2, 9)))
    encounter(cns["sam"], "delivered", dt.date(2026, 2, 9))
    d = dt.date
    referred(ana, d(2026, 1, 16), "enrolled", d(2026, 2, 1))
    referred(ana, d(2026, 1, 20), "refused_by_partner", d(2026, 1, 25), area="employment")
    referred(ben, d(2026, 1, 10), "completed", d(2026, 1, 25))
    referred(ben, d(2026, 2, 2), "declined_by_person", d(2026, 2, 5))
    referred(ben, d(2026, 2, 3))
    referred(gus, d(2026, 3, 26), "completed", d(2026, 4, 5))
    referred(cns["hal"].candidate, d(2026, 4, 2), "enrolled", d(2026, 4, 10))
    referred(cns["sam"].candidate, d(2026, 2, 10), "completed", d(2026, 2, 20))
    return cns


def delivered_to(name: str, on: dt.date, outcome: str = "delivered"):
    someone = person(name, "Followed", dt.date(1999, 1, 1))
    encounter(cn_through(someone, on - dt.timedelta(days=10), (outcome, on)), outcome, on)
    return someone


def identified_only(name: str, on: dt.date, *steps):
    someone = person(name, "Compared", dt.date(1999, 1, 1))
    cn_through(someone, on, *steps)
    return someone


def follow_up_program():
    """- Pia, delivered 15 Jan 2024: arrested (gun violence) 1 May 2024; shot again 1 Mar 2024.
    - Pat, delivered 1 Mar 2024: arrested (drug) 1 Dec 2024, nine months after.
    - Pen, delivered 10 Jun 2024: shot again 1 Dec 2025; her 20-month window ends 10 Feb 2026, after today.
    - Poe, delivered to an influencer 1 Feb 2024: arrested the same day (not after), and (other violence)
      1 Sep 2025, nineteen months after.
    - Pim, delivered 20 Dec 2023: before the period.
    - Quin, identified 1 Apr 2024, never reached: arrested (gun violence) 1 Jun 2024.
    - Quay, identified 1 May 2024, refused at the door: nothing since.
    - Quill, identified 1 Jul 2024, delivered 5 Jan 2025: reached, after the period: in neither group.
    """
    pia = delivered_to("Pia", dt.date(2024, 1, 15))
    arrest(pia, dt.date(2024, 5, 1), category="gun_violence")
    shot_again(pia, dt.date(2024, 3, 1))
    arrest(delivered_to("Pat", dt.date(2024, 3, 1)), dt.date(2024, 12, 1), category="drug")
    shot_again(delivered_to("Pen", dt.date(2024, 6, 10)), dt.date(2025, 12, 1))
    poe = delivered_to("Poe", dt.date(2024, 2, 1), outcome="delivered_to_influencer")
    arrest(poe, dt.date(2024, 2, 1))
    arrest(poe, dt.date(2025, 9, 1), category="other_violence")
    arrest(delivered_to("Pim", dt.date(2023, 12, 20)), dt.date(2024, 1, 10))
    arrest(identified_only("Quin", dt.date(2024, 4, 1)), dt.date(2024, 6, 1), category="gun_violence")
    quay = identified_only("Quay", dt.date(2024, 5, 1), ("refused", dt.date(2024, 5, 10)))
    encounter(quay.deliveries.get(), "refused", dt.date(2024, 5, 10))
    delivered_to("Quill", dt.date(2025, 1, 5))
