"""/api/deliveries/: list with filters, create (the LE Lead), read with step records and available transitions."""

import pytest
from rest_framework.test import APIClient

from notifications import services as s
from notifications.tests.conftest import make_candidate

pytestmark = pytest.mark.django_db


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_the_le_lead_lists_every_cn_paginated(le_lead, cn):
    body = client_for(le_lead).get("/api/deliveries/").json()
    assert body["count"] == 1 and body["results"][0]["state"] == "identified"


def test_the_list_filters_by_state(le_lead, cn, walk_to):
    other = s.delivery_create(user=le_lead, candidate=make_candidate(last="Other"))
    walk_to("eligible")
    ids = [d["id"] for d in client_for(le_lead).get("/api/deliveries/?state=identified").json()["results"]]
    assert ids == [other.pk]


def test_an_unknown_state_filter_is_a_400_that_says_what_to_use(le_lead):
    response = client_for(le_lead).get("/api/deliveries/?state=done")
    assert response.status_code == 400 and "identified" in str(response.json())


def test_mine_lists_only_the_cns_the_officer_is_on(le_lead, officer, cn, walk_to):
    walk_to("ready")
    other = s.delivery_create(user=le_lead, candidate=make_candidate(last="Other"))
    ids = [d["id"] for d in client_for(officer).get("/api/deliveries/?mine=1").json()["results"]]
    assert cn.pk in ids and other.pk not in ids


def test_the_list_filters_by_candidate(le_lead, cn, adult):
    s.delivery_create(user=le_lead, candidate=make_candidate(last="Other"))
    results = client_for(le_lead).get(f"/api/deliveries/?candidate={adult.pk}").json()["results"]
    assert [d["id"] for d in results] == [cn.pk]


def test_an_officer_sees_no_cn_they_are_not_on(second_officer, cn):
    ids = [d["id"] for d in client_for(second_officer).get("/api/deliveries/").json()["results"]]
    assert cn.pk not in ids
    assert client_for(second_officer).get(f"/api/deliveries/{cn.pk}/").status_code == 404


def test_the_le_lead_opens_a_cn_by_candidate_id(le_lead, adult):
    response = client_for(le_lead).post("/api/deliveries/", {"candidate": adult.pk}, format="json")
    assert response.status_code == 201 and response.json()["state"] == "identified"


def test_an_officer_cannot_open_a_cn(officer, adult):
    response = client_for(officer).post("/api/deliveries/", {"candidate": adult.pk}, format="json")
    assert response.status_code == 403


def test_opening_a_cn_for_an_unknown_candidate_is_a_400(le_lead):
    response = client_for(le_lead).post("/api/deliveries/", {"candidate": 999999}, format="json")
    assert response.status_code == 400 and "candidate" in response.json()


def test_a_second_open_cn_is_refused_with_the_reason(le_lead, cn, adult):
    response = client_for(le_lead).post("/api/deliveries/", {"candidate": adult.pk}, format="json")
    assert response.status_code == 400
    assert response.json()["unmet_conditions"][0]["name"] == "candidate"


def test_the_detail_shows_the_step_records_and_the_transitions_for_the_user(le_lead, walk_to):
    cn = walk_to("in_preparation")
    s.record_check(cn.pk, user=le_lead, kind="threat_assessment", completed_on="2026-11-01", result="no_concerns")
    body = client_for(le_lead).get(f"/api/deliveries/{cn.pk}/").json()
    assert body["checks"][0]["kind"] == "threat_assessment"
    approve = next(t for t in body["available_transitions"] if t["name"] == "approve")
    assert approve["allowed"] is False and "background_check_done" in [r["name"] for r in approve["reasons"]]


def test_social_services_never_see_the_threat_assessment_or_background_check(le_lead, social_worker, cn):
    s.add_team_member(cn.pk, user=le_lead, member=social_worker, role="social_services")
    s.record_check(
        cn.pk, user=le_lead, kind="background_check", completed_on="2026-11-01", result="high_risk", notes="Armed"
    )
    body = client_for(social_worker).get(f"/api/deliveries/{cn.pk}/").json()
    assert body["checks"] is None and "high_risk" not in str(body)


def test_an_anonymous_request_is_refused(cn):
    assert APIClient().get("/api/deliveries/").status_code in (401, 403)


def test_creating_with_the_same_idempotency_key_twice_opens_one_cn(le_lead, adult):
    client = client_for(le_lead)
    for _ in range(2):
        client.post("/api/deliveries/", {"candidate": adult.pk}, format="json", headers={"Idempotency-Key": "new-1"})
    from notifications.models import Delivery

    assert Delivery.objects.filter(candidate=adult).count() == 1


def test_a_cns_detail_reads_every_step_record_in_one_query(le_lead, officer, walk_to):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    cn = walk_to("ecc_advised")
    client = client_for(le_lead)
    client.get(f"/api/deliveries/{cn.pk}/")  # warm-up
    with CaptureQueriesContext(connection) as queries:
        body = client.get(f"/api/deliveries/{cn.pk}/").json()
    sections = ("socialservicescoordination", "afteraction", "jpocheck", "eligibilitydetermination")
    one_by_one = [
        q
        for q in queries.captured_queries
        if q["sql"].startswith(tuple(f'SELECT "notifications_{t}"."id"' for t in sections))
    ]
    assert one_by_one == []
    # The one query, as written or as the statement this connection prepared from it (vip.prepared).
    assert (
        len([q for q in queries.captured_queries if q["sql"].startswith("EXECUTE vip_") or "UNION ALL" in q["sql"]])
        == 1
    )
    assert body["letter"]["status"] and len(body["checks"]) == 2 and body["ecc_advisements"]
    assert {m["name"] for m in body["team"]} >= {officer.get_full_name() or officer.username}


def test_a_social_workers_detail_never_reads_the_checks(le_lead, social_worker, walk_to):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    cn = walk_to("ready")
    s.add_team_member(cn.pk, user=le_lead, member=social_worker, role="social_services")
    with CaptureQueriesContext(connection) as queries:
        body = client_for(social_worker).get(f"/api/deliveries/{cn.pk}/").json()
    assert body["checks"] is None
    assert not [q for q in queries.captured_queries if "notifications_check" in q["sql"]]


def test_one_users_detail_does_not_shape_the_next_users(le_lead, social_worker, walk_to):
    """Every detail is serialized by one serializer built once: nothing of the LE Lead's stays for the next."""
    cn = walk_to("ready")
    s.add_team_member(cn.pk, user=le_lead, member=social_worker, role="social_services")
    lead_body = client_for(le_lead).get(f"/api/deliveries/{cn.pk}/").json()
    body = client_for(social_worker).get(f"/api/deliveries/{cn.pk}/").json()
    assert len(lead_body["checks"]) == 2 and lead_body["available_transitions"]
    assert body["checks"] is None and body["available_transitions"] == []


def test_the_detail_names_each_basis_of_the_eligibility_by_its_evidence(le_lead, cn):
    from candidates.tests.factories import make_candidate, make_meeting, make_referral, make_shooting

    person = cn.candidate
    other = make_candidate(first="Ruben", last="Sandoval")
    shooting = make_shooting()
    person.bases.create(kind="associate", shooting=shooting, related_person=other)
    person.bases.create(kind="gvis", gvis_meeting=make_meeting())
    person.bases.create(kind="referral", referral=make_referral(person))
    s.delivery_determine_eligibility(cn.pk, user=le_lead)
    bases = client_for(le_lead).get(f"/api/deliveries/{cn.pk}/").json()["eligibility"]["bases"]
    assert bases == [str(basis) for basis in person.bases.order_by("entered_at", "id")]
    assert f"Ruben Sandoval in {shooting}" in " ".join(bases)
