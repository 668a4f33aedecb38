"""Made-up candidates and CNs in every state, built through the same services every interface uses.

Nothing here is a real person: the names are invented, the dates are relative to today.
"""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from candidates import models as c
from notifications import services as s
from notifications.models import Delivery, TeamMember
from notifications.personnel import qualification

DEMO_MARKER_INCIDENT = "DEMO-SHOOT-0001"

PEOPLE = [
    # first, last, age (years), sex, alias
    ("Jordan", "Alvarez", 22, "M", "J-Bird"),
    ("Tomas", "Ridgeway", 19, "M", ""),
    ("Kayla", "Montoya", 24, "F", "Kay"),
    ("Andre", "Lucero", 27, "M", "Dre"),
    ("Mateo", "Chavez", 16, "M", "Teo"),
    ("Brianna", "Sandoval", 21, "F", ""),
    ("Isaiah", "Garrity", 28, "M", "Zay"),
    ("Diego", "Trujillo", 17, "M", ""),
    ("Felix", "Archuleta", 25, "M", ""),
    ("Noah", "Baca", 20, "M", "Little N"),
    ("Elena", "Vigil", 23, "F", ""),
    ("Marcus", "Pettibone", 29, "M", "Pett"),
    ("Adrian", "Griego", 31, "M", ""),
]

# Which state each person's CN is taken to.
TARGETS = [
    "closed",
    "identified",
    "eligible",
    "in_preparation",
    "ready",
    "ecc_advised",
    "delivered",
    "delivered_to_influencer",
    "refused",
    "not_located",
    "after_action",
    "cancelled",
    "closed",
]


def _dob(years: int, offset_days: int = 40) -> dt.date:
    today = timezone.localdate()
    return today.replace(year=today.year - years) - dt.timedelta(days=offset_days)


def seed_domain(stdout) -> str:
    if c.Shooting.objects.filter(incident_number=DEMO_MARKER_INCIDENT).exists():
        return "Demo candidates and CNs already exist; nothing added."
    with transaction.atomic():
        count = _seed()
    return f"Demo data: {count} candidates with CNs in every state."


def _seed() -> int:

    lead = User.objects.get(username="lead")
    officer1 = User.objects.get(username="officer1")
    officer2 = User.objects.get(username="officer2")
    trainee = User.objects.get(username="trainee")
    social = User.objects.get(username="social")
    today = timezone.localdate()

    group = c.Group.objects.get_or_create(name="Westside 5th Street (demo)")[0]
    c.Group.objects.get_or_create(name="Crestview Boys (demo)")
    partner = c.PartnerOrganization.objects.get_or_create(name="Casa Esperanza Services (demo)")[0]
    c.PartnerOrganization.objects.get_or_create(name="Duke City Workforce Center (demo)")
    shooting = c.Shooting.objects.create(
        incident_number=DEMO_MARKER_INCIDENT,
        occurred_on=today - dt.timedelta(days=30),
        location="4500 block of Central Ave SW (demo)",
        summary="Shooting with injury outside a convenience store.",
    )
    shooting2 = c.Shooting.objects.create(
        incident_number="DEMO-SHOOT-0002",
        occurred_on=today - dt.timedelta(days=12),
        location="Park near 98th St SW (demo)",
        summary="Two injured; link analysis to Westside 5th Street.",
    )
    meeting = c.GVISMeeting.objects.create(
        held_on=today - dt.timedelta(days=7), partners_present="APD\nDistrict Attorney's Office\nCasa Esperanza"
    )
    meeting.shootings_reviewed.set([shooting, shooting2])
    meeting.groups_identified.set([group])

    for index, ((first, last, years, sex, alias), target) in enumerate(zip(PEOPLE, TARGETS, strict=True)):
        person = c.Candidate.objects.create(
            first_name=first,
            last_name=last,
            date_of_birth=_dob(years, 40 + index * 11),
            sex=sex,
            created_by=lead,
            notes="Demo record: invented person.",
        )
        if alias:
            c.Alias.objects.create(candidate=person, name=alias)
        c.Address.objects.create(
            candidate=person,
            line1=f"{1200 + index * 37} Demo Ln SW",
            postal_code="87121",
            valid_from=today - dt.timedelta(days=400),
        )
        c.Phone.objects.create(candidate=person, number=f"505-555-01{index:02d}", label="mobile")
        guardian = c.Influencer.objects.create(
            candidate=person,
            name=f"Maria {last}",
            relationship=c.Influencer.Relationship.PARENT,
            is_legal_guardian=years < 18,
            phone=f"505-555-02{index:02d}",
        )
        participant_role = c.ShootingParticipant.Role.VICTIM if index % 2 == 0 else c.ShootingParticipant.Role.INVOLVED
        c.ShootingParticipant.objects.create(
            shooting=shooting if index % 3 else shooting2, candidate=person, role=participant_role
        )
        if index % 2 == 0:
            c.EligibilityBasis.objects.create(
                candidate=person, kind="shooting_victim", shooting=shooting, entered_by=lead
            )
        else:
            c.EligibilityBasis.objects.create(candidate=person, kind="gvis", gvis_meeting=meeting, entered_by=lead)
            c.GroupMembership.objects.create(
                candidate=person,
                group=group,
                source="gvis",
                gvis_meeting=meeting,
                identified_on=meeting.held_on,
                added_by=lead,
                approved_by=lead,
                approved_at=timezone.now(),
            )
        if index % 4 == 0:
            c.ServiceOffer.objects.create(
                candidate=person,
                service_type="job_training",
                partner=partner,
                offered_by=social,
                offered_on=today - dt.timedelta(days=5),
                status="accepted",
            )
        _advance(
            person,
            target,
            lead=lead,
            officers=[officer1, officer2],
            trainee=trainee,
            social=social,
            guardian=guardian,
        )
    # Overdue work for the reminders to find: the after-action confirmation (due in 2 days) and an encounter
    # without its after-action (due in 24 hours, so escalated to the Program Manager).

    three_days_ago = timezone.now() - dt.timedelta(days=3)
    Delivery.objects.filter(state__in=["after_action", "delivered"]).update(state_entered_at=three_days_ago)
    return len(PEOPLE)


def _advance(person, target, *, lead, officers, trainee, social, guardian):
    today = timezone.localdate()
    delivery = s.delivery_create(user=lead, candidate=person, planned_for=today, location=str(person.addresses.first()))
    pk = delivery.pk
    if target == "identified":
        return
    if target == "cancelled":
        s.delivery_cancel(pk, user=lead, reason="Candidate moved out of state (demo).")
        return
    s.delivery_determine_eligibility(pk, user=lead)
    if target == "eligible":
        return
    s.delivery_start_preparation(pk, user=lead)
    s.record_check(pk, user=lead, kind="threat_assessment", completed_on=today, result="no_concerns")
    s.record_check(
        pk,
        user=lead,
        kind="background_check",
        completed_on=today,
        result="concerns_noted",
        notes="Prior weapons charge.",
    )
    s.record_letter(
        pk, user=lead, penalties="A further gun crime carries federal felon-in-possession exposure of up to 10 years."
    )

    for officer in officers:  # the first closed CN is how the demo officers come to qualify (SOP 2-64-6 A.2)
        role = TeamMember.Role.OFFICER if qualification(officer).qualified else TeamMember.Role.TRAINEE
        s.add_team_member(pk, user=lead, member=officer, role=role)
    if target != "closed":  # the demo trainee stays a trainee: never on a closed CN yet
        s.add_team_member(pk, user=lead, member=trainee, role=TeamMember.Role.TRAINEE)
    s.add_team_member(pk, user=lead, member=social, role=TeamMember.Role.SOCIAL_SERVICES)
    s.record_social_services(
        pk, user=lead, coordinated_on=today, plan="Job training and food box on scene.", coordinator=social
    )
    if person.is_juvenile():
        s.record_jpo_check(
            pk,
            user=lead,
            contacted_on=today,
            on_probation=False,
            decision="deliver",
            reasons="No open probation; services available.",
            services_status="None active.",
            relationship_status="No assigned probation officer.",
        )
        s.record_guardian_contact(
            pk,
            user=lead,
            attempted_at=timezone.now(),
            method="phone",
            reached=True,
            will_be_present=True,
            influencer=guardian,
        )
    if target == "in_preparation":
        return
    s.delivery_approve(pk, user=lead)
    if target == "ready":
        return
    s.delivery_advise_ecc(pk, user=officers[0], ecc_reference="ECC-DEMO-17")
    if target == "ecc_advised":
        return
    guardian_fields = (
        {"guardian_present": True, "guardian_influencer": guardian, "guardian_name": guardian.name}
        if person.is_juvenile()
        else {}
    )
    if target in ("delivered", "after_action", "closed"):
        s.delivery_record_delivery(
            pk,
            user=officers[0],
            letter_presented=True,
            gvi_message_delivered=True,
            social_services_stayed=True,
            **guardian_fields,
        )
    elif target == "delivered_to_influencer":
        s.delivery_record_influencer_delivery(
            pk,
            user=officers[0],
            recipient_influencer=guardian,
            recipient_name=guardian.name,
            recipient_reason="Candidate at work; mother agreed to pass on the message.",
            gvi_message_delivered=True,
            letter_presented=True,
        )
    elif target == "refused":
        s.delivery_record_refusal(pk, user=officers[0])
    elif target == "not_located":
        s.delivery_record_not_located(pk, user=officers[0], note="No answer at the door.")
    if target in ("after_action", "closed"):
        s.delivery_record_after_action(
            pk, user=officers[0], cad_report_number=f"CAD-{today.year}-{pk:06d}", ecc_advised_of_outcome=True
        )
    if target == "closed":
        s.delivery_close(pk, user=lead)
