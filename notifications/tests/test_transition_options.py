"""What each person may do next, and why a blocked transition is blocked, in words."""

import pytest

from notifications import services as s

pytestmark = pytest.mark.django_db


def _by_name(options):
    return {o.name: o for o in options}


def test_the_le_lead_sees_eligibility_and_cancel_on_a_new_cn(le_lead, cn):
    assert set(_by_name(s.transition_options(cn, le_lead))) == {"determine-eligibility", "cancel"}


def test_an_officer_not_on_the_team_is_offered_nothing(second_officer, walk_to):
    cn = walk_to("ready")
    assert s.transition_options(cn, second_officer) == []


def test_a_blocked_approval_lists_its_reasons(le_lead, walk_to):
    cn = walk_to("in_preparation")
    approve = _by_name(s.transition_options(cn, le_lead))["approve"]
    assert not approve.allowed
    assert "threat_assessment_done" in approve.reasons


def test_door_outcomes_list_what_the_record_must_hold(officer, walk_to):
    cn = walk_to("ecc_advised")
    options = _by_name(s.transition_options(cn, officer))
    assert options["record-refusal"].allowed and options["record-refusal"].requires == {}
    assert "gvi_message_delivered" in options["record-delivery"].requires


def test_transition_names_map_to_their_services():
    assert s.transition_by_api_name("advise-ecc") is s.delivery_advise_ecc
    assert all(callable(s.transition_by_api_name(name)) for name in s.TRANSITIONS)
