"""What the figures count as recorded: an encounter's outcome the CN went on from, a service accepted.

One home for these rules, read by the dashboard's figures (reports/figures.py), the delivery funnel
(reports/funnel.py) and the follow-up report (reports/follow_up.py).
"""

from __future__ import annotations

from django.db.models import Q

from candidates.models import ServiceOffer
from notifications.models import Encounter, State

CONTACT_OUTCOMES = (Encounter.Outcome.DELIVERED, Encounter.Outcome.DELIVERED_TO_INFLUENCER)
# A recorded encounter counts only if the CN went on from it (a consistent record): the states it can be in.
STATES_AFTER = {
    Encounter.Outcome.DELIVERED: (State.DELIVERED, State.AFTER_ACTION, State.CLOSED),
    Encounter.Outcome.DELIVERED_TO_INFLUENCER: (State.DELIVERED_TO_INFLUENCER, State.AFTER_ACTION, State.CLOSED),
    Encounter.Outcome.REFUSED: (State.REFUSED, State.AFTER_ACTION, State.CLOSED),
}
ACCEPTED_STATUSES = ServiceOffer.ACCEPTED_STATUSES


def recorded(outcomes, *, encounter: str = "", cn: str = "delivery__") -> Q:
    """Encounters with one of `outcomes` whose CN went on from them (its state is that outcome's or later).
    `encounter`, `cn`: the paths from the model filtered to the encounter and to its CN (an encounter's own, by
    default; from a candidate, "deliveries__encounters__" and "deliveries__")."""
    condition = Q(pk__in=[])
    for outcome in outcomes:
        condition |= Q(**{f"{encounter}outcome": outcome, f"{cn}state__in": STATES_AFTER[outcome]})
    return condition
