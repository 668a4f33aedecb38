"""SOP 2-64-4 C / 2-64-5 C: the ECC first, then one outcome; a juvenile never without a guardian."""

import datetime as dt

import pytest
from django.utils import timezone

from candidates.models import Influencer, add_years
from notifications import services as s
from notifications.models import Delivery, ECCAdvisement, Encounter, Letter, State
from notifications.tests.conftest import guardian_of, make_candidate, transitions_of, walk
from vip.errors import DomainError, NotPermitted, TransitionRefused

pytestmark = pytest.mark.django_db

DELIVERED = {"letter_presented": True, "gvi_message_delivered": True, "social_services_stayed": True}


def _state(cn):
    return Delivery.objects.get(pk=cn.pk).state


@pytest.fixture
def ready(walk_to):
    return walk_to("ready")


@pytest.fixture
def at_the_door(walk_to):
    return walk_to("ecc_advised")


def _juvenile_at_the_door(le_lead, officer, years=16, dob=None):
    person = make_candidate(years=years, dob=dob, last="Chavez")
    guardian = guardian_of(person)
    cn = s.delivery_create(user=le_lead, candidate=person)
    # Prepared under the rules of today: the JPO and guardian contact only if a juvenile today.
    prepared_with = guardian if person.is_juvenile() else None
    return walk(cn, "ecc_advised", lead=le_lead, officer=officer, guardian=prepared_with), guardian


# --- ECC advisement (C.1.a) --------------------------------------------------------------------------


def test_a_team_officer_advises_the_ecc_of_location_team_and_identity(officer, ready):
    s.delivery_advise_ecc(ready.pk, user=officer, ecc_reference="ECC-17")
    advisement = ECCAdvisement.objects.get(delivery=ready)
    assert "Benavidez" in advisement.team_members
    assert ready.candidate.full_name in advisement.candidate_identity
    assert _state(ready) == State.ECC_ADVISED


def test_an_officer_not_on_the_team_cannot_advise_the_ecc(second_officer, ready):
    with pytest.raises(DomainError) as refused:  # a CN they may not see: there is no such CN, for them
        s.delivery_advise_ecc(ready.pk, user=second_officer)
    assert refused.value.code == "not_found"
    assert not ECCAdvisement.objects.filter(delivery=ready).exists()


def test_a_social_worker_on_the_team_cannot_record_door_steps(le_lead, social_worker, cn, walk_to):
    s.add_team_member(cn.pk, user=le_lead, member=social_worker, role="social_services")
    ready = walk_to("ready")
    with pytest.raises(NotPermitted):
        s.delivery_advise_ecc(ready.pk, user=social_worker)
    assert _state(ready) == State.READY


def test_the_ecc_cannot_be_advised_before_the_cn_is_ready(le_lead, officer, cn):
    with pytest.raises(TransitionRefused):
        s.delivery_advise_ecc(cn.pk, user=le_lead)
    assert not ECCAdvisement.objects.filter(delivery=cn).exists()


def test_no_contact_is_recorded_before_the_ecc_is_advised(officer, ready):
    with pytest.raises(TransitionRefused):
        s.delivery_record_delivery(ready.pk, user=officer, **DELIVERED)
    assert not Encounter.objects.filter(delivery=ready).exists()


def test_the_ecc_needs_a_location(le_lead, officer, ready):
    Delivery.objects.filter(pk=ready.pk).update(location="")
    with pytest.raises(DomainError) as refused:
        s.delivery_advise_ecc(ready.pk, user=officer)
    assert "location" in refused.value.reasons


# --- delivered to the candidate (C.1.b-c) -------------------------------------------------------------


def test_a_delivery_with_letter_message_and_social_services_is_recorded(officer, at_the_door):
    s.delivery_record_delivery(at_the_door.pk, user=officer, **DELIVERED)
    assert transitions_of(at_the_door)[-1] == ("ecc_advised", "delivered")


def test_presenting_the_letter_freezes_it(officer, at_the_door):
    s.delivery_record_delivery(at_the_door.pk, user=officer, **DELIVERED)
    assert Letter.objects.get(delivery=at_the_door).is_frozen


@pytest.mark.parametrize(
    "change, condition",
    [
        ({"letter_presented": False}, "letter_presented_where_drafted"),
        ({"gvi_message_delivered": False}, "gvi_message_delivered"),
        ({"social_services_stayed": None}, "social_services_stayed_or_why_not"),
    ],
)
def test_a_delivery_missing_a_step_is_refused_and_leaves_no_encounter(officer, at_the_door, change, condition):
    with pytest.raises(TransitionRefused) as refused:
        s.delivery_record_delivery(at_the_door.pk, user=officer, **{**DELIVERED, **change})
    assert list(refused.value.reasons) == [condition]
    assert _state(at_the_door) == State.ECC_ADVISED
    assert not Encounter.objects.filter(delivery=at_the_door).exists()


def test_social_services_not_feasible_with_a_reason_is_accepted(officer, at_the_door):
    fields = {**DELIVERED, "social_services_stayed": False, "social_services_not_feasible_reason": "Crowd gathered."}
    assert s.delivery_record_delivery(at_the_door.pk, user=officer, **fields).state == State.DELIVERED


def test_an_unknown_encounter_field_is_refused(officer, at_the_door):
    with pytest.raises(DomainError):
        s.delivery_record_delivery(at_the_door.pk, user=officer, state="closed", **DELIVERED)


# --- juveniles: never without a parent or guardian (SOP 2-64-5 B.1.f) ------------------------------------


def test_a_juvenile_cn_is_never_delivered_without_a_guardian_present(le_lead, officer):
    cn, _ = _juvenile_at_the_door(le_lead, officer)
    with pytest.raises(TransitionRefused) as refused:
        s.delivery_record_delivery(cn.pk, user=officer, **DELIVERED)
    assert "guardian_present_for_juvenile" in refused.value.reasons
    assert _state(cn) == State.ECC_ADVISED


def test_even_the_le_lead_cannot_deliver_to_a_juvenile_without_a_guardian(le_lead, officer):
    cn, _ = _juvenile_at_the_door(le_lead, officer)
    with pytest.raises(TransitionRefused):
        s.delivery_record_delivery(cn.pk, user=le_lead, guardian_present=False, **DELIVERED)


def test_a_juvenile_cn_with_the_guardian_present_is_delivered(le_lead, officer):
    cn, guardian = _juvenile_at_the_door(le_lead, officer)
    s.delivery_record_delivery(cn.pk, user=officer, guardian_present=True, guardian_influencer=guardian, **DELIVERED)
    assert _state(cn) == State.DELIVERED


def test_a_grandparent_who_is_not_the_guardian_does_not_count(le_lead, officer):
    cn, _ = _juvenile_at_the_door(le_lead, officer)
    aunt = Influencer.objects.create(candidate=cn.candidate, name="Aunt Rosa", relationship="other")
    with pytest.raises(TransitionRefused):
        s.delivery_record_delivery(cn.pk, user=officer, guardian_present=True, guardian_influencer=aunt, **DELIVERED)


def test_a_candidate_who_turned_18_before_the_delivery_day_is_delivered_to_as_an_adult(le_lead, officer):
    eighteenth_yesterday = add_years(timezone.localdate() - dt.timedelta(days=1), -18)
    cn, _ = _juvenile_at_the_door(le_lead, officer, dob=eighteenth_yesterday)
    assert s.delivery_record_delivery(cn.pk, user=officer, **DELIVERED).state == State.DELIVERED


def test_the_juvenile_rule_applies_when_the_encounter_was_before_the_18th_birthday(le_lead, officer):
    eighteenth_today = add_years(timezone.localdate(), -18)
    cn, _ = _juvenile_at_the_door(le_lead, officer, dob=eighteenth_today)
    yesterday = timezone.now() - dt.timedelta(days=1)
    with pytest.raises(TransitionRefused) as refused:
        s.delivery_record_delivery(cn.pk, user=officer, occurred_at=yesterday, **DELIVERED)
    assert "guardian_present_for_juvenile" in refused.value.reasons


def test_a_cn_planned_after_the_18th_birthday_but_delivered_before_needs_the_jpo(le_lead, officer):
    turns_18_in_3_days = add_years(timezone.localdate() + dt.timedelta(days=3), -18)
    person = make_candidate(dob=turns_18_in_3_days)
    cn = s.delivery_create(user=le_lead, candidate=person, planned_for=timezone.localdate() + dt.timedelta(days=5))
    walk(cn, "ecc_advised", lead=le_lead, officer=officer)  # prepared as an adult: no JPO
    guardian = guardian_of(person)
    with pytest.raises(TransitionRefused) as refused:
        s.delivery_record_delivery(
            cn.pk, user=officer, guardian_present=True, guardian_influencer=guardian, **DELIVERED
        )
    assert "jpo_cleared_if_juvenile" in refused.value.reasons


def test_an_encounter_dated_in_the_future_is_refused(officer, at_the_door):
    tomorrow = timezone.now() + dt.timedelta(days=1)
    with pytest.raises(DomainError) as refused:
        s.delivery_record_delivery(at_the_door.pk, user=officer, occurred_at=tomorrow, **DELIVERED)
    assert "occurred_at" in refused.value.reasons


# --- delivered to an influencer (C.2) ----------------------------------------------------------------


def test_a_delivery_to_an_influencer_names_who_and_why(officer, at_the_door):
    mother = guardian_of(at_the_door.candidate)
    s.delivery_record_influencer_delivery(
        at_the_door.pk,
        user=officer,
        recipient_influencer=mother,
        recipient_reason="Candidate at work; mother will pass it on.",
        gvi_message_delivered=True,
    )
    assert _state(at_the_door) == State.DELIVERED_TO_INFLUENCER


def test_a_delivery_to_an_influencer_without_a_reason_is_refused(officer, at_the_door):
    with pytest.raises(TransitionRefused) as refused:
        s.delivery_record_influencer_delivery(
            at_the_door.pk, user=officer, recipient_name="Uncle Joe", gvi_message_delivered=True
        )
    assert list(refused.value.reasons) == ["recipient_warranted"]
    assert not Encounter.objects.filter(delivery=at_the_door).exists()


def test_another_candidates_influencer_cannot_receive_this_cn(officer, adult, at_the_door):
    stranger = guardian_of(make_candidate(last="Other"))
    with pytest.raises(DomainError):
        s.delivery_record_influencer_delivery(
            at_the_door.pk,
            user=officer,
            recipient_influencer=stranger,
            recipient_reason="x",
            gvi_message_delivered=True,
        )


# --- refused (C.1.d): the one-tap path ----------------------------------------------------------------


def test_a_refusal_with_nothing_else_is_always_accepted(officer, at_the_door):
    s.delivery_record_refusal(at_the_door.pk, user=officer)
    assert Encounter.objects.get(delivery=at_the_door).candidate_ended_encounter


def test_a_refusal_is_accepted_even_for_a_juvenile_without_a_guardian(le_lead, officer):
    cn, _ = _juvenile_at_the_door(le_lead, officer)
    assert s.delivery_record_refusal(cn.pk, user=officer, message_partially_given=True).state == State.REFUSED


def test_an_unrelated_officer_cannot_record_a_refusal(second_officer, at_the_door):
    with pytest.raises(DomainError) as refused:
        s.delivery_record_refusal(at_the_door.pk, user=second_officer)
    assert refused.value.code == "not_found"
    assert _state(at_the_door) == State.ECC_ADVISED


# --- not located, and another attempt -----------------------------------------------------------------


def test_a_not_located_cn_goes_back_to_ready_as_a_new_attempt(officer, at_the_door):
    s.delivery_record_not_located(at_the_door.pk, user=officer, note="No answer.")
    cn = s.delivery_retry(at_the_door.pk, user=officer)
    assert (cn.state, cn.attempt) == (State.READY, 2)


def test_a_new_attempt_needs_the_ecc_advised_again(officer, at_the_door):
    s.delivery_record_not_located(at_the_door.pk, user=officer)
    s.delivery_retry(at_the_door.pk, user=officer)
    s.delivery_advise_ecc(at_the_door.pk, user=officer)
    assert ECCAdvisement.objects.filter(delivery=at_the_door).count() == 2


def test_retry_is_only_from_not_located(officer, at_the_door):
    with pytest.raises(TransitionRefused):
        s.delivery_retry(at_the_door.pk, user=officer)


def test_the_ecc_is_not_advised_when_a_team_officer_no_longer_meets_sop_2_64_6(officer, ready):
    from notifications.models import TrainingRecord

    TrainingRecord.objects.filter(user=officer).delete()
    with pytest.raises(TransitionRefused) as refused:
        s.delivery_advise_ecc(ready.pk, user=officer)
    assert "team_officers_meet_sop_2_64_6" in refused.value.reasons
    assert not ECCAdvisement.objects.filter(delivery=ready).exists()


def test_a_delivery_to_an_influencer_must_name_who(officer, at_the_door):
    with pytest.raises(TransitionRefused) as refused:
        s.delivery_record_influencer_delivery(
            at_the_door.pk, user=officer, recipient_reason="Mother asked.", gvi_message_delivered=True
        )
    assert list(refused.value.reasons) == ["recipient_named"]


@pytest.mark.parametrize("service", ["delivery_record_refusal", "delivery_record_not_located"])
def test_no_outcome_is_recorded_before_the_ecc_is_advised(officer, ready, service):
    with pytest.raises(TransitionRefused):
        getattr(s, service)(ready.pk, user=officer)
    assert _state(ready) == State.READY and not Encounter.objects.filter(delivery=ready).exists()
