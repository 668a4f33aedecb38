"""Builders for CN tests: candidates of a given age with a valid basis, and CNs walked to any state.

Every step goes through the services, exactly as the pages, the tablet and the API do.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from candidates.models import Candidate, EligibilityBasis, Influencer, Shooting, add_years
from notifications import services as s
from notifications.models import Delivery, TeamMember
from vip.models import AuditEvent


def born_years_ago(years: int, extra_days: int = 30) -> dt.date:
    return add_years(timezone.localdate(), -years) - dt.timedelta(days=extra_days)


def make_candidate(*, years: int = 24, dob: dt.date | None = None, last: str = "Alvarez", basis: bool = True):
    person = Candidate.objects.create(first_name="Jordan", last_name=last, date_of_birth=dob or born_years_ago(years))
    if basis:
        shooting = Shooting.objects.create(
            incident_number=f"S-{person.pk}",
            occurred_on=timezone.localdate() - dt.timedelta(days=20),
            location="Central Ave",
        )
        EligibilityBasis.objects.create(candidate=person, kind="shooting_victim", shooting=shooting)
    return person


def guardian_of(person) -> Influencer:
    return Influencer.objects.create(
        candidate=person, name=f"Maria {person.last_name}", relationship="parent", is_legal_guardian=True
    )


def prepare(pk, *, lead, officer=None, juvenile_guardian=None, letter=True):
    """Record every preparation step of SOP 2-64-4 B (and 2-64-5 B for a juvenile)."""
    today = timezone.localdate()
    s.record_check(pk, user=lead, kind="threat_assessment", completed_on=today, result="no_concerns")
    s.record_check(pk, user=lead, kind="background_check", completed_on=today, result="no_concerns")
    if letter:
        s.record_letter(pk, user=lead, penalties="Federal felon-in-possession: up to 10 years.")
    else:
        s.record_letter(pk, user=lead, warranted=False, not_warranted_reason="Candidate cannot read; message only.")
    if officer is not None:
        s.add_team_member(pk, user=lead, member=officer, role=TeamMember.Role.OFFICER)
    s.record_social_services(pk, user=lead, coordinated_on=today, plan="Job training on scene.")
    if juvenile_guardian is not None:
        s.record_jpo_check(
            pk,
            user=lead,
            contacted_on=today,
            on_probation=False,
            decision="deliver",
            reasons="No open probation.",
            services_status="None active.",
            relationship_status="No probation officer.",
        )
        s.record_guardian_contact(
            pk,
            user=lead,
            attempted_at=timezone.now(),
            method="phone",
            reached=True,
            will_be_present=True,
            influencer=juvenile_guardian,
        )


def walk(delivery: Delivery, target: str, *, lead, officer, guardian=None) -> Delivery:
    """Take a CN through the services to `target` (one of the states up to ecc_advised / after_action)."""
    pk = delivery.pk
    order = ["eligible", "in_preparation", "ready", "ecc_advised", "delivered", "after_action", "closed"]
    steps = order[: order.index(target) + 1]
    if "eligible" in steps:
        s.delivery_determine_eligibility(pk, user=lead)
    if "in_preparation" in steps:
        s.delivery_start_preparation(pk, user=lead)
    if "ready" in steps:
        prepare(pk, lead=lead, officer=officer, juvenile_guardian=guardian)
        s.delivery_approve(pk, user=lead)
    if "ecc_advised" in steps:
        s.delivery_advise_ecc(pk, user=officer, location="1200 Demo Ln SW")
    if "delivered" in steps:
        extra = {"guardian_present": True, "guardian_influencer": guardian} if guardian else {}
        s.delivery_record_delivery(
            pk, user=officer, letter_presented=True, gvi_message_delivered=True, social_services_stayed=True, **extra
        )
    if "after_action" in steps:
        s.delivery_record_after_action(
            pk, user=officer, cad_report_number="CAD-2026-000123", ecc_advised_of_outcome=True
        )
    if "closed" in steps:
        s.delivery_close(pk, user=lead)
    return Delivery.objects.get(pk=pk)


def transitions_of(delivery) -> list[tuple[str, str]]:
    return list(
        AuditEvent.objects.filter(action="transition", object_type="notifications.Delivery", object_id=str(delivery.pk))
        .order_by("id")
        .values_list("from_state", "to_state")
    )


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    """The personas' passwords are hashed with the fast test hasher: these tests are about CNs, not sign-in."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def adult(db):
    return make_candidate(years=24)


@pytest.fixture
def juvenile(db):
    return make_candidate(years=16, last="Chavez")


@pytest.fixture
def cn(adult, le_lead):
    return s.delivery_create(user=le_lead, candidate=adult, planned_for=timezone.localdate(), location="1200 Demo Ln")


@pytest.fixture
def walk_to(cn, le_lead, officer):
    def go(target):
        return walk(cn, target, lead=le_lead, officer=officer)

    return go
