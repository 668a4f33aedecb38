"""SOP 2-64-4 D / 2-64-5 D: the ECC told of the outcome, the CAD number, the LE Lead closes; then read-only."""

import pytest
from django.utils import timezone

from notifications import services as s
from notifications.models import AfterAction, Delivery, State
from notifications.personnel import qualification
from notifications.tests.conftest import transitions_of
from vip.errors import NotPermitted, TransitionRefused

pytestmark = pytest.mark.django_db


def _state(cn):
    return Delivery.objects.get(pk=cn.pk).state


@pytest.fixture
def delivered(walk_to):
    return walk_to("delivered")


def test_the_after_action_records_the_cad_number(officer, delivered):
    s.delivery_record_after_action(
        delivered.pk, user=officer, cad_report_number="CAD-2026-000777", ecc_advised_of_outcome=True
    )
    assert AfterAction.objects.get(delivery=delivered).cad_report_number == "CAD-2026-000777"
    assert _state(delivered) == State.AFTER_ACTION


@pytest.mark.parametrize("cad", ["", "2026-123", "CAD-26-1", "cad-2026-000123x"])
def test_a_cad_number_in_the_wrong_format_is_refused(officer, delivered, cad):
    with pytest.raises(TransitionRefused) as refused:
        s.delivery_record_after_action(delivered.pk, user=officer, cad_report_number=cad, ecc_advised_of_outcome=True)
    assert list(refused.value.reasons) == ["cad_report_number_valid"]
    assert not AfterAction.objects.filter(delivery=delivered).exists()


def test_the_date_sequence_cad_format_is_accepted(officer, delivered):
    s.delivery_record_after_action(
        delivered.pk, user=officer, cad_report_number="261123-0456", ecc_advised_of_outcome=True
    )
    assert _state(delivered) == State.AFTER_ACTION


def test_the_after_action_needs_the_ecc_advised_of_the_outcome(officer, delivered):
    with pytest.raises(TransitionRefused) as refused:
        s.delivery_record_after_action(
            delivered.pk, user=officer, cad_report_number="CAD-2026-000777", ecc_advised_of_outcome=False
        )
    assert list(refused.value.reasons) == ["ecc_advised_of_outcome"]


def test_after_a_refusal_the_after_action_is_still_required(officer, walk_to):
    cn = walk_to("ecc_advised")
    s.delivery_record_refusal(cn.pk, user=officer)
    s.delivery_record_after_action(
        cn.pk, user=officer, cad_report_number="CAD-2026-000778", ecc_advised_of_outcome=True
    )
    assert transitions_of(cn)[-2:] == [("ecc_advised", "refused"), ("refused", "after_action")]


def test_the_le_lead_closes_and_confirms_the_record(le_lead, walk_to):
    cn = walk_to("after_action")
    s.delivery_close(cn.pk, user=le_lead)
    after_action = AfterAction.objects.get(delivery=cn)
    assert after_action.confirmed_by == le_lead
    assert _state(cn) == State.CLOSED


def test_an_officer_cannot_close(officer, walk_to):
    cn = walk_to("after_action")
    with pytest.raises(NotPermitted):
        s.delivery_close(cn.pk, user=officer)
    assert _state(cn) == State.AFTER_ACTION


def test_closing_a_cn_qualifies_the_trainee_who_went_with_the_le_lead(le_lead, officer, trainee, cn, walk_to):
    s.add_team_member(cn.pk, user=le_lead, member=trainee, role="trainee")
    assert not qualification(trainee).qualified
    walk_to("closed")
    assert qualification(trainee).qualified


# --- a closed CN is read-only ---------------------------------------------------------------------------


@pytest.fixture
def closed(walk_to):
    return walk_to("closed")


BODIES = {
    "cancel": {"reason": "x"},
    "record-after-action": {"cad_report_number": "CAD-2026-000999", "ecc_advised_of_outcome": True},
}


def test_a_closed_cn_refuses_every_transition(le_lead, closed):
    for name in s.TRANSITIONS:
        with pytest.raises(TransitionRefused):
            s.transition_by_api_name(name)(closed.pk, user=le_lead, **BODIES.get(name, {}))
    assert _state(closed) == State.CLOSED


def test_a_closed_cn_refuses_new_preparation_records(le_lead, officer, closed):
    with pytest.raises(TransitionRefused):
        s.record_letter(closed.pk, user=le_lead, penalties="changed")
    with pytest.raises(TransitionRefused):
        s.remove_team_member(closed.pk, user=le_lead, member=officer)


def test_a_closed_cn_offers_no_transitions(le_lead, closed):
    assert s.transition_options(closed, le_lead) == []


def test_a_closed_cn_says_it_is_read_only(closed):
    assert closed.is_read_only and closed.closed_at <= timezone.now()


def test_closing_checks_the_cad_number_again(le_lead, walk_to):
    cn = walk_to("after_action")
    AfterAction.objects.filter(delivery=cn).update(cad_report_number="corrected badly")
    with pytest.raises(TransitionRefused) as refused:
        s.delivery_close(cn.pk, user=le_lead)
    assert list(refused.value.reasons) == ["cad_report_number_valid"]
    assert AfterAction.objects.get(delivery=cn).confirmed_by is None
