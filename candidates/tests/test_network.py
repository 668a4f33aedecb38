"""A person's network (issue 20, part 2): who is linked to whom and by which record, at depth 1 and 2; sealed
records and records past their five-year review left out as everywhere else; no score, rank or count."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils.html import escape
from rest_framework.test import APIClient

from candidates import models as m
from candidates import retention
from candidates.models import add_years, today
from candidates.network import DRAWING_SIZE, NO_SCORE_REASON, layout, network_of
from candidates.tests.factories import born_years_ago, make_candidate, make_delivery, make_group, make_shooting
from notifications.models import TeamMember
from vip.audit import acting_as
from vip.models import AuditEvent

pytestmark = pytest.mark.django_db

LEAD_NAME = "Dana Okafor"  # the le_lead persona (vip.testing)


@pytest.fixture
def net(le_lead, officer, custodian):
    """Marcus Reyes's world, recorded by the LE Lead: his mother as influencer; a recent shooting with Andre
    Baca, a driver known only by name and a sealed juvenile; a shooting six years ago with Oscar Viejo; the
    group Westside 9 with Bianca Cruz (and Dora Paz, whose membership is past its review); a GVIS meeting that
    identified him, Elena Soto and the group; a referral by Det. Ruiz; Andre's basis as his associate, and
    Andre's own influencer."""
    with acting_as(le_lead):
        marcus = make_candidate(first="Marcus", last="Reyes")
        andre = make_candidate(first="Andre", last="Baca")
        bianca = make_candidate(first="Bianca", last="Cruz")
        dora = make_candidate(first="Dora", last="Paz")
        elena = make_candidate(first="Elena", last="Soto")
        oscar = make_candidate(first="Oscar", last="Viejo")
        sealed = m.Candidate.objects.create(
            first_name="Sam", last_name="Hidden", date_of_birth=born_years_ago(16), sealed_at=dt.datetime.now(dt.UTC)
        )
        m.Influencer.objects.create(candidate=marcus, name="Rosa Reyes", relationship="parent")
        m.Influencer.objects.create(candidate=andre, name="Tia Baca", relationship="other")
        shooting = make_shooting(days_ago=20)
        for person in (marcus, andre, sealed):
            m.ShootingParticipant.objects.create(shooting=shooting, candidate=person, role="involved")
        m.ShootingParticipant.objects.create(shooting=shooting, name="Unnamed Driver", role="involved")
        old = make_shooting(days_ago=6 * 365)
        for person in (marcus, oscar):
            m.ShootingParticipant.objects.create(shooting=old, candidate=person, role="victim")
        group = make_group("Westside 9")
        memberships = {
            person: m.GroupMembership.objects.create(
                candidate=person,
                group=group,
                source="link_analysis",
                link_analysis_reference="LA-77",
                identified_on=today() - dt.timedelta(days=40),
                added_by=le_lead,
                approved_by=le_lead,
                approved_at=dt.datetime.now(dt.UTC),
            )
            for person in (marcus, bianca, dora)
        }
        m.GroupMembership.objects.filter(pk=memberships[dora].pk).update(review_due_on=today() - dt.timedelta(days=1))
        meeting = m.GVISMeeting.objects.create(held_on=today() - dt.timedelta(days=7), partners_present="APD")
        meeting.individuals_identified.set([marcus, elena])
        meeting.groups_identified.set([group])
        m.Referral.objects.create(
            candidate=marcus,
            source="department",
            referred_by="Det. Ruiz",
            referred_on=today() - dt.timedelta(days=30),
            reason="Retaliation risk",
            created_by=le_lead,
        )
        m.EligibilityBasis.objects.create(
            candidate=andre, kind="associate", shooting=shooting, related_person=marcus, entered_by=le_lead
        )
    make_delivery(marcus, team=[(officer, TeamMember.Role.OFFICER)], le_lead=le_lead)
    return {
        "marcus": marcus,
        "andre": andre,
        "bianca": bianca,
        "dora": dora,
        "elena": elena,
        "oscar": oscar,
        "sealed": sealed,
        "shooting": shooting,
        "old": old,
        "group": group,
        "meeting": meeting,
        "dora_membership": memberships[dora],
    }


def links(network) -> set[tuple[str, str, str, str, str]]:
    """Each link as (one, other, source kind, source, recorded by), the two ends in alphabetical order."""
    labels = {n.key: n.label for n in network.nodes}
    rows = set()
    for e in network.edges:
        one, other = sorted((labels[e.a], labels[e.b]))
        rows.add((one, other, e.source.kind, e.source.label, e.source.recorded_by))
    return rows


def names(network, depth=None) -> set[str]:
    return {n.label for n in network.nodes if depth is None or n.depth == depth}


# --- what the network shows, and where each link comes from -------------------------------------------------


def test_at_depth_1_the_lead_sees_each_direct_link_with_its_source_and_who_recorded_it(net, le_lead):
    network = network_of(le_lead, net["marcus"], 1)
    incident = net["shooting"].incident_number
    assert links(network) == {
        ("Marcus Reyes", "Rosa Reyes", "influencer", "Rosa Reyes", LEAD_NAME),
        ("Andre Baca", "Marcus Reyes", "shooting", incident, LEAD_NAME),
        ("Marcus Reyes", "Unnamed Driver", "shooting", incident, LEAD_NAME),
        ("Andre Baca", "Marcus Reyes", "basis", f"Associate in shooting {incident}", LEAD_NAME),
        ("Marcus Reyes", "Westside 9", "membership", "identified by link analysis LA-77", LEAD_NAME),
        (str(net["meeting"]), "Marcus Reyes", "meeting", str(net["meeting"]), LEAD_NAME),
        ("Det. Ruiz", "Marcus Reyes", "referral", "by Department personnel", LEAD_NAME),
    }
    assert names(network, 1) == {
        "Rosa Reyes",
        "Andre Baca",
        "Unnamed Driver",
        "Westside 9",
        str(net["meeting"]),
        "Det. Ruiz",
    }


def test_each_link_carries_the_date_of_its_source(net, le_lead):
    network = network_of(le_lead, net["marcus"], 1)
    dates = {e.source.kind: e.source.date for e in network.edges}
    assert dates["shooting"] == net["shooting"].occurred_on
    assert dates["meeting"] == net["meeting"].held_on
    assert dates["membership"] == today() - dt.timedelta(days=40)
    assert dates["referral"] == today() - dt.timedelta(days=30)
    assert dates["influencer"] == dates["basis"] == today()  # the day the record was entered (audit trail)


def test_at_depth_2_the_lead_sees_the_groups_members_the_meetings_people_and_the_links_of_links(net, le_lead):
    network = network_of(le_lead, net["marcus"], 2)
    assert names(network, 2) == {"Bianca Cruz", "Elena Soto", "Tia Baca"}
    assert ("Bianca Cruz", "Westside 9", "membership", "identified by link analysis LA-77", LEAD_NAME) in (
        links(network)
    )
    assert ("Elena Soto", str(net["meeting"]), "meeting", str(net["meeting"]), LEAD_NAME) in links(network)
    assert ("Andre Baca", "Tia Baca", "influencer", "Tia Baca", LEAD_NAME) in links(network)


def test_the_network_is_read_in_a_bounded_number_of_queries_however_many_people_it_holds(net, le_lead):
    def queries_for_depth_2() -> int:
        with CaptureQueriesContext(connection) as queries:
            network_of(le_lead, net["marcus"], 2)
        return len(queries)

    queries_for_depth_2()  # the user's roles are read once, then kept on the user
    before = queries_for_depth_2()
    for n in range(6):  # six more members of the group, each with an influencer and a shooting of their own
        person = make_candidate(first="Extra", last=f"Member{n}")
        m.GroupMembership.objects.create(
            candidate=person,
            group=net["group"],
            source="link_analysis",
            link_analysis_reference="LA-78",
            identified_on=today(),
            approved_at=dt.datetime.now(dt.UTC),
        )
        m.Influencer.objects.create(candidate=person, name=f"Influencer {n}", relationship="other")
        m.ShootingParticipant.objects.create(shooting=make_shooting(), candidate=person, role="victim")
    assert queries_for_depth_2() == before <= 16


# --- what the network leaves out, by the rules of every other page ------------------------------------------


def test_a_sealed_persons_links_are_not_shown_to_the_lead(net, le_lead):
    for depth in (1, 2):
        network = network_of(le_lead, net["marcus"], depth)
        assert "Sam Hidden" not in names(network)
        assert all(n.candidate_id != net["sealed"].pk for n in network.nodes)


def test_the_records_custodian_sees_the_sealed_persons_link_as_on_every_other_page(net, custodian):
    assert "Sam Hidden" in names(network_of(custodian, net["marcus"], 1))


def test_a_shooting_older_than_the_five_year_review_links_nobody(net, le_lead):
    network = network_of(le_lead, net["marcus"], 2)
    assert "Oscar Viejo" not in names(network)
    assert all(e.source.record_id != net["old"].pk for e in network.edges if e.source.kind == "shooting")


def test_a_membership_past_its_review_is_not_shown_until_the_lead_keeps_it(net, le_lead):
    assert "Dora Paz" not in names(network_of(le_lead, net["marcus"], 2))
    retention.review_keep(net["dora_membership"], le_lead, reason="Seen with the group last month (FI 26-118).")
    assert "Dora Paz" in names(network_of(le_lead, net["marcus"], 2))


def test_a_referral_older_than_the_five_year_review_is_not_shown(net, le_lead):
    m.Referral.objects.filter(candidate=net["marcus"]).update(referred_on=add_years(today(), -5) - dt.timedelta(days=1))
    assert "Det. Ruiz" not in names(network_of(le_lead, net["marcus"], 1))


# --- who may see it: the page ---------------------------------------------------------------------------------


def page(client, user, person, depth=""):
    client.force_login(user)
    return client.get(f"/candidates/{person.pk}/network/" + (f"?depth={depth}" if depth else ""))


@pytest.mark.parametrize("persona", ["le_lead", "program_manager", "custodian"])
def test_the_lead_the_program_manager_and_the_custodian_see_a_persons_network_page(client, net, persona, request):
    response = page(client, request.getfixturevalue(persona), net["marcus"], 2)
    assert response.status_code == 200
    html = response.content.decode()
    assert escape(NO_SCORE_REASON) in html
    assert '<title id="network-title">Network of Marcus Reyes, depth 2</title>' in html
    assert "Bianca Cruz" in html and "identified by link analysis LA-77" in html


@pytest.mark.parametrize("persona", ["officer", "social_worker", "administrator"])
def test_officers_social_services_and_administrators_are_refused_the_network_page(client, net, persona, request):
    """The officer is on Marcus's CN team and sees his page, but not the intelligence that names others."""
    assert page(client, request.getfixturevalue(persona), net["marcus"]).status_code == 404


def test_the_network_page_of_a_sealed_person_is_a_404_for_the_lead(client, net, le_lead):
    assert page(client, le_lead, net["sealed"]).status_code == 404


def test_the_network_page_says_what_depth_to_give_when_it_is_wrong(client, net, le_lead):
    response = page(client, le_lead, net["marcus"], "9")
    assert response.status_code == 400
    assert "give depth=1 or depth=2" in response.content.decode()


def test_the_persons_page_links_to_the_network_for_the_lead_only(client, net, le_lead, officer):
    url = f"/candidates/{net['marcus'].pk}/network/"
    client.force_login(le_lead)
    assert url in client.get(f"/candidates/{net['marcus'].pk}/").content.decode()
    client.force_login(officer)
    assert url not in client.get(f"/candidates/{net['marcus'].pk}/").content.decode()


def test_every_person_the_network_page_shows_is_named_in_its_read_row(client, net, le_lead):
    client.force_login(le_lead)
    before = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0
    assert client.get(f"/candidates/{net['marcus'].pk}/network/?depth=2").status_code == 200
    row = AuditEvent.objects.get(id__gt=before, action=AuditEvent.Action.READ)
    shown = {int(pk) for pk in row.changes["shown"]["candidates.Candidate"]}
    expected = {net[k].pk for k in ("marcus", "andre", "bianca", "elena")}
    assert shown == expected


# --- the API ------------------------------------------------------------------------------------------------


def api(user, person, query="") -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client.get(f"/api/candidates/{person.pk}/network/{query}")


def test_the_api_gives_the_nodes_and_each_links_source(net, le_lead):
    response = api(le_lead, net["marcus"], "?depth=2")
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"center", "depth", "nodes", "edges", "note"}
    assert body["center"]["candidate_id"] == net["marcus"].pk and body["depth"] == 2
    assert set(body["nodes"][0]) == {"key", "kind", "kind_label", "label", "depth", "candidate_id"}
    referral = next(e for e in body["edges"] if e["source"]["kind"] == "referral")
    assert referral["source"] == {
        "kind": "referral",
        "kind_label": "Referral",
        "record_id": m.Referral.objects.get(candidate=net["marcus"]).pk,
        "label": "by Department personnel",
        "date": (today() - dt.timedelta(days=30)).isoformat(),
        "recorded_by": LEAD_NAME,
    }


def test_the_api_carries_no_score_rank_or_count_anywhere(net, le_lead):
    def keys(value):
        if isinstance(value, dict):
            for key, inner in value.items():
                yield key
                yield from keys(inner)
        elif isinstance(value, list):
            for inner in value:
                yield from keys(inner)

    found = set(keys(api(le_lead, net["marcus"], "?depth=2").json()))
    assert not {k for k in found if any(w in k for w in ("score", "rank", "centrality", "degree", "count", "risk"))}


@pytest.mark.parametrize("depth", ["0", "3", "two"])
def test_the_api_refuses_a_depth_other_than_1_or_2_and_says_what_to_give(net, le_lead, depth):
    response = api(le_lead, net["marcus"], f"?depth={depth}")
    assert response.status_code == 400
    assert "give depth=1 or depth=2" in response.json()["depth"][0]


@pytest.mark.parametrize("persona", ["officer", "social_worker"])
def test_the_api_answers_404_to_those_who_may_not_see_networks(net, persona, request):
    assert api(request.getfixturevalue(persona), net["marcus"]).status_code == 404


def test_the_api_answers_404_for_a_sealed_person_and_403_to_an_administrator(net, le_lead, administrator):
    assert api(le_lead, net["sealed"]).status_code == 404
    assert api(administrator, net["marcus"]).status_code == 403


def test_the_drawing_is_the_same_each_time_with_the_person_in_the_middle_and_the_nearer_end_of_each_link_first(
    net, le_lead
):
    first, second = (layout(network_of(le_lead, net["marcus"], 2)) for _ in range(2))
    assert first == second
    placed, lines = first
    assert (placed[0].node.label, placed[0].x, placed[0].y) == ("Marcus Reyes", DRAWING_SIZE / 2, DRAWING_SIZE / 2)
    assert all(line.one.depth <= line.other.depth for line in lines)
