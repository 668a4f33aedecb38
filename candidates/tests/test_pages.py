"""The candidate pages: who may open them, intake with the duplicate check, forms that keep what was typed."""

import datetime as dt
import re

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from candidates import models as m
from candidates import services
from candidates.models import today
from candidates.tests.factories import (
    make_candidate,
    make_delivery,
    make_group,
    make_meeting,
    make_referral,
    make_shooting,
)
from notifications.models import TeamMember

pytestmark = pytest.mark.django_db


@pytest.fixture
def as_user(client):
    def sign_in(user):
        client.force_login(user)
        return client

    return sign_in


INTAKE = {
    "first_name": "Jordan",
    "middle_name": "",
    "last_name": "Alvarez",
    "date_of_birth": "2003-04-05",
    "sex": "M",
    "notes": "",
    "aliases-TOTAL_FORMS": "2",
    "aliases-INITIAL_FORMS": "0",
    "aliases-0-name": "J-Bird",
    "aliases-1-name": "",
    "addresses-TOTAL_FORMS": "1",
    "addresses-INITIAL_FORMS": "0",
    "addresses-0-line1": "1200 Demo Ln SW",
    "addresses-0-city": "Albuquerque",
    "addresses-0-state": "NM",
    "addresses-0-valid_from": "2025-01-01",
    "phones-TOTAL_FORMS": "1",
    "phones-INITIAL_FORMS": "0",
    "phones-0-number": "505-555-0100",
    "phones-0-label": "mobile",
}


# --- who may open what -------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["le_lead", "program_manager"])
def test_the_le_lead_and_program_manager_open_any_candidate(request, as_user, persona):
    person = make_candidate()
    response = as_user(request.getfixturevalue(persona)).get(f"/candidates/{person.pk}/")
    assert response.status_code == 200


def test_an_officer_opens_a_candidate_of_a_cn_they_are_on(as_user, officer):
    person = make_candidate()
    make_delivery(person, team=[(officer, TeamMember.Role.OFFICER)])
    assert as_user(officer).get(f"/candidates/{person.pk}/").status_code == 200


def test_an_officer_gets_404_for_anyone_else(as_user, officer):
    assert as_user(officer).get(f"/candidates/{make_candidate().pk}/").status_code == 404


def test_social_services_get_404_for_a_juvenile_not_on_their_team(as_user, social_worker):
    young = make_candidate(age=16)
    m.ServiceOffer.objects.create(
        candidate=young, service_type="food_box", offered_by=social_worker, offered_on=today()
    )
    assert as_user(social_worker).get(f"/candidates/{young.pk}/").status_code == 404


@pytest.mark.parametrize("persona", ["outsider", "administrator"])
def test_users_without_a_candidate_role_get_404_for_the_list(request, as_user, persona):
    assert as_user(request.getfixturevalue(persona)).get("/candidates/").status_code == 404


def test_the_list_shows_an_officer_only_their_people(as_user, officer):
    mine = make_candidate(last="Mineperson")
    make_candidate(last="Otherperson")
    make_delivery(mine, team=[(officer, TeamMember.Role.OFFICER)])
    body = as_user(officer).get("/candidates/").content.decode()
    assert "Mineperson" in body
    assert "Otherperson" not in body


@pytest.mark.parametrize("persona", ["officer", "program_manager", "social_worker"])
def test_only_the_le_lead_gets_the_intake_form(request, as_user, persona):
    assert as_user(request.getfixturevalue(persona)).get("/candidates/new/").status_code == 403


def test_an_officer_may_not_edit_a_candidate_they_see(as_user, officer):
    person = make_candidate()
    make_delivery(person, team=[(officer, TeamMember.Role.OFFICER)])
    assert as_user(officer).post(f"/candidates/{person.pk}/edit/", {}).status_code == 403


# --- the list ----------------------------------------------------------------------------------------


def test_the_list_page_takes_the_same_number_of_queries_for_3_or_20_people(as_user, le_lead):
    client = as_user(le_lead)
    group, meeting = make_group(), make_meeting()

    def add_people(count):
        for _ in range(count):
            person = make_candidate()
            m.Alias.objects.create(candidate=person, name="Alias")
            services.membership_add(
                user=le_lead,
                candidate=person,
                group=group,
                source="gvis",
                gvis_meeting=meeting,
                identified_on=meeting.held_on,
            )
            make_delivery(person, state="ready")

    def count():
        cache.clear()  # the page as computed, not with the group names kept (`kept_for_everyone`)
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/candidates/").status_code == 200
        return len(ctx)

    add_people(3)
    count()
    few = count()
    add_people(17)
    assert count() == few


def test_the_list_shows_each_persons_name_aliases_age_groups_and_latest_cn(as_user, le_lead):
    young = make_candidate(age=16, first="Kay", last="Montoya", middle_name="<b>Lu</b>")
    m.Alias.objects.create(candidate=young, name="K&K")
    meeting = make_meeting()
    for name in ("Westside", "Eastside"):
        m.GroupMembership.objects.create(
            candidate=young, group=make_group(name), source="gvis", gvis_meeting=meeting, identified_on=meeting.held_on
        )
    make_delivery(young, state="in_preparation")
    make_candidate(age=30, first="Al", last="Older")
    body = re.sub(r">\s+<", "><", as_user(le_lead).get("/candidates/").content.decode())
    assert (
        f'<tr><td><a href="{reverse("candidates:detail", args=[young.pk])}">Montoya, Kay &lt;b&gt;Lu&lt;/b&gt;</a></td>'
        "<td>K&amp;K</td>"
        '<td>16 <span class="badge badge-juvenile">Juvenile</span></td><td>Westside, Eastside</td>'
        '<td><span class="badge">In preparation</span></td></tr>'
    ) in body
    assert (
        '">Older, Al</a></td><td><span class="muted">none</span></td><td>30</td>'
        '<td><span class="muted">none</span></td><td><span class="muted">no CN yet</span></td></tr>'
    ) in body


def test_the_list_filters_juveniles(as_user, le_lead):
    make_candidate(age=16, last="Youngperson")
    make_candidate(age=30, last="Olderperson")
    body = as_user(le_lead).get("/candidates/?juvenile=juvenile").content.decode()
    assert "Youngperson" in body
    assert "Olderperson" not in body


def test_the_list_finds_a_misspelled_name(as_user, le_lead):
    make_candidate(first="Isaiah", last="Garrity")
    assert "Garrity" in as_user(le_lead).get("/candidates/?q=garrety").content.decode()


def test_the_list_is_paginated(as_user, le_lead):
    for _ in range(27):
        make_candidate()
    response = as_user(le_lead).get("/candidates/?page=2")
    assert len(response.context["page"].object_list) == 2


def test_the_search_finds_a_misspelt_last_name_and_counts_who_it_found(as_user, le_lead):
    john = make_candidate(first="John", last="Smith")
    make_candidate(first="Maria", last="Lopez")
    response = as_user(le_lead).get("/candidates/?q=john smiht")
    assert [c.pk for c in response.context["page"].object_list] == [john.pk]
    assert "1 person" in response.content.decode()


def test_the_search_ranks_the_closest_name_first_and_takes_a_quote_as_typed(as_user, le_lead):
    oneill = make_candidate(first="Sean", last="O'Neill")
    oneil = make_candidate(first="Sean", last="O'Neil")
    make_candidate(first="Sean", last="Lopez")
    response = as_user(le_lead).get("/candidates/?q=sean o'neill")
    assert [c.pk for c in response.context["page"].object_list] == [oneill.pk, oneil.pk]


def test_the_search_never_finds_a_sealed_record_but_for_the_records_custodian(as_user, le_lead, custodian):
    from django.utils import timezone

    sealed = make_candidate(first="Selena", last="Quintana")
    m.Candidate.objects.filter(pk=sealed.pk).update(sealed_at=timezone.now())
    response = as_user(le_lead).get("/candidates/?q=selena quintanna")
    assert list(response.context["page"].object_list) == [] and "0 people" in response.content.decode()
    found = as_user(custodian).get("/candidates/?q=selena quintanna").context["page"].object_list
    assert [c.pk for c in found] == [sealed.pk]


def test_the_list_counts_every_page_of_a_search_with_the_page_itself(as_user, le_lead):
    for n in range(27):
        make_candidate(first="Isaiah", last=f"Garrity{n:02d}")
    make_candidate(first="Brianna", last="Sandoval")
    client = as_user(le_lead)
    first = client.get("/candidates/?q=garrity")
    assert len(first.context["page"].object_list) == 25 and first.context["page"].paginator.count == 27
    assert "27 people" in first.content.decode() and "Page 1 of 2" in first.content.decode()
    second = client.get("/candidates/?q=garrity&page=2")
    assert len(second.context["page"].object_list) == 2 and "27 people" in second.content.decode()
    assert client.get("/candidates/?q=garrity&page=9").context["page"].number == 2  # past the end: the last page
    assert client.get("/candidates/?q=garrity&page=x").context["page"].number == 1
    nobody = client.get("/candidates/?q=zzyzx")
    assert nobody.context["page"].paginator.count == 0 and "Nobody matches" in nobody.content.decode()


def test_the_list_counts_people_once_when_a_filter_joins_their_memberships(as_user, le_lead):
    group, other = make_group(), make_group()
    for _ in range(3):
        person = make_candidate()
        for g in (group, other):
            m.GroupMembership.objects.create(
                candidate=person, group=g, source="link_analysis", link_analysis_reference="LA", identified_on=today()
            )
    response = as_user(le_lead).get(f"/candidates/?group={group.pk}")
    assert response.context["page"].paginator.count == 3 and len(response.context["page"].object_list) == 3


def test_the_filters_are_the_selects_django_would_write(as_user, le_lead):
    """The list writes its selects in Python (400 groups at a city's scale): the same markup as Django's."""
    from django import forms

    group = make_group("Southside 12 & <Co>")
    response = as_user(le_lead).get(f"/candidates/?group={group.pk}&cn_state=ready&juvenile=adult")
    form = response.context["filter"].form
    for name in ("age_band", "juvenile", "group", "cn_state", "sex"):
        bound = form[name]
        django_select = forms.Select(attrs=bound.field.widget.attrs, choices=bound.field.choices)
        expected = django_select.render(bound.html_name, bound.value(), {"id": bound.auto_id})
        assert re.sub(r"\s*\n\s*", "", str(bound)) == re.sub(r"\s*\n\s*", "", expected)
    body = response.content.decode()
    assert f'<option value="{group.pk}" selected>Southside 12 &amp; &lt;Co&gt;</option>' in body
    assert '<option value="ready" selected>' in body


def test_the_kept_group_filter_lists_a_new_group_at_once_and_marks_only_the_group_chosen(as_user, le_lead):
    first = make_group("Eastside 4")
    client = as_user(le_lead)
    assert "Eastside 4" in client.get("/candidates/").content.decode()  # kept, with no group chosen
    later = make_group("Northside 7")
    plain = client.get("/candidates/").content.decode()
    assert f'<option value="{later.pk}">Northside 7</option>' in plain
    chosen = client.get(f"/candidates/?group={first.pk}").content.decode()
    assert f'<option value="{first.pk}" selected>Eastside 4</option>' in chosen
    assert f'<option value="{first.pk}">Eastside 4</option>' in client.get("/candidates/").content.decode()


@pytest.mark.django_db(transaction=True)  # committed, as in production: nothing is kept while a change is pending
def test_the_group_filter_is_written_once_and_then_read_as_kept(le_lead, monkeypatch):
    from django.http import QueryDict

    from candidates.filters import CandidateFilter
    from candidates.forms import QuickSelect

    make_group("Eastside 4")

    def group_select() -> str:  # as the list page writes it, no group chosen
        return str(CandidateFilter(QueryDict("q=jordan"), queryset=m.Candidate.objects.all()).form["group"])

    first = group_select()

    def never(*args, **kwargs):
        raise AssertionError("the group filter was written again")

    monkeypatch.setattr(QuickSelect, "render", never)
    assert group_select() == first and "Eastside 4" in first


def test_the_filter_form_is_one_class_and_each_search_its_own_form(le_lead):
    from django.http import QueryDict

    from candidates.filters import CandidateFilter

    first = CandidateFilter(QueryDict("cn_state=ready"), queryset=m.Candidate.objects.all())
    second = CandidateFilter(QueryDict("cn_state=closed"), queryset=m.Candidate.objects.all())
    assert type(first.form) is type(second.form)
    assert first.is_valid() and second.is_valid()
    assert (first.form.cleaned_data["cn_state"], second.form.cleaned_data["cn_state"]) == ("ready", "closed")


def test_a_filter_value_the_list_does_not_have_is_refused_and_the_search_keeps_what_was_typed(as_user, le_lead):
    response = as_user(le_lead).get("/candidates/?q=jordan+smiht&cn_state=sunk")
    body = response.content.decode()
    assert response.status_code == 200
    assert "Select a valid choice. sunk is not one of the available choices." in body
    assert 'value="jordan smiht"' in body


# --- intake --------------------------------------------------------------------------------------------


def test_intake_creates_the_person_and_opens_their_page(as_user, le_lead):
    response = as_user(le_lead).post("/candidates/new/", INTAKE)
    person = m.Candidate.objects.get(last_name="Alvarez")
    assert response.url == f"/candidates/{person.pk}/"
    assert [a.name for a in person.aliases.all()] == ["J-Bird"]


def test_intake_shows_likely_duplicates_before_saving(as_user, le_lead):
    existing = make_candidate(first="Jordan", last="Alvarez")
    existing.date_of_birth = dt.date(2003, 4, 5)
    existing.save()
    response = as_user(le_lead).post("/candidates/new/", {**INTAKE, "first_name": "Jordon"})
    assert "These look like the same person" in response.content.decode()
    assert m.Candidate.objects.count() == 1


def test_intake_creates_anyway_when_asked(as_user, le_lead):
    existing = make_candidate(first="Jordan", last="Alvarez")
    existing.date_of_birth = dt.date(2003, 4, 5)
    existing.save()
    as_user(le_lead).post("/candidates/new/", {**INTAKE, "create_anyway": "1"})
    assert m.Candidate.objects.count() == 2


def test_a_future_date_of_birth_is_refused_and_the_form_keeps_what_was_typed(as_user, le_lead):
    future = (today() + dt.timedelta(days=5)).isoformat()
    body = as_user(le_lead).post("/candidates/new/", {**INTAKE, "date_of_birth": future}).content.decode()
    assert "in the future" in body
    assert 'value="J-Bird"' in body
    assert not m.Candidate.objects.exists()


def test_the_edit_form_changes_details_and_removes_an_alias(as_user, le_lead):
    person = services.candidate_create(
        user=le_lead, first_name="Kayla", last_name="Montoya", date_of_birth=dt.date(2001, 2, 3), aliases=["Kay"]
    )
    alias = person.aliases.get()
    data = {
        **INTAKE,
        "first_name": "Kayla",
        "last_name": "Montoya",
        "date_of_birth": "2001-02-03",
        "aliases-INITIAL_FORMS": "1",
        "aliases-0-id": str(alias.pk),
        "aliases-0-name": "Kay",
        "aliases-0-DELETE": "on",
    }
    response = as_user(le_lead).post(f"/candidates/{person.pk}/edit/", data)
    assert response.status_code == 302
    assert not person.aliases.exists()


# --- the network forms -------------------------------------------------------------------------------


def test_a_basis_without_evidence_is_refused_on_the_page_with_what_to_add(as_user, le_lead):
    person = make_candidate()
    body = as_user(le_lead).post(f"/candidates/{person.pk}/bases/new/", {"kind": "shooting_victim"}).content.decode()
    assert "Pick the shooting this basis rests on." in body
    assert not person.bases.exists()


def test_the_influencer_basis_is_refused_for_a_juvenile_on_the_page(as_user, le_lead):
    person = make_candidate(age=15)
    data = {"kind": "influencer", "shooting": make_shooting().pk, "related_person_name": "Ray"}
    body = as_user(le_lead).post(f"/candidates/{person.pk}/bases/new/", data).content.decode()
    assert "adults only" in body


def test_a_referral_from_a_source_not_allowed_for_an_adult_is_refused_on_the_page(as_user, le_lead):
    person = make_candidate(age=30)
    data = {"source": "community_based", "referred_by": "Coalition", "referred_on": today().isoformat(), "reason": "x"}
    body = as_user(le_lead).post(f"/candidates/{person.pk}/referrals/new/", data).content.decode()
    assert "not accepted for an adult" in body
    assert 'value="Coalition"' in body


def test_an_influencer_is_added_and_shown_on_the_page(as_user, le_lead):
    person = make_candidate(age=16)
    client = as_user(le_lead)
    data = {"name": "Maria Chavez", "relationship": "parent", "is_legal_guardian": "on", "phone": "505-555-0200"}
    client.post(f"/candidates/{person.pk}/influencers/new/", data)
    assert "Maria Chavez" in client.get(f"/candidates/{person.pk}/").content.decode()


def test_a_membership_is_added_from_the_page(as_user, le_lead):
    person, group, meeting = make_candidate(), make_group(), make_meeting()
    data = {"group": group.pk, "source": "gvis", "gvis_meeting": meeting.pk, "identified_on": today().isoformat()}
    response = as_user(le_lead).post(f"/candidates/{person.pk}/memberships/new/", data)
    assert response.status_code == 302
    assert person.memberships.get().added_by == le_lead


def test_a_shooting_in_the_future_is_refused_on_the_page(as_user, le_lead):
    data = {
        "incident_number": "S-77",
        "occurred_on": (today() + dt.timedelta(days=1)).isoformat(),
        "location": "Central",
        "participants-TOTAL_FORMS": "0",
        "participants-INITIAL_FORMS": "0",
    }
    body = as_user(le_lead).post("/candidates/shootings/new/", data).content.decode()
    assert "dated in the future" in body


def test_a_shooting_is_recorded_with_a_victim(as_user, le_lead):
    victim = make_candidate()
    data = {
        "incident_number": "S-78",
        "occurred_on": today().isoformat(),
        "location": "Central",
        "participants-TOTAL_FORMS": "1",
        "participants-INITIAL_FORMS": "0",
        "participants-0-role": "victim",
        "participants-0-candidate": str(victim.pk),
    }
    as_user(le_lead).post("/candidates/shootings/new/", data)
    assert victim.shooting_roles.get().role == "victim"


def test_a_gvis_meeting_is_recorded_from_the_page(as_user, le_lead):
    person, shooting = make_candidate(), make_shooting()
    data = {
        "held_on": today().isoformat(),
        "partners_present": "APD",
        "shootings_reviewed": [shooting.pk],
        "individuals_identified": [person.pk],
    }
    as_user(le_lead).post("/candidates/gvis-meetings/new/", data)
    assert person.gvis_meetings.count() == 1


# --- the candidate page ---------------------------------------------------------------------------------


def test_the_candidate_page_shows_the_history_with_who_changed_what(as_user, le_lead):
    person = make_candidate()
    services.influencer_add(user=le_lead, candidate=person, name="Rosa Baca", relationship="grandparent")
    body = as_user(le_lead).get(f"/candidates/{person.pk}/").content.decode()
    assert "Added influencer: Rosa Baca (Grandparent)" in body
    assert "Dana Okafor" in body


def test_the_candidate_page_shows_the_cns_services_and_outcomes(as_user, le_lead):
    person = make_candidate()
    delivery = make_delivery(person, state="ready")
    m.ServiceOffer.objects.create(candidate=person, service_type="job_training", offered_on=today())
    m.OutcomeEvent.objects.create(
        candidate=person, kind="arrest", category="drug", occurred_on=today(), source_reference="RMS-1"
    )
    body = as_user(le_lead).get(f"/candidates/{person.pk}/").content.decode()
    assert f"CN #{delivery.pk}" in body
    assert "Job training" in body and "New arrest or offence" in body


def test_the_candidate_page_shows_every_section_with_its_evidence(as_user, le_lead):
    person = services.candidate_create(
        user=le_lead,
        first_name="Kayla",
        last_name="Montoya",
        date_of_birth=dt.date(2002, 6, 1),
        aliases=["Kay", "KM"],
        addresses=[{"line1": "1200 Demo Ln SW", "valid_from": dt.date(2025, 1, 1)}],
        phones=[{"number": "505-555-0100", "label": "mobile"}],
    )
    shooting, meeting, referral = make_shooting(), make_meeting(), make_referral(person)
    services.basis_add(user=le_lead, candidate=person, kind="shooting_victim", shooting=shooting)
    services.basis_add(user=le_lead, candidate=person, kind="referral", referral=referral)
    services.membership_add(
        user=le_lead, candidate=person, group=make_group("Westside 9"), source="gvis", gvis_meeting=meeting,
        identified_on=meeting.held_on,
    )  # fmt: skip
    m.ShootingParticipant.objects.create(shooting=shooting, candidate=person, role="victim")
    meeting.individuals_identified.add(person)
    partner = m.PartnerOrganization.objects.create(name="Casa Esperanza")
    m.ServiceOffer.objects.create(candidate=person, service_type="shelter", partner=partner, offered_on=today())
    response = as_user(le_lead).get(f"/candidates/{person.pk}/")
    body = response.content.decode()
    assert "<strong>Kay</strong>, <strong>KM</strong>" in body
    assert "1200 Demo Ln SW" in body and "505-555-0100 (mobile)" in body
    assert f"Victim of a shooting</strong>: {shooting}" in body
    assert f"Referral</strong>: {referral}" in body and body.count('<li class="done">') == 2  # both bases valid
    assert "<strong>Westside 9</strong>: GVIS meeting" in body and f"({meeting})" in body
    assert f"{shooting}: Victim, {shooting.location}" in body and f"Identified in {meeting}" in body
    assert "via Casa Esperanza" in body
    assert "Added group membership: Kayla Montoya in Westside 9" in body


def test_an_officer_sees_only_approved_memberships_and_the_cns_of_their_teams(as_user, le_lead, officer):
    person = make_candidate()
    mine = make_delivery(person, team=[(officer, TeamMember.Role.OFFICER)])
    not_mine = make_delivery(person)
    m.GroupMembership.objects.create(
        candidate=person, group=make_group("Awaiting approval"), source="link_analysis",
        link_analysis_reference="LA-1", identified_on=today(),
    )  # fmt: skip
    officers_view = as_user(officer).get(f"/candidates/{person.pk}/").content.decode()
    assert f"CN #{mine.pk}<" in officers_view and f"CN #{not_mine.pk}<" not in officers_view
    assert "<strong>Awaiting approval</strong>" not in officers_view
    assert "Awaiting approval" not in officers_view  # nor in the change history
    leads_view = as_user(le_lead).get(f"/candidates/{person.pk}/").content.decode()
    assert f"CN #{not_mine.pk}<" in leads_view and "<strong>Awaiting approval</strong>" in leads_view


def test_the_candidate_page_lists_the_most_recent_cns_and_every_one_on_request(as_user, le_lead):
    from notifications.candidate_pages import CANDIDATE_PAGE_CNS

    person = make_candidate()
    cns = [make_delivery(person) for _ in range(CANDIDATE_PAGE_CNS + 2)]
    client = as_user(le_lead)
    response = client.get(f"/candidates/{person.pk}/")
    assert [d.pk for d in response.context["deliveries"]] == [d.pk for d in reversed(cns)][:CANDIDATE_PAGE_CNS]
    assert f"The {CANDIDATE_PAGE_CNS} most recent CNs" in response.content.decode()
    assert 'href="?cns=all#cns"' in response.content.decode()
    everything = client.get(f"/candidates/{person.pk}/?cns=all")
    assert len(everything.context["deliveries"]) == CANDIDATE_PAGE_CNS + 2
    assert "most recent CNs" not in everything.content.decode()


def test_the_candidate_page_never_shows_a_threat_assessment_or_background_check(as_user, le_lead):
    body = as_user(le_lead).get(f"/candidates/{make_candidate().pk}/").content.decode().lower()
    assert "threat" not in body and "background check" not in body


# --- edits and the shootings/GVIS page -----------------------------------------------------------------


@pytest.mark.parametrize("persona", ["officer", "social_worker", "outsider"])
def test_the_shootings_and_gvis_page_is_404_for_those_who_do_not_see_everyone(request, as_user, persona):
    assert as_user(request.getfixturevalue(persona)).get("/candidates/intelligence/").status_code == 404


def test_the_shootings_and_gvis_page_lists_shootings_for_the_program_manager(as_user, program_manager):
    shooting = make_shooting()
    assert shooting.incident_number in as_user(program_manager).get("/candidates/intelligence/").content.decode()


def test_editing_a_referral_to_a_source_not_allowed_for_an_adult_is_refused(as_user, le_lead):
    person = make_candidate(age=30)
    referral = services.referral_add(
        user=le_lead, candidate=person, source="department", referred_by="Det. Ruiz", referred_on=today(), reason="x"
    )
    data = {"source": "outreach", "referred_by": "Det. Ruiz", "referred_on": today().isoformat(), "reason": "x"}
    body = as_user(le_lead).post(f"/candidates/{person.pk}/referrals/{referral.pk}/edit/", data).content.decode()
    assert "not accepted for an adult" in body
    referral.refresh_from_db()
    assert referral.source == "department"


def test_a_shooting_is_edited_and_keeps_its_victim(as_user, le_lead):
    victim = make_candidate()
    shooting = services.shooting_create(
        user=le_lead,
        incident_number="S-90",
        occurred_on=today(),
        location="Central",
        participants=[{"candidate": victim, "role": "victim"}],
    )
    participant = shooting.participants.get()
    data = {
        "incident_number": "S-90",
        "occurred_on": today().isoformat(),
        "location": "Central and 98th",
        "participants-TOTAL_FORMS": "1",
        "participants-INITIAL_FORMS": "1",
        "participants-0-id": str(participant.pk),
        "participants-0-shooting": str(shooting.pk),
        "participants-0-role": "victim",
        "participants-0-candidate": str(victim.pk),
    }
    response = as_user(le_lead).post(f"/candidates/shootings/{shooting.pk}/edit/", data)
    assert response.status_code == 302
    shooting.refresh_from_db()
    assert (shooting.location, shooting.participants.get().candidate) == ("Central and 98th", victim)


def test_a_gvis_meeting_is_edited_to_add_a_person(as_user, le_lead):
    person = make_candidate()
    meeting = make_meeting()
    data = {"held_on": meeting.held_on.isoformat(), "partners_present": "APD", "individuals_identified": [person.pk]}
    as_user(le_lead).post(f"/candidates/gvis-meetings/{meeting.pk}/edit/", data)
    assert list(meeting.individuals_identified.all()) == [person]


def test_opening_a_candidate_page_is_logged(as_user, program_manager):
    from vip.models import AuditEvent

    person = make_candidate()
    as_user(program_manager).get(f"/candidates/{person.pk}/")
    assert AuditEvent.objects.filter(action="read", object_id=str(person.pk), actor=program_manager).exists()


def test_an_officer_never_sees_an_unapproved_membership_in_the_list_or_the_api(as_user, le_lead, officer, api_client):
    person = make_candidate()
    make_delivery(person, team=[(officer, TeamMember.Role.OFFICER)])
    m.GroupMembership.objects.create(
        candidate=person, group=make_group("Awaiting approval"), source="link_analysis",
        link_analysis_reference="LA-1", identified_on=today(),
    )  # fmt: skip
    assert "<td>Awaiting approval</td>" not in as_user(officer).get("/candidates/").content.decode()
    api_client.force_authenticate(officer)
    assert api_client.get("/api/candidates/").json()["results"][0]["groups"] == []
    assert api_client.get(f"/api/candidates/{person.pk}/").json()["groups"] == []
    assert "<td>Awaiting approval</td>" in as_user(le_lead).get("/candidates/").content.decode()


def test_an_associate_basis_never_names_a_sealed_person(as_user, le_lead, custodian):
    """A sealed record does not reappear through another person's file (NMSA 32A-2-26): the basis that names
    them as the associate says only that their record is sealed, on the page and in the API's CN detail."""
    from candidates.sealing import candidate_seal

    sealed = make_candidate(age=16, first="Sealedfirst", last="Sealedlast")
    person = make_candidate()
    services.basis_add(
        user=le_lead, candidate=person, kind="associate", shooting=make_shooting(), related_person=sealed
    )
    candidate_seal(sealed, custodian, "D-202-JR-2026-00123", dt.date.today())
    page = as_user(le_lead).get(f"/candidates/{person.pk}/").content.decode()
    assert "Sealedlast" not in page and m.SEALED_PERSON in page
    assert "Sealedlast" not in str(m.EligibilityBasis.objects.get(candidate=person))
