"""The candidates API: who sees and writes what, search, filters, and bad input answered with field errors."""

import datetime as dt
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.request import Request
from rest_framework.test import APIClient

from candidates import models as m
from candidates import services
from candidates.history import candidate_history
from candidates.models import today
from candidates.tests.factories import (
    make_candidate,
    make_delivery,
    make_group,
    make_meeting,
    make_shooting,
)
from notifications.models import TeamMember

pytestmark = pytest.mark.django_db


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def ids(response) -> set[int]:
    return {row["id"] for row in response.json()["results"]}


NEW_PERSON = {
    "first_name": "Jordan",
    "last_name": "Alvarez",
    "date_of_birth": "2003-04-05",
    "sex": "M",
    "aliases": [{"name": "J-Bird"}],
    "addresses": [{"line1": "1200 Demo Ln SW", "valid_from": "2025-01-01"}],
    "phones": [{"number": "505-555-0100", "label": "mobile"}],
}


# --- intake and edits ----------------------------------------------------------------------------------


def test_the_le_lead_takes_a_person_in_with_aliases_addresses_and_phones(le_lead):
    response = client_for(le_lead).post("/api/candidates/", NEW_PERSON, format="json")
    assert response.status_code == 201, response.json()
    person = m.Candidate.objects.get(pk=response.json()["id"])
    assert [a.name for a in person.aliases.all()] == ["J-Bird"]
    assert candidate_history(person)[0].actor == le_lead


def test_a_date_of_birth_in_the_future_answers_400_with_the_field_and_saves_nothing(le_lead):
    future = (today() + dt.timedelta(days=2)).isoformat()
    response = client_for(le_lead).post("/api/candidates/", {**NEW_PERSON, "date_of_birth": future}, format="json")
    assert response.status_code == 400
    assert "future" in response.json()["date_of_birth"][0]
    assert not m.Candidate.objects.exists()


def test_intake_of_a_likely_duplicate_answers_409_with_the_people_to_open(le_lead):
    existing = make_candidate(first="Jordan", last="Alvarez")
    existing.date_of_birth = dt.date(2003, 4, 5)
    existing.save()
    client = client_for(le_lead)
    response = client.post("/api/candidates/", {**NEW_PERSON, "first_name": "Jordon"}, format="json")
    assert response.status_code == 409
    assert [p["id"] for p in response.json()["possible_duplicates"]] == [existing.pk]


def test_intake_goes_ahead_when_the_user_says_it_is_another_person(le_lead):
    existing = make_candidate(first="Jordan", last="Alvarez")
    existing.date_of_birth = dt.date(2003, 4, 5)
    existing.save()
    response = client_for(le_lead).post("/api/candidates/", {**NEW_PERSON, "create_anyway": True}, format="json")
    assert response.status_code == 201
    assert m.Candidate.objects.count() == 2


def test_an_update_replaces_the_aliases_and_is_audited(le_lead):
    from vip.models import AuditEvent

    person = services.candidate_create(
        user=le_lead, first_name="Kayla", last_name="Montoya", date_of_birth=dt.date(2001, 1, 1), aliases=["Kay"]
    )
    response = client_for(le_lead).patch(
        f"/api/candidates/{person.pk}/", {"notes": "Works nights.", "aliases": [{"name": "KK"}]}, format="json"
    )
    assert response.status_code == 200, response.json()
    assert [a["name"] for a in response.json()["aliases"]] == ["KK"]
    assert AuditEvent.objects.filter(object_id=str(person.pk), action="update").exists()


@pytest.mark.parametrize("persona", ["officer", "program_manager", "social_worker"])
def test_only_the_le_lead_writes_candidates(request, persona):
    response = client_for(request.getfixturevalue(persona)).post("/api/candidates/", NEW_PERSON, format="json")
    assert response.status_code == 403


def test_a_user_with_no_vip_role_is_refused_the_api(outsider):
    assert client_for(outsider).get("/api/candidates/").status_code == 403


# --- who sees whom ---------------------------------------------------------------------------------------


def test_the_le_lead_and_program_manager_see_every_candidate(le_lead, program_manager):
    people = {make_candidate().pk, make_candidate(age=16).pk}
    assert ids(client_for(le_lead).get("/api/candidates/")) >= people
    assert ids(client_for(program_manager).get("/api/candidates/")) >= people


def test_an_officer_sees_only_the_candidates_of_cns_they_are_on(officer):
    mine, other = make_candidate(), make_candidate()
    make_delivery(mine, team=[(officer, TeamMember.Role.OFFICER)])
    client = client_for(officer)
    assert mine.pk in ids(client.get("/api/candidates/"))
    assert other.pk not in ids(client.get("/api/candidates/"))
    assert client.get(f"/api/candidates/{other.pk}/").status_code == 404


def test_social_services_see_the_adults_they_serve_and_nobody_else(social_worker):
    served, stranger = make_candidate(), make_candidate()
    m.ServiceOffer.objects.create(
        candidate=served, service_type="food_box", offered_by=social_worker, offered_on=today()
    )
    seen = ids(client_for(social_worker).get("/api/candidates/"))
    assert served.pk in seen
    assert stranger.pk not in seen


def test_an_officer_does_not_see_influencers_of_people_they_do_not_work_with(officer):
    other = make_candidate()
    m.Influencer.objects.create(candidate=other, name="Maria", relationship="parent")
    assert ids(client_for(officer).get("/api/influencers/")) == set()


def test_a_search_does_not_reach_people_the_user_may_not_see(officer):
    make_candidate(first="Zelda", last="Quintero")
    assert ids(client_for(officer).get("/api/candidates/?q=Quintero")) == set()


# --- search and filters ----------------------------------------------------------------------------------


def test_a_misspelled_name_still_finds_the_person(le_lead):
    person = make_candidate(first="Jordan", last="Alvarez")
    make_candidate(first="Brianna", last="Sandoval")
    assert ids(client_for(le_lead).get("/api/candidates/?q=alvares")) == {person.pk}


def test_a_misspelled_alias_finds_the_person(le_lead):
    person = services.candidate_create(
        user=le_lead, first_name="Noah", last_name="Baca", date_of_birth=dt.date(2004, 1, 1), aliases=["Littlefoot"]
    )
    assert ids(client_for(le_lead).get("/api/candidates/?q=litlefoot")) == {person.pk}


def test_the_list_filters_by_age_band_and_juvenile(le_lead):
    young, adult = make_candidate(age=16), make_candidate(age=27)
    client = client_for(le_lead)
    assert ids(client.get("/api/candidates/?age_band=under_18")) == {young.pk}
    assert ids(client.get("/api/candidates/?age_band=25_29")) == {adult.pk}
    assert ids(client.get("/api/candidates/?juvenile=adult")) == {adult.pk}


def test_the_list_filters_by_group_and_latest_cn_state(le_lead):
    member, other = make_candidate(), make_candidate()
    group, meeting = make_group(), make_meeting()
    services.membership_add(
        user=le_lead, candidate=member, group=group, source="gvis", gvis_meeting=meeting, identified_on=meeting.held_on
    )
    make_delivery(other, state="ready")
    client = client_for(le_lead)
    assert ids(client.get(f"/api/candidates/?group={group.pk}")) == {member.pk}
    assert ids(client.get("/api/candidates/?cn_state=ready")) == {other.pk}


def test_the_list_takes_the_same_number_of_queries_for_3_or_12_people(le_lead):
    client = client_for(le_lead)
    group, meeting = make_group(), make_meeting()

    def add_people(count):
        for _ in range(count):
            person = make_candidate()
            m.Alias.objects.create(candidate=person, name="Alias")
            m.Address.objects.create(candidate=person, line1="1 Main")
            m.GroupMembership.objects.create(
                candidate=person, group=group, source="gvis", gvis_meeting=meeting, identified_on=meeting.held_on
            )
            make_delivery(person)

    def count_queries():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/api/candidates/").status_code == 200
        return len(ctx)

    add_people(3)
    count_queries()  # the first request also reads the user's roles once
    few = count_queries()
    add_people(9)
    assert count_queries() == few


def test_the_list_pages_and_counts_with_the_page_itself_and_shows_each_row_whole(le_lead):
    people = [
        services.candidate_create(
            user=le_lead, first_name="Ana", last_name=f"Pagetest{n:02d}", date_of_birth=dt.date(2000, 1, 1),
            aliases=[f"A{n}", f"B{n}"], addresses=[{"line1": f"{n} Main"}], phones=[{"number": f"505-{n:03d}"}],
        )
        for n in range(53)
    ]  # fmt: skip
    client = client_for(le_lead)
    first = client.get("/api/candidates/?q=pagetest").json()
    assert first["count"] == 53 and len(first["results"]) == 50 and "page=2" in first["next"]
    second = client.get("/api/candidates/?q=pagetest&page=2").json()
    assert second["count"] == 53 and len(second["results"]) == 3 and second["next"] is None
    row = next(r for r in first["results"] if r["id"] == people[7].pk)
    assert [a["name"] for a in row["aliases"]] == ["A7", "B7"]
    assert [a["line1"] for a in row["addresses"]] == ["7 Main"] and [p["number"] for p in row["phones"]] == ["505-007"]
    assert client.get("/api/candidates/?q=pagetest&page=3").status_code == 404
    assert client.get("/api/candidates/?q=zzyzx").json() == {"count": 0, "next": None, "previous": None, "results": []}


def a_person_with_everything_a_row_shows(le_lead, officer) -> m.Candidate:
    """Middle name, photo, aliases, addresses (one without dates), a phone, an approved membership and one
    awaiting approval, a CN with the officer on its team."""
    person = services.candidate_create(
        user=le_lead, first_name="Ana", middle_name="Luz", last_name="Rowtest", date_of_birth=dt.date(2010, 2, 3),
        sex="F", notes="Met at <school>", aliases=["Annie", "A-Luz"],
        addresses=[{"line1": "1 Main", "valid_from": dt.date(2024, 5, 1)}, {"line1": "2 Side", "line2": "Apt 3"}],
        phones=[{"number": "505-555-0101", "label": "mobile", "valid_to": dt.date(2026, 1, 1)}],
    )  # fmt: skip
    m.Candidate.objects.filter(pk=person.pk).update(photo="candidate-photos/ana.jpg")
    meeting = make_meeting()
    for group, approved in ((make_group("Approved group"), True), (make_group("Awaiting group"), False)):
        m.GroupMembership.objects.create(
            candidate=person, group=group, source="gvis", gvis_meeting=meeting, identified_on=meeting.held_on,
            approved_by=le_lead if approved else None, approved_at=timezone.now() if approved else None,
        )  # fmt: skip
    make_delivery(person, state="ready", team=[(officer, TeamMember.Role.OFFICER)])
    return person


@pytest.mark.parametrize("persona", ["le_lead", "officer"])
def test_the_list_writes_each_row_as_the_serializer_does(request, persona, le_lead, officer):
    from rest_framework.test import APIRequestFactory

    from candidates.selectors import candidate_list_for
    from candidates.serializers import CandidateSerializer

    a_person_with_everything_a_row_shows(le_lead, officer)
    make_candidate(first="Bo", last="Rowtest")  # nothing but a name (the LE Lead's list only)
    user = request.getfixturevalue(persona)
    listed = client_for(user).get("/api/candidates/?q=rowtest").json()["results"]
    drf_request = APIRequestFactory().get("/api/candidates/?q=rowtest")
    drf_request.user = user
    context = {"request": Request(drf_request)}
    written_by_drf = [
        CandidateSerializer(candidate, context=context).data
        for candidate in candidate_list_for(user, contacts=True).filter(pk__in=[row["id"] for row in listed])
    ]
    by_id = {row["id"]: row for row in written_by_drf}
    assert [json.dumps(row) for row in listed] == [json.dumps(by_id[row["id"]]) for row in listed]


def test_the_list_reads_each_rows_aliases_addresses_phones_and_groups_with_the_rows(le_lead, officer):
    a_person_with_everything_a_row_shows(le_lead, officer)
    with CaptureQueriesContext(connection) as ctx:
        row = client_for(le_lead).get("/api/candidates/?q=rowtest").json()["results"][0]
    related = ("candidates_alias", "candidates_address", "candidates_phone", "candidates_groupmembership")
    assert [q["sql"] for q in ctx if any(table in q["sql"] for table in related)] == [
        q["sql"] for q in ctx if 'FROM "candidates_candidate"' in q["sql"]
    ]
    person = m.Candidate.objects.get(pk=row["id"])
    assert [a["name"] for a in row["aliases"]] == ["Annie", "A-Luz"]
    assert [a["line1"] for a in row["addresses"]] == [a.line1 for a in person.addresses.all()]  # as the page


def test_social_services_never_see_a_membership_awaiting_approval_in_the_list(le_lead, officer, social_worker):
    person = a_person_with_everything_a_row_shows(le_lead, officer)
    m.Candidate.objects.filter(pk=person.pk).update(date_of_birth=dt.date(1990, 1, 1))  # an adult they serve
    m.ServiceOffer.objects.create(
        candidate=person, service_type="food_box", offered_by=social_worker, offered_on=today()
    )
    row = client_for(social_worker).get("/api/candidates/").json()["results"][0]
    assert [g["name"] for g in row["groups"]] == ["Approved group"]


# --- the network and the evidence ----------------------------------------------------------------------


def test_a_basis_without_evidence_answers_400_naming_what_to_add(le_lead):
    person = make_candidate()
    response = client_for(le_lead).post(
        "/api/eligibility-bases/", {"candidate": person.pk, "kind": "shooting_victim"}, format="json"
    )
    assert response.status_code == 400
    assert "Pick the shooting" in response.json()["shooting"][0]


def test_the_influencer_basis_is_refused_for_a_juvenile_with_the_reason(le_lead):
    person = make_candidate(age=16)
    body = {"candidate": person.pk, "kind": "influencer", "shooting": make_shooting().pk, "related_person_name": "X"}
    response = client_for(le_lead).post("/api/eligibility-bases/", body, format="json")
    assert response.status_code == 400
    assert "adults only" in response.json()["kind"][0]


def test_a_referral_from_outreach_for_an_adult_answers_400_with_the_accepted_sources(le_lead):
    body = {
        "candidate": make_candidate().pk,
        "source": "outreach",
        "referred_by": "Street outreach",
        "referred_on": today().isoformat(),
        "reason": "Retaliation feared",
    }
    response = client_for(le_lead).post("/api/referrals/", body, format="json")
    assert response.status_code == 400
    assert "District Attorney" in response.json()["source"][0]


def test_a_referral_can_become_the_basis_in_one_step(le_lead):
    person = make_candidate(age=16)
    body = {
        "candidate": person.pk,
        "source": "faith_based",
        "referred_by": "Pastor Lee",
        "referred_on": today().isoformat(),
        "reason": "Brother shot last month",
        "add_basis": True,
    }
    assert client_for(le_lead).post("/api/referrals/", body, format="json").status_code == 201
    assert person.bases.get().kind == "referral"


def test_a_shooting_dated_in_the_future_answers_400(le_lead):
    body = {"incident_number": "S-9", "occurred_on": (today() + dt.timedelta(days=1)).isoformat(), "location": "X"}
    response = client_for(le_lead).post("/api/shootings/", body, format="json")
    assert response.status_code == 400
    assert "occurred_on" in response.json()


def test_a_shooting_is_recorded_with_its_victims_and_people_involved(le_lead):
    victim = make_candidate()
    body = {
        "incident_number": "S-10",
        "occurred_on": today().isoformat(),
        "location": "98th St SW",
        "participants": [{"candidate": victim.pk, "role": "victim"}, {"name": "Unknown male", "role": "involved"}],
    }
    response = client_for(le_lead).post("/api/shootings/", body, format="json")
    assert response.status_code == 201, response.json()
    assert len(response.json()["participants"]) == 2


def test_a_gvis_meeting_records_the_shootings_groups_and_people(le_lead):
    shooting, group, person = make_shooting(), make_group(), make_candidate()
    body = {
        "held_on": today().isoformat(),
        "partners_present": "APD\nDA",
        "shootings_reviewed": [shooting.pk],
        "groups_identified": [group.pk],
        "individuals_identified": [person.pk],
    }
    response = client_for(le_lead).post("/api/gvis-meetings/", body, format="json")
    assert response.status_code == 201, response.json()
    assert list(person.gvis_meetings.values_list("pk", flat=True)) == [response.json()["id"]]


def test_a_membership_is_added_with_who_added_it(le_lead):
    meeting = make_meeting()
    body = {
        "candidate": make_candidate().pk,
        "group": make_group().pk,
        "source": "gvis",
        "gvis_meeting": meeting.pk,
        "identified_on": meeting.held_on.isoformat(),
    }
    response = client_for(le_lead).post("/api/memberships/", body, format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["added_by"] == le_lead.pk


def test_an_officer_may_not_see_shootings_or_gvis_meetings_lists(officer):
    make_shooting()
    assert client_for(officer).get("/api/shootings/").json()["count"] == 0


def test_the_le_lead_cannot_attach_evidence_to_a_person_through_an_unknown_id(le_lead):
    response = client_for(le_lead).post(
        "/api/influencers/", {"candidate": 999999, "name": "X", "relationship": "parent"}, format="json"
    )
    assert response.status_code == 400


def test_the_openapi_schema_documents_the_candidate_endpoints(le_lead):
    response = client_for(le_lead).get("/api/schema/")
    assert b"/api/eligibility-bases/" in response.content


def test_an_update_answers_with_the_latest_cn_state(le_lead):
    person = make_candidate()
    make_delivery(person, state="eligible")
    response = client_for(le_lead).patch(f"/api/candidates/{person.pk}/", {"notes": "x"}, format="json")
    assert response.json()["latest_cn_state"] == "eligible"


def test_an_officer_finds_their_own_candidate_by_a_misspelled_name(officer):
    mine = make_candidate(first="Andre", last="Lucero")
    make_delivery(mine, team=[(officer, TeamMember.Role.OFFICER)])
    make_delivery(mine, team=[(officer, TeamMember.Role.OFFICER)])  # two CNs: still one row
    assert [r["id"] for r in client_for(officer).get("/api/candidates/?q=lusero").json()["results"]] == [mine.pk]


def test_a_client_asks_for_likely_duplicates_before_intake(le_lead):
    existing = make_candidate(first="Marcus", last="Pettibone")
    existing.date_of_birth = dt.date(1997, 3, 3)
    existing.save()
    url = "/api/candidates/possible-duplicates/?first_name=Markus&last_name=Petibone&date_of_birth=1997-03-03"
    assert [p["id"] for p in client_for(le_lead).get(url).json()] == [existing.pk]


def test_the_duplicate_question_needs_a_date_of_birth(le_lead):
    response = client_for(le_lead).get("/api/candidates/possible-duplicates/?first_name=A&last_name=B")
    assert response.status_code == 400
    assert "date_of_birth" in response.json()
