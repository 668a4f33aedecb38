"""The merged-away record: a redirect to the survivor for those who may see it, 404 for anyone else, on the
page and through the API; and the merge's pages and endpoints as the LE Lead and the Program Manager use them."""

from __future__ import annotations

import pytest

from candidates.merging import services as merging
from candidates.models import CandidateMerge
from candidates.tests.factories import make_candidate, make_delivery

pytestmark = pytest.mark.django_db


@pytest.fixture
def merged_pair(le_lead, program_manager):
    kept = make_candidate(24, first="Jordan", last="Reyes")
    other = make_candidate(24, first="Jordon", last="Reyes")
    proposal = merging.merge_propose(user=le_lead, survivor_id=kept.pk, merged_id=other.pk, reason="Same person")
    merging.merge_approve(proposal.pk, user=program_manager)
    return kept, other


def test_the_merged_away_page_redirects_the_lead_to_the_survivor(client, le_lead, merged_pair):
    kept, other = merged_pair
    client.force_login(le_lead)
    response = client.get(f"/candidates/{other.pk}/")
    assert response.status_code == 302 and response["Location"] == f"/candidates/{kept.pk}/"


def test_the_merged_away_record_is_404_for_an_officer_who_may_not_see_the_survivor(client, officer, merged_pair):
    _, other = merged_pair
    client.force_login(officer)
    assert client.get(f"/candidates/{other.pk}/").status_code == 404


def test_the_api_redirects_to_the_survivor(api_client, le_lead, merged_pair):
    kept, other = merged_pair
    api_client.force_login(le_lead)
    response = api_client.get(f"/api/candidates/{other.pk}/")
    assert response.status_code == 302 and response["Location"] == f"/api/candidates/{kept.pk}/"


def test_the_api_answers_404_to_those_who_may_not_see_the_survivor(api_client, officer, merged_pair):
    _, other = merged_pair
    api_client.force_login(officer)
    assert api_client.get(f"/api/candidates/{other.pk}/").status_code == 404


def test_the_merged_away_record_is_no_longer_listed(client, le_lead, merged_pair):
    _, other = merged_pair
    client.force_login(le_lead)
    assert f"/candidates/{other.pk}/" not in client.get("/candidates/").content.decode()


def test_the_lead_proposes_through_the_api_and_the_manager_approves(api_client, le_lead, program_manager):
    kept, other = make_candidate(30, first="Ana", last="Lujan"), make_candidate(30, first="Anna", last="Lujan")
    api_client.force_login(le_lead)
    proposed = api_client.post(
        "/api/candidates/merges/", {"survivor": kept.pk, "merged": other.pk, "reason": "Same"}, format="json"
    )
    api_client.force_login(program_manager)
    approved = api_client.post(f"/api/candidates/merges/{proposed.json()['id']}/approve/", {}, format="json")
    assert proposed.status_code == 201
    assert approved.status_code == 200 and approved.json()["status"] == "merged"


def test_the_api_refuses_with_409_and_names_the_cn_to_close(api_client, le_lead):
    kept, other = make_candidate(30, first="Ana", last="Lujan"), make_candidate(30, first="Anna", last="Lujan")
    make_delivery(kept, state="eligible")
    theirs = make_delivery(other, state="identified")
    api_client.force_login(le_lead)
    response = api_client.post(
        "/api/candidates/merges/", {"survivor": kept.pk, "merged": other.pk, "reason": "Same"}, format="json"
    )
    assert response.status_code == 409
    assert f"CN #{theirs.pk}" in str(response.json()["unmet_conditions"])


def test_the_api_refuses_the_proposer_approving_their_own_merge(api_client, le_lead, program_manager):
    kept, other = make_candidate(30, first="Ana", last="Lujan"), make_candidate(30, first="Anna", last="Lujan")
    le_lead.groups.add(*program_manager.groups.all())
    merge = merging.merge_propose(user=le_lead, survivor_id=kept.pk, merged_id=other.pk, reason="Same")
    api_client.force_login(le_lead)
    response = api_client.post(f"/api/candidates/merges/{merge.pk}/approve/", {}, format="json")
    assert response.status_code == 403
    assert CandidateMerge.objects.get(pk=merge.pk).status == "proposed"


def test_the_lead_proposes_from_a_persons_page(client, le_lead):
    kept, other = make_candidate(30, first="Ana", last="Lujan"), make_candidate(30, first="Anna", last="Lujan")
    client.force_login(le_lead)
    response = client.post(f"/candidates/{kept.pk}/merge/", {"other": other.pk, "keep": "this", "reason": "Same"})
    merge = CandidateMerge.objects.get()
    assert response.status_code == 302 and (merge.survivor, merge.merged) == (kept, other)


def test_a_refused_proposal_shows_why_and_keeps_what_was_typed(client, le_lead):
    kept, other = make_candidate(30, first="Ana", last="Lujan"), make_candidate(30, first="Anna", last="Lujan")
    make_delivery(kept, state="eligible")
    make_delivery(other, state="eligible")
    client.force_login(le_lead)
    html = client.post(
        f"/candidates/{kept.pk}/merge/", {"other": other.pk, "keep": "this", "reason": "Same tattoo"}
    ).content.decode()
    assert "Both records have an open CN" in html and "Same tattoo" in html


def test_the_intake_warning_creates_then_opens_the_merge_proposal(client, le_lead):
    existing = make_candidate(30, first="Ana", last="Lujan")
    client.force_login(le_lead)
    form = {
        "first_name": "Ana",
        "last_name": "Lujan",
        "date_of_birth": str(existing.date_of_birth),
        "sex": "F",
        "merge_with": str(existing.pk),
    }
    for prefix in ("aliases", "addresses", "phones"):
        form.update({f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0"})
    response = client.post("/candidates/new/", form)
    assert response.status_code == 302 and response["Location"].endswith(f"/merge/?other={existing.pk}")


def test_the_program_manager_approves_on_the_merges_page(client, le_lead, program_manager):
    kept, other = make_candidate(30, first="Ana", last="Lujan"), make_candidate(30, first="Anna", last="Lujan")
    merge = merging.merge_propose(user=le_lead, survivor_id=kept.pk, merged_id=other.pk, reason="Same")
    client.force_login(program_manager)
    assert "Approve and merge" in client.get("/candidates/merges/").content.decode()
    client.post(f"/candidates/merges/{merge.pk}/approve/", {"note": ""})
    assert CandidateMerge.objects.get(pk=merge.pk).status == "merged"
