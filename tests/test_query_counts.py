"""A list costs the same number of queries for 1 CN as for 20: no query per row (issue #9, city scale).

At 300,000 CNs a query per row is what turns a 30 ms page into a 3 s one, and it hides in templates and
serializers. Each test measures the page once with one CN and once with twenty, after a warm-up request,
and asserts the two counts are equal. Each measured request starts from an empty cache: a page served as kept
(`vip.kept`) runs none of its per-row code, so a query per row would not show. `make bench`
(docs/performance.md) measures the time.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from candidates.models import Candidate
from notifications import services
from notifications.models import TeamMember

pytestmark = pytest.mark.django_db


def open_cns(count: int, *, lead, officer) -> None:
    """`count` CNs opened by the LE Lead, each with the officer on its team, as the services make them."""
    start = Candidate.objects.count()
    for n in range(start, start + count):
        candidate = Candidate.objects.create(
            first_name="Row", last_name=f"Person{n:03d}", date_of_birth=dt.date(2000, 1, 1) + dt.timedelta(days=n)
        )
        delivery = services.delivery_create(user=lead, candidate=candidate, location=f"{n} Central Ave SW")
        services.add_team_member(delivery.pk, user=lead, member=officer, role=TeamMember.Role.OFFICER)


def measure(client, url: str) -> tuple[int, int]:
    """(status, number of queries) of one GET, computed: nothing kept serves it."""
    cache.clear()
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    return response.status_code, len(queries)


def counts_for_1_and_20(client, url: str, *, lead, officer) -> tuple[tuple[int, int], tuple[int, int]]:
    open_cns(1, lead=lead, officer=officer)
    client.get(url)  # warm-up: per-process caches (content types, permissions) fill on the first request
    one = measure(client, url)
    open_cns(19, lead=lead, officer=officer)
    client.get(url)  # the same warm-up: counts the board keeps in the cache are counted again once
    return one, measure(client, url)


def test_it_shows_the_le_leads_board_in_as_many_queries_for_20_cns_as_for_1(client, le_lead, officer):
    client.force_login(le_lead)
    one, twenty = counts_for_1_and_20(client, "/cn/board/", lead=le_lead, officer=officer)
    assert one[0] == twenty[0] == 200
    assert one[1] == twenty[1]


def test_it_shows_an_officers_cns_in_as_many_queries_for_20_cns_as_for_1(client, le_lead, officer):
    client.force_login(officer)
    one, twenty = counts_for_1_and_20(client, "/cn/mine/", lead=le_lead, officer=officer)
    assert one[0] == twenty[0] == 200
    assert one[1] == twenty[1]


def test_it_lists_deliveries_in_the_api_in_as_many_queries_for_20_cns_as_for_1(client, le_lead, officer):
    client.force_login(le_lead)
    one, twenty = counts_for_1_and_20(client, "/api/deliveries/", lead=le_lead, officer=officer)
    assert one[0] == twenty[0] == 200
    assert one[1] == twenty[1]


def test_it_lists_an_officers_deliveries_in_the_api_in_as_many_queries_for_20_cns_as_for_1(client, le_lead, officer):
    client.force_login(officer)
    one, twenty = counts_for_1_and_20(client, "/api/deliveries/?mine=1", lead=le_lead, officer=officer)
    assert one[0] == twenty[0] == 200
    assert one[1] == twenty[1]


@pytest.mark.parametrize("url", ["/candidates/?q=person", "/api/candidates/?q=person"])
def test_a_search_finds_1_or_20_people_in_as_many_queries_and_counts_them_with_the_page(client, le_lead, officer, url):
    """The count comes with the page (COUNT(*) OVER ()): the trigram match over every person runs once."""
    client.force_login(le_lead)
    one, twenty = counts_for_1_and_20(client, url, lead=le_lead, officer=officer)
    assert one[0] == twenty[0] == 200
    assert one[1] == twenty[1]
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    searches = [q["sql"] for q in queries if 'FROM "candidates_candidate"' in q["sql"]]
    assert len(searches) == 1 and "COUNT(*) OVER ()" in searches[0]


def test_the_board_shows_at_most_its_rows_per_state_and_says_how_many_there_are(client, le_lead, officer):
    from notifications import views

    open_cns(views.BOARD_ROWS_PER_STATE + 2, lead=le_lead, officer=officer)
    client.force_login(le_lead)
    response = client.get("/cn/board/")
    identified = next(s for s in response.context["sections"] if s["state"] == "identified")
    assert len(identified["deliveries"]) == views.BOARD_ROWS_PER_STATE
    assert f"see all {views.BOARD_ROWS_PER_STATE + 2}" in response.content.decode()


def test_one_state_of_the_board_is_paged(client, le_lead, officer):

    open_cns(3, lead=le_lead, officer=officer)
    client.force_login(le_lead)
    response = client.get("/cn/board/?state=identified&page=1")
    assert response.status_code == 200 and response.context["page"].paginator.count == 3


# --- the candidate page ------------------------------------------------------------------------------------


def give_the_person(person, count: int, *, lead, officer) -> None:
    """`count` more of everything the candidate page shows: aliases, addresses, phones, influencers,
    referrals, bases of each kind of evidence, memberships, shootings, GVIS meetings, CNs (the officer on
    each team), services and outcomes, each recorded as the services record them (so with its history)."""
    from candidates import models as m
    from candidates import services as people
    from candidates.tests.factories import make_candidate, make_delivery, make_group, make_meeting, make_shooting

    partner, _ = m.PartnerOrganization.objects.get_or_create(name="Query Count Partners")
    for n in range(count):
        m.Alias.objects.create(candidate=person, name=f"Alias {n}")
        m.Address.objects.create(candidate=person, line1=f"{n} Central Ave SW", valid_from=dt.date(2024, 1, 1))
        m.Phone.objects.create(candidate=person, number=f"505-555-{n:04d}")
        people.influencer_add(user=lead, candidate=person, name=f"Influencer {n}", relationship="parent")
        referral = people.referral_add(
            user=lead,
            candidate=person,
            source="department",
            referred_by="Det. Ruiz",
            referred_on=dt.date.today(),
            reason="Retaliation risk",
        )
        shooting, meeting, group = make_shooting(), make_meeting(), make_group()
        people.basis_add(user=lead, candidate=person, kind="shooting_victim", shooting=shooting)
        people.basis_add(
            user=lead, candidate=person, kind="associate", shooting=shooting, related_person=make_candidate()
        )
        people.basis_add(user=lead, candidate=person, kind="gvis", gvis_meeting=meeting)
        people.basis_add(user=lead, candidate=person, kind="referral", referral=referral)
        people.membership_add(
            user=lead, candidate=person, group=group, source="gvis", gvis_meeting=meeting, identified_on=meeting.held_on
        )
        m.ShootingParticipant.objects.create(shooting=shooting, candidate=person, role="victim")
        meeting.individuals_identified.add(person)
        delivery = make_delivery(person, team=[(officer, TeamMember.Role.OFFICER)], state="ready")
        m.ServiceOffer.objects.create(
            candidate=person, delivery=delivery, service_type="job_training", partner=partner, offered_by=lead,
            offered_on=dt.date.today(),
        )  # fmt: skip
        m.OutcomeEvent.objects.create(
            candidate=person, kind="arrest", category="drug", occurred_on=dt.date.today(), source_reference=f"RMS-{n}"
        )


@pytest.mark.parametrize("persona", ["le_lead", "officer"])
def test_the_candidate_page_takes_as_many_queries_for_10_of_everything_as_for_1(client, request, persona):
    """Aliases, addresses, bases, memberships, CNs... and their history: no query per row, for the LE Lead
    (who sees memberships awaiting approval) as for an officer (who sees the CNs of their teams)."""
    from candidates.tests.factories import make_candidate

    lead, officer = request.getfixturevalue("le_lead"), request.getfixturevalue("officer")
    person = make_candidate()
    url = f"/candidates/{person.pk}/"
    client.force_login(request.getfixturevalue(persona))
    give_the_person(person, 1, lead=lead, officer=officer)
    client.get(url)  # warm-up
    one = measure(client, url)
    give_the_person(person, 9, lead=lead, officer=officer)
    ten = measure(client, url)
    assert one[0] == ten[0] == 200
    assert one[1] == ten[1]


def test_the_candidate_pages_read_is_audited_without_reading_the_person_again(client, le_lead):
    from vip.models import AuditEvent

    person = Candidate.objects.create(first_name="Read", last_name="Once", date_of_birth=dt.date(2000, 1, 1))
    client.force_login(le_lead)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(f"/candidates/{person.pk}/").status_code == 200
    reads = [q for q in queries.captured_queries if q["sql"].startswith('SELECT "candidates_candidate"."id"')]
    assert len(reads) == 1
    assert AuditEvent.objects.filter(action="read", object_id=str(person.pk), object_repr="Read Once").exists()


# --- the tablet's transition -------------------------------------------------------------------------------


def cn_at_the_door(*, lead, officer, more: int):
    """A CN walked through the services to the door (ECC advised), with `more` more eligibility bases of
    each kind of evidence, team members, ECC advisements and guardian contact attempts than it needs."""
    from candidates import services as people
    from candidates.tests.factories import make_candidate, make_meeting, make_referral, make_shooting
    from notifications.models import ECCAdvisement, GuardianContactAttempt
    from notifications.tests.conftest import make_candidate as person_with_a_basis
    from notifications.tests.conftest import walk
    from vip.testing import make_user

    person = person_with_a_basis(years=24, last=f"Door{Candidate.objects.count()}")
    for _ in range(more):  # before eligibility is determined: the determination rests on every valid basis
        people.basis_add(user=lead, candidate=person, kind="shooting_victim", shooting=make_shooting())
        people.basis_add(
            user=lead, candidate=person, kind="associate", shooting=make_shooting(), related_person=make_candidate()
        )
        people.basis_add(user=lead, candidate=person, kind="gvis", gvis_meeting=make_meeting())
        people.basis_add(user=lead, candidate=person, kind="referral", referral=make_referral(person))
    cn = services.delivery_create(user=lead, candidate=person, location="1200 Demo Ln SW")
    walk(cn, "ecc_advised", lead=lead, officer=officer)
    for n in range(more):
        helper = make_user(f"helper{cn.pk}x{n}", "Social Services", first="Helper", last=f"No{n}")
        TeamMember.objects.create(delivery=cn, user=helper, role=TeamMember.Role.SOCIAL_SERVICES, added_by=lead)
        ECCAdvisement.objects.create(
            delivery=cn, advised_at=cn.created_at, location="1200 Demo Ln SW", team_members="The team",
            candidate_identity=str(person), recorded_by=lead,
        )  # fmt: skip
        GuardianContactAttempt.objects.create(
            delivery=cn, guardian_name="Maria", attempted_at=cn.created_at, method="phone", recorded_by=lead
        )
    return cn


def test_a_refusal_over_the_api_takes_as_many_queries_for_a_cn_with_many_records_as_for_one_with_few(le_lead, officer):
    """The tablet's one-tap refusal answers with the CN's whole detail: its step records and the bases of its
    eligibility (each basis with what its name reads) come in one query, whatever their number, and the CN
    is read once, through the access rules under the service's lock, not again for the answer nor for its
    change row."""
    from rest_framework.test import APIClient

    client = APIClient()
    client.force_authenticate(le_lead)
    refuse = {"note": "Asked the team to leave."}

    def refusal(cn):
        with CaptureQueriesContext(connection) as queries:
            response = client.post(f"/api/deliveries/{cn.pk}/record-refusal/", refuse, format="json")
        assert response.status_code == 200
        return response.json(), [q["sql"] for q in queries.captured_queries]

    refusal(cn_at_the_door(lead=le_lead, officer=officer, more=0))  # warm-up
    few_body, few = refusal(cn_at_the_door(lead=le_lead, officer=officer, more=0))
    many_body, many = refusal(cn_at_the_door(lead=le_lead, officer=officer, more=5))
    assert (len(few_body["eligibility"]["bases"]), len(many_body["eligibility"]["bases"])) == (1, 21)
    assert len(few) == len(many)
    assert len([sql for sql in many if sql.startswith('SELECT "notifications_delivery"."id"')]) == 1
    assert not [sql for sql in many if "candidates_eligibilitybasis" in sql and "UNION ALL" not in sql]
