"""SOP 2-64-4 B / 2-64-5 B: everything prepared before a CN is ready; the LE Lead prepares it."""

import pytest
from django.utils import timezone

from notifications import services as s
from notifications.models import Check, Delivery, JPOCheck, Letter, State, TeamMember
from notifications.tests.conftest import guardian_of, prepare, transitions_of
from vip.errors import DomainError, NotPermitted, TransitionRefused
from vip.models import AuditEvent

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate


@pytest.fixture
def preparing(cn, le_lead):
    s.delivery_determine_eligibility(cn.pk, user=le_lead)
    s.delivery_start_preparation(cn.pk, user=le_lead)
    return cn


@pytest.fixture
def juvenile_preparing(juvenile, le_lead):
    cn = s.delivery_create(user=le_lead, candidate=juvenile)
    s.delivery_determine_eligibility(cn.pk, user=le_lead)
    s.delivery_start_preparation(cn.pk, user=le_lead)
    return cn


def _state(cn):
    return Delivery.objects.get(pk=cn.pk).state


# --- start preparation -------------------------------------------------------------------------------


def test_the_le_lead_starts_preparation_of_an_eligible_cn(le_lead, cn):
    s.delivery_determine_eligibility(cn.pk, user=le_lead)
    assert s.delivery_start_preparation(cn.pk, user=le_lead).state == State.IN_PREPARATION


def test_preparation_cannot_start_before_eligibility(le_lead, cn):
    with pytest.raises(TransitionRefused):
        s.delivery_start_preparation(cn.pk, user=le_lead)
    assert _state(cn) == State.IDENTIFIED


def test_an_officer_cannot_start_preparation(le_lead, officer, cn):
    s.add_team_member(cn.pk, user=le_lead, member=officer, role="officer")
    s.delivery_determine_eligibility(cn.pk, user=le_lead)
    with pytest.raises(NotPermitted):
        s.delivery_start_preparation(cn.pk, user=officer)
    assert _state(cn) == State.ELIGIBLE


# --- approve: each guard ---------------------------------------------------------------------------


def test_a_fully_prepared_adult_cn_is_approved_as_ready(le_lead, officer, preparing):
    prepare(preparing.pk, lead=le_lead, officer=officer)
    s.delivery_approve(preparing.pk, user=le_lead)
    assert transitions_of(preparing)[-1] == ("in_preparation", "ready")


def test_a_letter_recorded_as_not_warranted_with_a_reason_is_enough(le_lead, officer, preparing):
    prepare(preparing.pk, lead=le_lead, officer=officer, letter=False)
    assert s.delivery_approve(preparing.pk, user=le_lead).state == State.READY


@pytest.mark.parametrize(
    "missing, condition",
    [
        ("threat_assessment", "threat_assessment_done"),
        ("background_check", "background_check_done"),
        ("letter", "letter_drafted_or_not_warranted"),
        ("social_services", "social_services_coordinated"),
    ],
)
def test_approval_is_refused_while_a_preparation_step_is_missing(le_lead, officer, preparing, missing, condition):
    prepare(preparing.pk, lead=le_lead, officer=officer)
    if missing in ("threat_assessment", "background_check"):
        Check.objects.filter(delivery=preparing, kind=missing).delete()
    elif missing == "letter":
        Letter.objects.filter(delivery=preparing).delete()
    else:
        preparing.social_services.delete()
    with pytest.raises(TransitionRefused) as refused:
        s.delivery_approve(preparing.pk, user=le_lead)
    assert list(refused.value.reasons) == [condition]
    assert _state(preparing) == State.IN_PREPARATION


def test_a_refused_approval_names_every_unmet_condition(le_lead, preparing):
    with pytest.raises(TransitionRefused) as refused:
        s.delivery_approve(preparing.pk, user=le_lead)
    assert {"threat_assessment_done", "background_check_done", "social_services_coordinated"} <= set(
        refused.value.reasons
    )


def test_a_refused_approval_writes_no_audit_transition(le_lead, preparing):
    with pytest.raises(TransitionRefused):
        s.delivery_approve(preparing.pk, user=le_lead)
    assert transitions_of(preparing)[-1] == ("eligible", "in_preparation")


def test_only_the_le_lead_approves(le_lead, officer, preparing):
    prepare(preparing.pk, lead=le_lead, officer=officer)
    with pytest.raises(NotPermitted):
        s.delivery_approve(preparing.pk, user=officer)
    assert _state(preparing) == State.IN_PREPARATION


# --- the checks and the letter ---------------------------------------------------------------------


def test_a_check_completed_in_the_future_is_refused(le_lead, preparing):
    import datetime as dt

    with pytest.raises(DomainError) as refused:
        s.record_check(
            preparing.pk,
            user=le_lead,
            kind="threat_assessment",
            completed_on=TODAY() + dt.timedelta(days=2),
            result="no_concerns",
        )
    assert "completed_on" in refused.value.reasons
    assert not Check.objects.filter(delivery=preparing).exists()


def test_an_officer_cannot_record_a_check(officer, le_lead, preparing):
    s.add_team_member(preparing.pk, user=le_lead, member=officer, role="officer")
    with pytest.raises(NotPermitted):
        s.record_check(preparing.pk, user=officer, kind="background_check", completed_on=TODAY(), result="no_concerns")


def test_recording_a_check_again_with_a_reason_replaces_it(le_lead, preparing):
    s.record_check(preparing.pk, user=le_lead, kind="background_check", completed_on=TODAY(), result="no_concerns")
    s.record_check(
        preparing.pk,
        user=le_lead,
        kind="background_check",
        completed_on=TODAY(),
        result="high_risk",
        notes="Warrant on file.",
        reason="The records unit called back.",
    )
    assert list(Check.objects.filter(delivery=preparing).values_list("result", flat=True)) == ["high_risk"]


def test_changing_a_recorded_check_without_a_reason_is_refused(le_lead, preparing):
    s.record_check(
        preparing.pk,
        user=le_lead,
        kind="threat_assessment",
        completed_on=TODAY(),
        result="concerns_noted",
        notes="Dog.",
    )
    with pytest.raises(DomainError) as refused:
        s.record_check(preparing.pk, user=le_lead, kind="threat_assessment", completed_on=TODAY(), result="no_concerns")
    assert "reason" in refused.value.reasons
    assert Check.objects.get(delivery=preparing, kind="threat_assessment").result == "concerns_noted"


def test_the_reason_for_a_change_and_what_changed_are_in_the_audit_trail(le_lead, preparing):
    s.record_check(
        preparing.pk,
        user=le_lead,
        kind="threat_assessment",
        completed_on=TODAY(),
        result="concerns_noted",
        notes="Dog.",
    )
    s.record_check(
        preparing.pk,
        user=le_lead,
        kind="threat_assessment",
        completed_on=TODAY(),
        result="no_concerns",
        reason="Dog rehomed.",
    )
    event = AuditEvent.objects.filter(object_id=str(preparing.pk), action="update").latest("id")
    assert "Dog rehomed." in event.note
    assert event.changes["result"] == ["concerns_noted", "no_concerns"]


def test_recording_the_same_check_again_needs_no_reason(le_lead, preparing):
    for _ in range(2):
        s.record_check(preparing.pk, user=le_lead, kind="background_check", completed_on=TODAY(), result="no_concerns")
    assert Check.objects.filter(delivery=preparing).count() == 1


def test_concerns_noted_without_notes_is_refused_with_what_to_write(le_lead, preparing):
    with pytest.raises(DomainError) as refused:
        s.record_check(
            preparing.pk, user=le_lead, kind="threat_assessment", completed_on=TODAY(), result="concerns_noted"
        )
    assert refused.value.reasons["notes"] == Check.NOTES_REQUIRED
    assert not Check.objects.filter(delivery=preparing).exists()


def test_the_letter_is_rendered_with_the_candidates_penalties(le_lead, preparing):
    letter = s.record_letter(preparing.pk, user=le_lead, penalties="Up to 10 years federal.")
    assert "Up to 10 years federal." in letter.body
    assert preparing.candidate.full_name in letter.body


def test_a_letter_without_penalties_is_refused(le_lead, preparing):
    with pytest.raises(DomainError) as refused:
        s.record_letter(preparing.pk, user=le_lead, penalties="  ")
    assert "penalties" in refused.value.reasons


def test_a_letter_not_warranted_needs_a_reason(le_lead, preparing):
    with pytest.raises(DomainError) as refused:
        s.record_letter(preparing.pk, user=le_lead, warranted=False)
    assert "not_warranted_reason" in refused.value.reasons
    assert not Letter.objects.filter(delivery=preparing).exists()


# --- the team (SOP 2-64-4 B.1.c, 2-64-6) --------------------------------------------------------------


def test_an_officer_without_training_cannot_join_the_team(le_lead, untrained_officer, preparing):
    with pytest.raises(DomainError) as refused:
        s.add_team_member(preparing.pk, user=le_lead, member=untrained_officer, role="officer")
    assert "training" in refused.value.message
    assert not TeamMember.objects.filter(delivery=preparing, user=untrained_officer).exists()


def test_a_sworn_and_trained_person_whose_officer_role_awaits_approval_cannot_join_the_team(le_lead, preparing):
    from vip.testing import make_user

    awaiting = make_user("areyes", first="Ana", last="Reyes", sworn=True, trained=True)  # no role granted yet
    with pytest.raises(DomainError) as refused:
        s.add_team_member(preparing.pk, user=le_lead, member=awaiting, role="trainee")
    assert "does not hold the Officer role" in refused.value.message
    assert refused.value.reasons == {"member": "No Officer role yet."}
    assert not TeamMember.objects.filter(delivery=preparing, user=awaiting).exists()


def test_an_officer_who_never_accompanied_the_le_lead_joins_only_as_trainee(le_lead, trainee, preparing):
    with pytest.raises(DomainError):
        s.add_team_member(preparing.pk, user=le_lead, member=trainee, role="officer")
    assert s.add_team_member(preparing.pk, user=le_lead, member=trainee, role="trainee").role == "trainee"


def test_a_social_worker_cannot_join_as_an_officer(le_lead, social_worker, preparing):
    with pytest.raises(DomainError):
        s.add_team_member(preparing.pk, user=le_lead, member=social_worker, role="officer")


def test_an_officer_whose_training_is_no_longer_on_record_blocks_approval(le_lead, officer, preparing):
    from notifications.models import TrainingRecord

    prepare(preparing.pk, lead=le_lead, officer=officer)
    TrainingRecord.objects.filter(user=officer).update(department_recognised=False)
    with pytest.raises(TransitionRefused) as refused:
        s.delivery_approve(preparing.pk, user=le_lead)
    assert "team_officers_meet_sop_2_64_6" in refused.value.reasons


def test_a_trainee_on_a_team_without_the_le_lead_blocks_approval(le_lead, officer, trainee, preparing):
    prepare(preparing.pk, lead=le_lead, officer=officer)
    s.add_team_member(preparing.pk, user=le_lead, member=trainee, role="trainee")
    s.remove_team_member(preparing.pk, user=le_lead, member=le_lead)
    with pytest.raises(TransitionRefused) as refused:
        s.delivery_approve(preparing.pk, user=le_lead)
    assert "team_officers_meet_sop_2_64_6" in refused.value.reasons
    assert "Whitehorse" in refused.value.reasons["team_officers_meet_sop_2_64_6"]


def test_a_trainee_on_a_team_with_the_le_lead_is_fine(le_lead, officer, trainee, preparing):
    prepare(preparing.pk, lead=le_lead, officer=officer)
    s.add_team_member(preparing.pk, user=le_lead, member=trainee, role="trainee")
    assert s.delivery_approve(preparing.pk, user=le_lead).state == State.READY


def test_a_team_of_only_a_trainee_has_no_qualified_officer(le_lead, trainee, preparing):
    prepare(preparing.pk, lead=le_lead)
    s.add_team_member(preparing.pk, user=le_lead, member=trainee, role="trainee")
    s.remove_team_member(preparing.pk, user=le_lead, member=le_lead)
    with pytest.raises(TransitionRefused) as refused:
        s.delivery_approve(preparing.pk, user=le_lead)
    assert "team_has_qualified_officer" in refused.value.reasons


def test_removing_someone_not_on_the_team_is_refused(le_lead, officer, preparing):
    with pytest.raises(DomainError):
        s.remove_team_member(preparing.pk, user=le_lead, member=officer)


# --- juveniles: JPO and the guardian (SOP 2-64-5 B) -------------------------------------------------------


def test_a_juvenile_cn_is_not_ready_without_the_jpo_and_guardian_contact(le_lead, officer, juvenile_preparing):
    prepare(juvenile_preparing.pk, lead=le_lead, officer=officer)
    with pytest.raises(TransitionRefused) as refused:
        s.delivery_approve(juvenile_preparing.pk, user=le_lead)
    assert {"jpo_cleared_if_juvenile", "guardian_contact_attempted_if_juvenile"} == set(refused.value.reasons)


def test_a_prepared_juvenile_cn_is_ready(le_lead, officer, juvenile_preparing):
    guardian = guardian_of(juvenile_preparing.candidate)
    prepare(juvenile_preparing.pk, lead=le_lead, officer=officer, juvenile_guardian=guardian)
    assert s.delivery_approve(juvenile_preparing.pk, user=le_lead).state == State.READY


def test_jpo_do_not_deliver_cancels_the_cn_with_the_reason(le_lead, juvenile_preparing):
    s.record_jpo_check(
        juvenile_preparing.pk,
        user=le_lead,
        contacted_on=TODAY(),
        on_probation=True,
        probation_officer="PO Garcia",
        decision="do_not_deliver",
        reasons="PO has a strong relationship; services under way.",
        services_status="Active counselling.",
        relationship_status="Strong.",
    )
    cn = Delivery.objects.get(pk=juvenile_preparing.pk)
    assert cn.state == State.CANCELLED
    assert "services under way" in cn.cancellation_reason


def test_the_jpo_check_is_for_juveniles_only(le_lead, preparing):
    with pytest.raises(DomainError):
        s.record_jpo_check(
            preparing.pk,
            user=le_lead,
            contacted_on=TODAY(),
            on_probation=False,
            decision="deliver",
            reasons="x",
            services_status="x",
            relationship_status="x",
        )
    assert not JPOCheck.objects.filter(delivery=preparing).exists()


def test_a_guardian_contact_attempt_names_who_was_tried(le_lead, juvenile_preparing):
    with pytest.raises(DomainError) as refused:
        s.record_guardian_contact(juvenile_preparing.pk, user=le_lead, attempted_at=timezone.now(), method="phone")
    assert "guardian_name" in refused.value.reasons


def test_another_candidates_influencer_is_not_this_juveniles_guardian(le_lead, adult, juvenile_preparing):
    with pytest.raises(DomainError):
        s.record_guardian_contact(
            juvenile_preparing.pk,
            user=le_lead,
            attempted_at=timezone.now(),
            method="phone",
            influencer=guardian_of(adult),
        )


def test_a_guardian_contact_attempt_in_the_future_is_refused(le_lead, juvenile_preparing):
    import datetime as dt

    with pytest.raises(DomainError) as refused:
        s.record_guardian_contact(
            juvenile_preparing.pk,
            user=le_lead,
            attempted_at=timezone.now() + dt.timedelta(days=1),
            method="phone",
            guardian_name="Maria Chavez",
        )
    assert "attempted_at" in refused.value.reasons


def test_social_services_coordinators_are_offered_by_their_full_name_not_their_username(social_worker, preparing):
    from notifications.forms import SocialServicesForm

    choices = SocialServicesForm(delivery=preparing).fields["coordinator"].choices
    assert [label for value, label in choices if value] == ["Luis Quintana"]


def test_the_social_services_coordinator_must_be_social_services_staff(le_lead, officer, social_worker, preparing):
    with pytest.raises(DomainError) as refused:
        s.record_social_services(preparing.pk, user=le_lead, coordinated_on=TODAY(), plan="x", coordinator=officer)
    assert "coordinator" in refused.value.reasons
    assert (
        s.record_social_services(
            preparing.pk, user=le_lead, coordinated_on=TODAY(), plan="Food box.", coordinator=social_worker
        ).coordinator
        == social_worker
    )
