"""/api/personnel/ (SOP 2-64-6) and /api/letter-templates/."""

import pytest
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def _rows(user):
    return {r["name"]: r for r in client_for(user).get("/api/personnel/").json()["results"]}


def test_personnel_shows_who_is_qualified_and_what_others_lack(le_lead, officer, trainee, untrained_officer):
    rows = _rows(le_lead)
    assert rows["Marco Benavidez"]["qualified"] is True
    assert rows["Sam Whitehorse"]["may_go_as_trainee"] is True
    assert any("training" in m for m in rows["Una Trained"]["missing"])


def test_personnel_counts_closed_deliveries_and_command_level(le_lead, second_officer):
    row = _rows(le_lead)["Priya Castellano"]
    assert (row["command_level"], row["deliveries"]) == (True, 1)


def test_an_officer_may_not_list_personnel(officer):
    assert client_for(officer).get("/api/personnel/").status_code == 403


def test_letter_templates_are_listed_read_only(le_lead):
    client = client_for(le_lead)
    assert client.get("/api/letter-templates/").json()["count"] >= 1
    assert client.post("/api/letter-templates/", {"name": "x", "body": "y"}, format="json").status_code == 405
