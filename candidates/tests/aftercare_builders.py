"""A navigator's world for the aftercare tests: a person Luis (the social worker persona) serves, partners, and
consent given the way the navigator records it."""

from __future__ import annotations

import datetime as dt

from candidates.aftercare.models import Consent
from candidates.models import Candidate, PartnerOrganization, ServiceOffer

TODAY = dt.date.today()


def served_adult(social_worker, first: str = "Orla", last: str = "Brightwater") -> Candidate:
    """An adult the navigator sees: one they offered a service to (candidates.selectors, `_served_adults`)."""
    person = Candidate.objects.create(first_name=first, last_name=last, date_of_birth=dt.date(1998, 4, 4))
    ServiceOffer.objects.create(candidate=person, service_type="shelter", offered_by=social_worker, offered_on=TODAY)
    return person


def partner(name: str = "Casa Esperanza", *areas: str) -> PartnerOrganization:
    return PartnerOrganization.objects.create(name=name, service_types=list(areas or ("housing", "substance_use")))


def consent(person, *, to=None, purpose=Consent.Purpose.REFERRAL, part2=False, **fields) -> Consent:
    values = {
        "decision": Consent.Decision.GIVEN,
        "decided_on": TODAY,
        "method": Consent.Method.SIGNED,
        **fields,
    }
    return Consent.objects.create(candidate=person, partner=to, purpose=purpose, part2=part2, **values)
