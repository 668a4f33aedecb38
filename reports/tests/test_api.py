"""/api/services/ and /api/outcomes/: the same rules as the pages, field errors as 400."""

import datetime as dt

import pytest
from rest_framework.test import APIClient

from candidates.models import ServiceOffer
from reports.tests.builders import offer, person

pytestmark = pytest.mark.django_db

TODAY = dt.date.today()


@pytest.fixture
def adult():
    return person("Orla", "Brightwater", dt.date(1998, 4, 4))


def api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_the_program_manager_records_an_offer(program_manager, adult):
    answer = api(program_manager).post("/api/services/", {"candidate": adult.pk, "service_type": "shelter"})
    assert answer.status_code == 201
    assert ServiceOffer.objects.get(pk=answer.data["id"]).offered_by == program_manager


def test_a_status_is_recorded_with_a_patch(program_manager, adult):
    made = offer(adult, "shelter", "offered", TODAY)
    answer = api(program_manager).patch(f"/api/services/{made.pk}/", {"status": "accepted"})
    assert (answer.status_code, answer.data["status_changed_on"]) == (200, TODAY.isoformat())


def test_a_future_offer_is_a_400_with_the_field_and_the_reason(program_manager, adult):
    future = (TODAY + dt.timedelta(days=2)).isoformat()
    answer = api(program_manager).post(
        "/api/services/", {"candidate": adult.pk, "service_type": "shelter", "offered_on": future}
    )
    assert answer.status_code == 400
    assert answer.data["offered_on"] == ["The offer is dated in the future: check the date."]


def test_a_candidate_the_user_may_not_see_is_an_unknown_id(social_worker, adult):
    answer = api(social_worker).post("/api/services/", {"candidate": adult.pk, "service_type": "shelter"})
    assert answer.status_code == 400
    assert "candidate" in answer.data


def test_an_officer_may_not_list_services(officer):
    assert api(officer).get("/api/services/").status_code == 403


def test_the_list_is_filtered_by_status(program_manager, adult):
    offer(adult, "shelter", "offered", TODAY)
    offer(adult, "food_box", "accepted", TODAY)
    answer = api(program_manager).get("/api/services/", {"status": "accepted"})
    assert [row["service_type"] for row in answer.data["results"]] == ["food_box"]


def test_the_le_lead_records_an_outcome(le_lead, adult):
    answer = api(le_lead).post(
        "/api/outcomes/",
        {"candidate": adult.pk, "kind": "arrest", "category": "gun_violence", "occurred_on": TODAY.isoformat(),
         "source_reference": "RMS-26-7"},
    )  # fmt: skip
    assert answer.status_code == 201
    assert answer.data["recorded_by"] == le_lead.pk


def test_an_arrest_without_category_is_a_400(le_lead, adult):
    answer = api(le_lead).post(
        "/api/outcomes/",
        {"candidate": adult.pk, "kind": "arrest", "occurred_on": TODAY.isoformat(), "source_reference": "R"},
    )
    assert answer.data["category"] == ["Pick the category of the offence."]


def test_social_services_may_not_read_outcomes(social_worker):
    assert api(social_worker).get("/api/outcomes/").status_code == 403


# Issue 17 reversed the rule this test held ("the offer can name the social worker who made it"): who acted is
# the signed-in user, set by the server; `offered_by` stays in the answer, read-only.
def test_it_names_the_signed_in_user_as_who_made_the_offer_whatever_is_sent(program_manager, social_worker, adult):
    answer = api(program_manager).post(
        "/api/services/", {"candidate": adult.pk, "service_type": "food_box", "offered_by": social_worker.pk}
    )
    assert answer.data["offered_by"] == program_manager.pk


def test_a_patch_cannot_change_who_made_the_offer(program_manager, social_worker, adult):
    made = offer(adult, "shelter", "offered", TODAY, offered_by=program_manager)
    api(program_manager).patch(f"/api/services/{made.pk}/", {"offered_by": social_worker.pk}, format="json")
    made.refresh_from_db()
    assert made.offered_by == program_manager


def test_the_form_records_the_signed_in_user_as_who_made_the_offer(program_manager, social_worker, adult):
    from vip.testing import verified_client

    browser = verified_client()
    browser.force_login(program_manager)
    browser.post(
        f"/reports/services/new/?candidate={adult.pk}",
        {
            "service_type": "shelter",
            "offered_by": social_worker.pk,
            "offered_on": TODAY.isoformat(),
            "status": "offered",
        },
    )
    assert ServiceOffer.objects.get(candidate=adult).offered_by == program_manager
