"""Building a CN that is ready to deliver, through the services (as notifications/demo.py does)."""

from __future__ import annotations

import datetime as dt
import itertools

from django.utils import timezone

from candidates import models as c
from notifications import services as s
from notifications.models import TeamMember

_numbers = itertools.count(1)


def ready_delivery(le_lead, officers=(), *, juvenile: bool = False, first: str = "Jordan", last: str = "Alvarez"):
    """A READY CN for a new candidate, with the officers on its team and a parent on record."""
    n = next(_numbers)
    today = timezone.localdate()
    years = 16 if juvenile else 22
    person = c.Candidate.objects.create(
        first_name=first,
        last_name=f"{last}",
        date_of_birth=today.replace(year=today.year - years) - dt.timedelta(days=40),
        created_by=le_lead,
    )
    c.Address.objects.create(candidate=person, line1=f"{1200 + n} Demo Ln SW", postal_code="87121")
    guardian = c.Influencer.objects.create(
        candidate=person, name=f"Maria {last}", relationship=c.Influencer.Relationship.PARENT, is_legal_guardian=True
    )
    shooting = c.Shooting.objects.create(
        incident_number=f"TAB-{n:04d}-{person.pk}", occurred_on=today - dt.timedelta(days=20), location="Central Ave"
    )
    c.EligibilityBasis.objects.create(candidate=person, kind="shooting_victim", shooting=shooting, entered_by=le_lead)
    delivery = s.delivery_create(
        user=le_lead, candidate=person, planned_for=today, location=str(person.addresses.first())
    )
    pk = delivery.pk
    s.delivery_determine_eligibility(pk, user=le_lead)
    s.delivery_start_preparation(pk, user=le_lead)
    s.record_check(pk, user=le_lead, kind="threat_assessment", completed_on=today, result="no_concerns")
    s.record_check(pk, user=le_lead, kind="background_check", completed_on=today, result="no_concerns")
    s.record_letter(pk, user=le_lead, penalties="A further gun crime carries federal exposure of up to 10 years.")
    for officer in officers:
        s.add_team_member(pk, user=le_lead, member=officer, role=TeamMember.Role.OFFICER)
    s.record_social_services(pk, user=le_lead, coordinated_on=today, plan="Job training on scene.")
    if juvenile:
        s.record_jpo_check(
            pk,
            user=le_lead,
            contacted_on=today,
            on_probation=False,
            decision="deliver",
            reasons="No open probation.",
            services_status="None active.",
            relationship_status="None.",
        )
        s.record_guardian_contact(
            pk, user=le_lead, attempted_at=timezone.now(), method="phone", reached=True, influencer=guardian
        )
    s.delivery_approve(pk, user=le_lead)
    delivery.refresh_from_db()
    return delivery
