"""POST /api/deliveries/{id}/{step or transition}/: the services over HTTP, refusals as 409, retries applied once."""

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from notifications.models import Check, Delivery, Encounter, State
from notifications.tests.conftest import guardian_of, transitions_of
from vip.models import AuditEvent

pytestmark = pytest.mark.django_db

TODAY = str(timezone.localdate())


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def post(user, cn, name, body=None, **headers):
    return client_for(user).post(f"/api/deliveries/{cn.pk}/{name}/", body or {}, format="json", headers=headers)


def test_a_transition_answers_with_the_cn_in_its_new_state(le_lead, cn):
    response = post(le_lead, cn, "determine-eligibility", {"note": "Victim of DEMO shooting."})
    assert response.status_code == 200 and response.json()["state"] == "eligible"


def test_a_refused_guard_is_a_409_with_the_unmet_conditions_by_name_and_in_words(le_lead, walk_to):
    cn = walk_to("in_preparation")
    response = post(le_lead, cn, "approve")
    assert response.status_code == 409
    names = {c["name"]: c["reason"] for c in response.json()["unmet_conditions"]}
    assert "threat assessment" in names["threat_assessment_done"]


def test_a_wrong_person_is_a_403(officer, cn):
    assert post(officer, cn, "determine-eligibility").status_code in (403, 404)


def test_an_officer_on_the_team_gets_403_for_a_lead_only_step(le_lead, officer, walk_to):
    cn = walk_to("ready")
    assert post(officer, cn, "cancel", {"reason": "No."}).status_code == 403


def test_a_cn_the_user_may_not_see_is_a_404(second_officer, walk_to):
    cn = walk_to("ready")
    assert post(second_officer, cn, "advise-ecc").status_code == 404


def test_the_preparation_steps_are_recorded_over_the_api(le_lead, officer, walk_to):
    cn = walk_to("in_preparation")
    steps = [
        ("threat-assessment", {"completed_on": TODAY, "result": "no_concerns"}),
        ("background-check", {"completed_on": TODAY, "result": "concerns_noted", "notes": "Prior charge."}),
        ("letter", {"penalties": "Up to 10 years federal."}),
        ("team", {"member": officer.pk, "role": "officer"}),
        ("social-services", {"coordinated_on": TODAY, "plan": "Job training."}),
    ]
    statuses = [post(le_lead, cn, name, body).status_code for name, body in steps]
    assert statuses == [200] * 5
    assert post(le_lead, cn, "approve").json()["state"] == "ready"


def test_it_records_the_signed_in_user_as_who_completed_the_threat_assessment(le_lead, officer, walk_to):
    from notifications.models import Check

    cn = walk_to("in_preparation")
    post(le_lead, cn, "threat-assessment", {"completed_on": TODAY, "result": "no_concerns", "completed_by": officer.pk})
    assert Check.objects.get(delivery=cn, kind="threat_assessment").completed_by == le_lead


def test_a_bad_body_is_a_400_with_field_errors(le_lead, walk_to):
    cn = walk_to("in_preparation")
    response = post(le_lead, cn, "threat-assessment", {"completed_on": "yesterday", "result": "fine"})
    assert response.status_code == 400 and {"completed_on", "result"} <= set(response.json())


def test_a_team_member_is_removed_over_the_api(le_lead, officer, walk_to):
    cn = walk_to("ready")
    post(le_lead, cn, "team", {"action": "remove", "member": officer.pk})
    assert not cn.team_members.filter(user=officer).exists()


def test_juvenile_steps_jpo_and_guardian_contact_over_the_api(le_lead, juvenile):
    from notifications import services as s

    cn = s.delivery_create(user=le_lead, candidate=juvenile)
    guardian = guardian_of(juvenile)
    jpo = {
        "contacted_on": TODAY,
        "on_probation": False,
        "decision": "deliver",
        "reasons": "No probation.",
        "services_status": "None.",
        "relationship_status": "None.",
    }
    contact = {"attempted_at": timezone.now().isoformat(), "method": "phone", "influencer": guardian.pk}
    assert post(le_lead, cn, "jpo-check", jpo).status_code == 200
    assert post(le_lead, cn, "guardian-contact", contact).json()["guardian_contacts"][0]["influencer"] == guardian.pk


def test_another_candidates_influencer_is_a_400(le_lead, adult, juvenile):
    from notifications import services as s

    cn = s.delivery_create(user=le_lead, candidate=juvenile)
    body = {"attempted_at": timezone.now().isoformat(), "method": "phone", "influencer": guardian_of(adult).pk}
    assert post(le_lead, cn, "guardian-contact", body).status_code == 400


def test_the_door_outcome_is_recorded_with_the_encounter_in_the_body(officer, walk_to):
    cn = walk_to("ecc_advised")
    body = {"letter_presented": True, "gvi_message_delivered": True, "social_services_stayed": True}
    assert post(officer, cn, "record-delivery", body).json()["state"] == "delivered"


def test_a_refusal_with_an_empty_body_is_accepted(officer, walk_to):
    cn = walk_to("ecc_advised")
    assert post(officer, cn, "record-refusal").json()["state"] == "refused"


def test_a_cad_number_in_the_wrong_format_is_a_409(officer, walk_to):
    cn = walk_to("delivered")
    response = post(officer, cn, "record-after-action", {"cad_report_number": "12", "ecc_advised_of_outcome": True})
    assert response.status_code == 409
    assert response.json()["unmet_conditions"][0]["name"] == "cad_report_number_valid"


def test_every_transition_has_an_endpoint(le_lead, cn):
    from notifications.services import TRANSITIONS

    codes = {name: post(le_lead, cn, name).status_code for name in TRANSITIONS}
    assert 404 not in codes.values() and 405 not in codes.values()


# --- Idempotency-Key: a tablet retry is applied once ------------------------------------------------------


def test_the_same_key_twice_applies_the_transition_once(officer, walk_to):
    cn = walk_to("ecc_advised")
    first = post(officer, cn, "record-refusal", {"note": "Asked us to leave."}, **{"Idempotency-Key": "k-1"})
    again = post(officer, cn, "record-refusal", {"note": "Asked us to leave."}, **{"Idempotency-Key": "k-1"})
    assert (first.status_code, again.status_code) == (200, 200)
    assert again.headers["Idempotent-Replay"] == "true"
    assert transitions_of(cn).count(("ecc_advised", "refused")) == 1
    assert Encounter.objects.filter(delivery=cn).count() == 1


def test_the_same_key_with_another_body_is_a_422(officer, walk_to):
    cn = walk_to("ecc_advised")
    post(officer, cn, "record-refusal", {"note": "a"}, **{"Idempotency-Key": "k-2"})
    response = post(officer, cn, "record-refusal", {"note": "b"}, **{"Idempotency-Key": "k-2"})
    assert response.status_code == 422


def test_a_refused_step_with_a_key_is_replayed_as_the_same_refusal(le_lead, walk_to):
    cn = walk_to("in_preparation")
    first = post(le_lead, cn, "approve", {}, **{"Idempotency-Key": "k-3"})
    again = post(le_lead, cn, "approve", {}, **{"Idempotency-Key": "k-3"})
    assert first.status_code == again.status_code == 409
    assert Delivery.objects.get(pk=cn.pk).state == State.IN_PREPARATION


def test_a_step_with_a_key_is_recorded_and_audited_once(le_lead, walk_to):
    cn = walk_to("in_preparation")
    body = {"completed_on": TODAY, "result": "no_concerns"}
    for _ in range(2):
        post(le_lead, cn, "threat-assessment", body, **{"Idempotency-Key": "k-4"})
    assert Check.objects.filter(delivery=cn).count() == 1
    assert AuditEvent.objects.filter(object_id=str(cn.pk), note__contains="threat assessment").count() == 1


def test_a_new_key_is_claimed_in_one_statement_and_answered_in_another(officer, walk_to):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    cn = walk_to("ecc_advised")
    with CaptureQueriesContext(connection) as queries:
        post(officer, cn, "record-refusal", {"note": "Asked us to leave."}, **{"Idempotency-Key": "k-5"})
    keyed = [q["sql"].split()[0] for q in queries.captured_queries if "vip_idempotencyrecord" in q["sql"]]
    assert keyed == ["INSERT", "UPDATE"]


# --- the answer: the CN as the transition left it, the same as its detail ---------------------------------


def test_a_transitions_answer_is_the_cns_detail_as_read_after_it(le_lead, walk_to):
    cn = walk_to("ecc_advised")
    answer = post(le_lead, cn, "record-refusal", {"note": "Asked us to leave.", "message_partially_given": True})
    assert answer.json() == client_for(le_lead).get(f"/api/deliveries/{cn.pk}/").json()


def test_an_officers_answer_is_their_detail_with_the_transitions_open_to_them(le_lead, officer, walk_to):
    cn = walk_to("ecc_advised")
    answer = post(officer, cn, "record-not-located", {"note": "Nobody home."}).json()
    assert answer == client_for(officer).get(f"/api/deliveries/{cn.pk}/").json()
    assert [t["name"] for t in answer["available_transitions"]] == ["retry", "record-after-action"]


def test_the_jpo_checks_answer_is_the_cns_detail_as_read_after_it(le_lead, juvenile):
    from notifications import services as s

    cn = s.delivery_create(user=le_lead, candidate=juvenile)
    s.delivery_determine_eligibility(cn.pk, user=le_lead)
    s.delivery_start_preparation(cn.pk, user=le_lead)
    body = {
        "contacted_on": TODAY,
        "on_probation": False,
        "decision": "deliver",
        "reasons": "No open probation.",
        "services_status": "None active.",
        "relationship_status": "No probation officer.",
    }
    answer = post(le_lead, cn, "jpo-check", body).json()
    assert answer["jpo_check"]["decision"] == "deliver"
    assert answer == client_for(le_lead).get(f"/api/deliveries/{cn.pk}/").json()


def test_a_transitions_answer_names_its_person_as_the_transition_saw_them(le_lead, walk_to):
    cn = walk_to("ecc_advised")
    answer = post(le_lead, cn, "record-refusal").json()
    assert (answer["state"], answer["candidate"]["full_name"]) == ("refused", str(cn.candidate))
    assert answer["le_lead"] == le_lead.get_full_name() and answer["encounters"][-1]["outcome"] == "refused"


def test_a_cn_whose_person_is_sealed_before_the_answer_is_not_shown_but_to_the_custodian(le_lead, custodian, cn):
    from django.http import Http404

    from notifications.selectors import get_changed_delivery_detail_for_user

    cn.candidate.sealed_at = timezone.now()  # sealed while the transition ran: its locked read finds it so
    cn.candidate.save()
    with pytest.raises(Http404):
        get_changed_delivery_detail_for_user(le_lead, cn)
    assert get_changed_delivery_detail_for_user(custodian, cn).pk == cn.pk


def test_a_refusal_records_the_encounter_and_audits_the_change_of_state_once_each(le_lead, walk_to):
    cn = walk_to("ecc_advised")
    last = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first()
    post(le_lead, cn, "record-refusal", {"note": "Asked us to leave."})
    rows = list(AuditEvent.objects.filter(id__gt=last))
    assert sorted((row.action, row.object_type) for row in rows) == [
        ("create", "notifications.Encounter"),
        ("read", "notifications.Delivery"),  # the answer shows the CN: its one read row (issue 17)
        ("transition", "notifications.Delivery"),
        ("update", "notifications.Delivery"),
    ]
    change = next(row for row in rows if row.action == "update").changes
    assert change["state"] == ["ecc_advised", "refused"] and set(change) == {"state", "state_entered_at"}


def test_an_encounters_other_fields_are_still_validated(officer, walk_to):
    cn = walk_to("ecc_advised")
    future = (timezone.now() + timezone.timedelta(days=1)).isoformat()
    response = post(officer, cn, "record-delivery", {"occurred_at": future, "gvi_message_delivered": True})
    assert response.status_code == 400 and "future" in response.json()["detail"]
    assert Delivery.objects.get(pk=cn.pk).state == State.ECC_ADVISED
