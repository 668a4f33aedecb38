"""Issue 17, item 7: bad input answers 400, 404 or 413 with a message, never a server error (ASVS 5.1)."""

import json

import pytest
from django.test import Client

from candidates import models as m
from candidates.tests.factories import make_candidate
from vip.testing import verified_api_client, verified_client

pytestmark = pytest.mark.django_db


def deep(levels: int) -> str:
    return "[" * levels + "]" * levels


@pytest.fixture
def lead_api(le_lead):
    api = verified_api_client()
    api.force_login(le_lead)
    return api


def test_it_refuses_deeply_nested_json_at_the_token_endpoint():
    response = Client().post("/api/auth/token/", deep(5000), content_type="application/json")
    assert response.status_code == 400 and "nested" in response.json()["detail"]


def test_it_refuses_deeply_nested_json_on_an_api_post(lead_api):
    body = '{"first_name": ' + deep(5000) + "}"
    response = lead_api.post("/api/candidates/", body, content_type="application/json")
    assert response.status_code == 400 and "nested" in response.json()["detail"]


def test_a_put_of_an_influencer_repeating_its_candidate_is_accepted(lead_api):
    person = make_candidate()
    influencer = m.Influencer.objects.create(candidate=person, name="Aunt Rosa", relationship="other")
    body = lead_api.get(f"/api/influencers/{influencer.pk}/").json()
    response = lead_api.put(f"/api/influencers/{influencer.pk}/", body, format="json")
    assert response.status_code == 200


def test_a_put_moving_an_influencer_to_another_person_says_why_not(lead_api):
    person, other = make_candidate(), make_candidate()
    influencer = m.Influencer.objects.create(candidate=person, name="Aunt Rosa", relationship="other")
    body = {**lead_api.get(f"/api/influencers/{influencer.pk}/").json(), "candidate": other.pk}
    response = lead_api.put(f"/api/influencers/{influencer.pk}/", body, format="json")
    assert response.status_code == 400 and "stays with its person" in response.json()["detail"]


def test_a_page_number_past_any_list_is_not_found(lead_api):
    make_candidate()
    response = lead_api.get("/api/candidates/?page=99999999999999999999")
    assert response.status_code == 404 and response.json()["detail"]


def test_a_nul_in_a_drill_down_query_is_refused_with_a_message(program_manager):
    browser = verified_client()
    browser.force_login(program_manager)
    response = browser.get("/reports/drill/state/", {"state": "ready\x00"})
    assert response.status_code == 400 and b"NUL" in response.content


def test_an_infinite_number_as_an_id_is_refused_with_a_message(lead_api):
    body = '{"candidate": 1e400, "name": "Aunt Rosa", "relationship": "other"}'
    response = lead_api.post("/api/influencers/", body, content_type="application/json")
    assert response.status_code == 400 and "too large" in response.json()["detail"]


def test_a_nul_in_a_json_value_is_refused_with_a_message(lead_api):
    body = json.dumps({"first_name": "Jo\x00rdan", "last_name": "Doe", "date_of_birth": "2000-01-01"})
    response = lead_api.post("/api/candidates/", body, content_type="application/json")
    assert response.status_code == 400 and "NUL" in response.json()["detail"]
