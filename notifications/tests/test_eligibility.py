"""SOP 2-64-4 A / 2-64-5 A: identification needs at least one basis with its evidence, valid for the age."""

import datetime as dt

import pytest
from django.utils import timezone

from candidates.models import EligibilityBasis, Referral, Shooting
from notifications import services as s
from notifications.models import Delivery, EligibilityDetermination, State
from notifications.tests.conftest import make_candidate, transitions_of
from vip.errors import NotPermitted, TransitionRefused

pytestmark = pytest.mark.django_db


def _cn(lead, person):
    return s.delivery_create(user=lead, candidate=person)


def _referral_basis(person, source):
    referral = Referral.objects.create(
        candidate=person, source=source, referred_by="Someone", referred_on=timezone.localdate(), reason="Concern."
    )
    return EligibilityBasis.objects.create(candidate=person, kind="referral", referral=referral)


def test_a_candidate_with_an_evidenced_basis_is_determined_eligible(le_lead, cn):
    s.delivery_determine_eligibility(cn.pk, user=le_lead)
    cn.refresh_from_db()
    assert cn.state == State.ELIGIBLE
    assert cn.eligibility.bases.count() == 1


def test_eligibility_is_audited_with_who_from_and_to(le_lead, cn):
    s.delivery_determine_eligibility(cn.pk, user=le_lead)
    assert transitions_of(cn) == [("identified", "eligible")]


def test_a_candidate_without_a_basis_is_refused_and_nothing_is_left_behind(le_lead):
    cn = _cn(le_lead, make_candidate(basis=False))
    with pytest.raises(TransitionRefused) as refused:
        s.delivery_determine_eligibility(cn.pk, user=le_lead)
    assert "has_valid_eligibility_basis" in refused.value.reasons
    assert Delivery.objects.get(pk=cn.pk).state == State.IDENTIFIED
    assert not EligibilityDetermination.objects.filter(delivery=cn).exists()


def test_a_driver_basis_without_its_information_does_not_count(le_lead):
    person = make_candidate(basis=False)
    EligibilityBasis.objects.create(candidate=person, kind="driver", information="")
    cn = _cn(le_lead, person)
    with pytest.raises(TransitionRefused):
        s.delivery_determine_eligibility(cn.pk, user=le_lead)


def test_an_adult_referred_by_outreach_is_not_eligible(le_lead):
    person = make_candidate(years=30, basis=False)
    _referral_basis(person, Referral.Source.OUTREACH)
    cn = _cn(le_lead, person)
    with pytest.raises(TransitionRefused):
        s.delivery_determine_eligibility(cn.pk, user=le_lead)
    assert transitions_of(cn) == []


def test_a_juvenile_referred_by_outreach_is_eligible(le_lead):
    person = make_candidate(years=16, basis=False)
    _referral_basis(person, Referral.Source.OUTREACH)
    cn = _cn(le_lead, person)
    assert s.delivery_determine_eligibility(cn.pk, user=le_lead).state == State.ELIGIBLE


def test_influencer_of_someone_shot_is_a_basis_for_adults_only(le_lead):
    person = make_candidate(years=16, basis=False)
    shot = Shooting.objects.create(
        incident_number="S-INF", occurred_on=timezone.localdate() - dt.timedelta(days=3), location="x"
    )
    EligibilityBasis.objects.create(
        candidate=person, kind="influencer", shooting=shot, related_person_name="Cousin Ray"
    )
    cn = _cn(le_lead, person)
    with pytest.raises(TransitionRefused):
        s.delivery_determine_eligibility(cn.pk, user=le_lead)


def test_picking_a_basis_that_does_not_hold_is_refused_with_why(le_lead):
    person = make_candidate(years=30)
    bad = _referral_basis(person, Referral.Source.OUTREACH)
    cn = _cn(le_lead, person)
    with pytest.raises(TransitionRefused) as refused:
        s.delivery_determine_eligibility(cn.pk, user=le_lead, basis_ids=[bad.pk])
    assert f"basis_{bad.pk}" in refused.value.reasons


@pytest.mark.parametrize(
    "persona, team_role", [("officer", "officer"), ("social_worker", "social_services"), ("program_manager", None)]
)
def test_only_the_le_lead_determines_eligibility(request, le_lead, persona, team_role, cn):
    user = request.getfixturevalue(persona)
    if team_role:  # on the CN's team, so they see it: still not theirs to decide
        s.add_team_member(cn.pk, user=le_lead, member=user, role=team_role)
    with pytest.raises(NotPermitted):
        s.delivery_determine_eligibility(cn.pk, user=user)
    assert Delivery.objects.get(pk=cn.pk).state == State.IDENTIFIED


def test_eligibility_cannot_be_determined_twice(le_lead, cn):
    s.delivery_determine_eligibility(cn.pk, user=le_lead)
    with pytest.raises(TransitionRefused) as refused:
        s.delivery_determine_eligibility(cn.pk, user=le_lead)
    assert "state" in refused.value.reasons
