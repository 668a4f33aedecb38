"""The door kit: a briefing card for each CN an officer is on the team of (issue 18 item 3).

The card holds what the team needs at the door and nothing else: how to recognise the person (photo,
physical description), where they have lived, the threat assessment's and the background check's results with
their notes, the guardian to reach for a juvenile (SOP 2-64-5 B.1.f), the language, and the letter.

Who: the team only, through `deliveries_on_team_of` (an officer not on the team gets 404) and the tablet's
role check (officers and the LE Lead; social services never reach the tablet, and `may_see_checks` keeps the
checks from anyone else). The cards are plain values (`card_of`), so the same card is drawn by the page and
kept, encrypted, by static/tablet/tablet.js for reading without signal.
"""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet
from django.http import Http404
from django.urls import reverse

from candidates.models import Address, Influencer, today
from candidates.selectors import may_see_checks
from notifications import rules
from notifications.models import Check, Delivery, Letter
from notifications.selectors import deliveries_on_team_of
from notifications.tablet.dates import door_date

CARDS_LIMIT = 25  # as the tablet's list: the ones at the door and today's first


def _briefed(deliveries: QuerySet[Delivery]) -> QuerySet[Delivery]:
    return deliveries.prefetch_related(
        Prefetch("candidate__addresses", queryset=Address.objects.order_by("-valid_from", "-id")),
        Prefetch("candidate__influencers", queryset=Influencer.objects.order_by("-is_legal_guardian", "name")),
        Prefetch("checks", queryset=Check.objects.order_by("-completed_on", "-id")),
        Prefetch("letter", queryset=Letter.objects.all()),
    )


def briefing_deliveries(user) -> QuerySet[Delivery]:
    """The open CNs `user` is on the team of, ready for their cards (a fixed number of queries)."""
    open_on_team = deliveries_on_team_of(user).filter(state__in=rules.OPEN_STATES)
    return _briefed(open_on_team.order_by("planned_for", "pk"))


def get_briefing_delivery(user, pk: int) -> Delivery:
    delivery = briefing_deliveries(user).filter(pk=pk).first()
    if delivery is None:
        raise Http404("No such CN on your team.")
    return delivery


def juvenile_at_the_door(delivery: Delivery) -> bool:
    """Juvenile on the day the team goes: the planned day, or today once it has passed. This is
    `Delivery.reference_date` before an encounter is recorded, without its query per CN (a list of cards);
    the step screens themselves ask `candidate_is_juvenile()` (SOP 2-64-5 A)."""
    now = today()
    day = delivery.planned_for if delivery.planned_for and delivery.planned_for >= now else now
    return delivery.candidate.is_juvenile(day)


def card_of(delivery: Delivery, user) -> dict:
    candidate = delivery.candidate
    juvenile = juvenile_at_the_door(delivery)
    checks = {}
    if may_see_checks(user):
        for check in delivery.checks.all():  # newest first: the one in force
            checks.setdefault(check.kind, check)
    letter = getattr(delivery, "letter", None)
    return {
        "cn": delivery.pk,
        "url": reverse("tablet:briefing", args=[delivery.pk]),
        "name": candidate.full_name,
        "juvenile": juvenile,
        "born": door_date(candidate.date_of_birth),
        "state": delivery.get_state_display(),
        "planned_for": door_date(delivery.planned_for),
        "photo": reverse("tablet:photo", args=[delivery.pk]) if candidate.photo else "",
        "description": candidate.physical_description,
        "language": candidate.language,
        "addresses": [_address(a) for a in candidate.addresses.all()],
        "checks": [_check(checks.get(kind), label) for kind, label in Check.Kind.choices],
        "guardians": [
            {"name": i.name, "relationship": i.get_relationship_display(), "phone": i.phone}
            for i in candidate.influencers.all()
            if i.can_be_guardian_present
        ]
        if juvenile
        else [],
        "letter": letter.body if letter is not None else "",
        "letter_status": letter.get_status_display() if letter is not None else "No letter recorded",
    }


def _address(address: Address) -> dict:
    since, until = door_date(address.valid_from), door_date(address.valid_to)
    if until:
        when = f"{since} to {until}" if since else f"until {until}"
    else:
        when = f"current, since {since}" if since else "current"
    return {"text": str(address), "when": when, "current": address.valid_to is None}


def _check(check: Check | None, label: str) -> dict:
    if check is None:
        return {"label": label, "result": "Not recorded", "notes": "", "on": "", "flag": False}
    return {
        "label": label,
        "result": check.get_result_display(),
        "notes": check.notes,
        "on": door_date(check.completed_on),
        "flag": check.result != Check.Result.NO_CONCERNS,
    }


def cards_for(user) -> list[dict]:
    return [card_of(d, user) for d in briefing_deliveries(user)[:CARDS_LIMIT]]
