"""The candidate page is kept, rendered, between reads (`vip.kept.kept`): a person's file is
reopened again and again while someone works on it. What is kept must never outlive a change to the file,
never reach another user, and never skip the access check or the audit of the read."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from candidates import models as m
from candidates.sealing import candidate_seal
from candidates.tests.factories import make_candidate, make_delivery, make_group
from notifications.models import TeamMember
from vip.models import AuditEvent

pytestmark = pytest.mark.django_db


def read(client, user, person) -> str:
    client.force_login(user)
    response = client.get(f"/candidates/{person.pk}/")
    assert response.status_code == 200
    return response.content.decode()


def test_a_second_read_with_nothing_changed_reads_no_section(client, le_lead):
    person = make_candidate()
    read(client, le_lead, person)
    with CaptureQueriesContext(connection) as queries:
        read(client, le_lead, person)
    assert not any("candidates_alias" in q["sql"] or "candidates_address" in q["sql"] for q in queries)


def test_every_read_is_still_audited(client, le_lead):
    person = make_candidate()
    read(client, le_lead, person)
    read(client, le_lead, person)
    assert AuditEvent.objects.filter(action="read", object_id=str(person.pk), actor=le_lead).count() == 2


def test_a_new_alias_shows_on_the_next_read(client, le_lead):
    person = make_candidate()
    assert "Lil Kept" not in read(client, le_lead, person)
    m.Alias.objects.create(candidate=person, name="Lil Kept")
    assert "Lil Kept" in read(client, le_lead, person)


def test_a_new_cn_shows_on_the_next_read(client, le_lead):
    person = make_candidate()
    read(client, le_lead, person)
    delivery = make_delivery(person, le_lead=le_lead)
    assert f"CN #{delivery.pk}" in read(client, le_lead, person)


def test_a_membership_the_le_lead_saw_unapproved_is_never_shown_to_an_officer(client, le_lead, officer):
    person = make_candidate()
    make_delivery(person, team=[(officer, TeamMember.Role.OFFICER)])
    m.GroupMembership.objects.create(
        candidate=person, group=make_group("Kept Awaiting"), source="link_analysis",
        link_analysis_reference="LA-9", identified_on=m.today(),
    )  # fmt: skip
    assert "Kept Awaiting" in read(client, le_lead, person)
    assert "Kept Awaiting" not in read(client, officer, person)


def test_a_sealed_record_is_refused_at_once_though_its_page_was_kept(client, le_lead, custodian):
    person = make_candidate(age=16)
    read(client, le_lead, person)
    candidate_seal(person, custodian, "D-202-JR-2026-00099", dt.date.today())
    client.force_login(le_lead)
    assert client.get(f"/candidates/{person.pk}/").status_code == 404


def test_an_officer_taken_off_the_team_is_refused_at_once(client, le_lead, officer):
    person = make_candidate()
    delivery = make_delivery(person, team=[(officer, TeamMember.Role.OFFICER)])
    read(client, officer, person)
    TeamMember.objects.filter(delivery=delivery, user=officer).delete()
    client.force_login(officer)
    assert client.get(f"/candidates/{person.pk}/").status_code == 404


def test_a_new_group_is_offered_by_the_list_filter_at_once(client, le_lead):
    """The filter's group names are kept for everyone (`kept_for_everyone`) until the data changes."""
    client.force_login(le_lead)
    assert "Kept Crew" not in client.get("/candidates/").content.decode()
    make_group("Kept Crew")
    assert "Kept Crew" in client.get("/candidates/").content.decode()
