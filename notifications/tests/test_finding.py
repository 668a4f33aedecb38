"""Finding things (issue 18, item 4): the header's search, the LE Lead's caseload, the calendar of planned
deliveries, and the dates on the board's cards.

What a search finds follows the access rules every list follows (CJIS AC-6): the LE Lead and the Program
Manager find every unsealed record; an officer only the people and CNs of their teams; social services the
adults they serve and their teams'; the Records Custodian alone a sealed record (NMSA 32A-2-26). Each search is
recorded as a read, with what was asked, even when it found nobody (CJIS AU-2).
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from candidates.models import Alias, ServiceOffer
from candidates.sealing import candidate_seal
from notifications import services as s
from notifications.finding.selectors import week_starting
from notifications.models import Delivery, TeamMember
from notifications.tests.conftest import make_candidate
from vip.models import AuditEvent

pytestmark = pytest.mark.django_db


def days_ago(n: int) -> dt.datetime:
    return timezone.now() - dt.timedelta(days=n)


@pytest.fixture
def alvarez(db):
    person = make_candidate(last="Alvarez")
    Alias.objects.create(candidate=person, name="Little Jay")
    return person


@pytest.fixture
def alvarez_cn(alvarez, le_lead, officer):
    cn = s.delivery_create(user=le_lead, candidate=alvarez, location="1200 Demo Ln")
    TeamMember.objects.create(delivery=cn, user=officer, role=TeamMember.Role.OFFICER, added_by=le_lead)
    return cn


@pytest.fixture
def sealed_person(le_lead, custodian):
    person = make_candidate(years=16, last="Tafoya")
    cn = s.delivery_create(user=le_lead, candidate=person)
    candidate_seal(person, custodian, "D-202-JR-2026-00042", dt.date.today())
    return cn


def search(client, user, q: str) -> str:
    client.force_login(user)
    response = client.get("/find/", {"q": q})
    assert response.status_code == 200
    return response.content.decode()


# --- search: by name, alias, CN number ---------------------------------------------------------------------


def test_the_le_lead_finds_a_person_by_name(client, le_lead, alvarez):
    assert f'href="/candidates/{alvarez.pk}/"' in search(client, le_lead, "alvarez")


def test_the_le_lead_finds_a_person_by_an_alias_misspelt(client, le_lead, alvarez):
    page = search(client, le_lead, "litle jay")
    assert f'href="/candidates/{alvarez.pk}/"' in page and "“Little Jay”" in page


@pytest.mark.parametrize("typed", ["{pk}", "CN {pk}", "cn #{pk}", "#{pk}"])
def test_the_le_lead_finds_a_cn_by_its_number_as_the_pages_write_it(client, le_lead, alvarez_cn, typed):
    assert f'href="/cn/{alvarez_cn.pk}/"' in search(client, le_lead, typed.format(pk=alvarez_cn.pk))


def test_a_search_that_finds_nothing_says_so_and_what_was_searched(client, le_lead, alvarez):
    page = search(client, le_lead, "Zyxwvut")
    assert "Nothing found for “Zyxwvut”" in page
    assert "Searched: names and aliases" in page


def test_an_empty_search_says_what_to_type(client, le_lead):
    page = search(client, le_lead, "   ")
    assert "Type a name, an alias or a CN number" in page and 'aria-invalid="true"' in page


# --- search: each role finds only what it may see ----------------------------------------------------------


def test_an_officer_finds_the_people_and_cns_of_their_team(client, officer, alvarez_cn):
    assert f'href="/cn/{alvarez_cn.pk}/"' in search(client, officer, f"CN {alvarez_cn.pk}")
    assert f'href="/candidates/{alvarez_cn.candidate_id}/"' in search(client, officer, "alvarez")


def test_an_officer_finds_nothing_of_another_teams_cn(client, second_officer, alvarez_cn):
    assert "No CN numbered" in search(client, second_officer, f"CN {alvarez_cn.pk}")
    assert "Nothing found" in search(client, second_officer, "alvarez")


def test_social_services_find_the_adults_they_serve_and_not_a_juvenile_they_do_not(client, social_worker, alvarez):
    ServiceOffer.objects.create(
        candidate=alvarez, service_type="job_training", offered_by=social_worker, offered_on=dt.date.today()
    )
    make_candidate(years=16, last="Alvarado")
    page = search(client, social_worker, "alvar")
    assert f'href="/candidates/{alvarez.pk}/"' in page and "Alvarado" not in page


def test_a_sealed_record_is_found_by_no_one_but_the_records_custodian(client, le_lead, custodian, sealed_person):
    assert "Nothing found" in search(client, le_lead, "tafoya")
    assert "No CN numbered" in search(client, le_lead, f"CN {sealed_person.pk}")
    assert f'href="/candidates/{sealed_person.candidate_id}/"' in search(client, custodian, "tafoya")


def test_the_administrator_has_no_search(client, administrator):
    client.force_login(administrator)
    assert client.get("/find/", {"q": "alvarez"}).status_code == 404


# --- search: audited as a read ----------------------------------------------------------------------------


def test_a_search_is_recorded_as_a_read_naming_who_was_shown(client, le_lead, alvarez):
    search(client, le_lead, "alvarez")
    row = AuditEvent.objects.filter(action="read").latest("id")
    assert row.changes["asked"]["query"] == {"q": "alvarez"}
    assert row.changes["shown"]["candidates.Candidate"] == [str(alvarez.pk)]


def test_a_search_that_found_nobody_is_recorded_with_what_was_asked(client, second_officer, alvarez):
    search(client, second_officer, "alvarez")
    row = AuditEvent.objects.filter(action="read", actor=second_officer).latest("id")
    assert row.changes == {"asked": row.changes["asked"], "shown": {}}
    assert row.changes["asked"]["query"] == {"q": "alvarez"}


# --- the LE Lead's caseload -------------------------------------------------------------------------------


def test_the_caseload_lists_the_lead_s_cns_the_soonest_due_step_first(client, le_lead):
    later = s.delivery_create(user=le_lead, candidate=make_candidate(last="Later"))
    sooner = s.delivery_create(user=le_lead, candidate=make_candidate(last="Sooner"))
    Delivery.objects.filter(pk=later.pk).update(state_entered_at=days_ago(1))  # eligibility due in 1 day
    Delivery.objects.filter(pk=sooner.pk).update(state_entered_at=days_ago(5))  # due 3 days ago
    client.force_login(le_lead)
    page = client.get("/find/caseload/").content.decode()
    assert page.index(f"CN #{sooner.pk}") < page.index(f"CN #{later.pk}")
    assert "The eligibility determination" in page and page.count("Overdue") == 1


def test_an_officer_has_no_caseload(client, officer):
    client.force_login(officer)
    assert client.get("/find/caseload/").status_code == 403


# --- the calendar of planned deliveries -------------------------------------------------------------------


@pytest.fixture
def this_monday():
    return week_starting(timezone.localdate())


def planned(le_lead, last: str, day: dt.date, *, team=()) -> Delivery:
    cn = s.delivery_create(user=le_lead, candidate=make_candidate(last=last))
    Delivery.objects.filter(pk=cn.pk).update(planned_for=day)
    for member in team:
        TeamMember.objects.create(delivery=cn, user=member, role=TeamMember.Role.OFFICER, added_by=le_lead)
    return cn


def test_the_calendar_shows_a_week_from_monday_to_sunday(client, le_lead, this_monday):
    monday = planned(le_lead, "Monday", this_monday)
    sunday = planned(le_lead, "Sunday", this_monday + dt.timedelta(days=6))
    next_monday = planned(le_lead, "Nextweek", this_monday + dt.timedelta(days=7))
    client.force_login(le_lead)
    page = client.get("/find/calendar/").content.decode()
    assert f"CN #{monday.pk}" in page and f"CN #{sunday.pk}" in page and f"CN #{next_monday.pk}" not in page


def test_the_next_week_link_shows_the_next_week_with_its_year(client, le_lead, this_monday):
    next_monday = this_monday + dt.timedelta(days=7)
    cn = planned(le_lead, "Nextweek", next_monday)
    client.force_login(le_lead)
    year, week, _ = next_monday.isocalendar()
    assert f'href="?week={year}-W{week:02d}"' in client.get("/find/calendar/").content.decode()
    page = client.get("/find/calendar/", {"week": f"{year}-W{week:02d}"}).content.decode()
    assert f"CN #{cn.pk}" in page and next_monday.strftime("%Y") in page


def test_an_officer_s_calendar_shows_only_their_teams_cns(client, le_lead, officer, this_monday):
    theirs = planned(le_lead, "Theirs", this_monday, team=[officer])
    other = planned(le_lead, "Other", this_monday)
    client.force_login(officer)
    page = client.get("/find/calendar/").content.decode()
    assert f"CN #{theirs.pk}" in page and f"CN #{other.pk}" not in page


def test_a_past_planned_day_not_yet_delivered_is_flagged_in_words(client, le_lead, this_monday):
    planned(le_lead, "Late", timezone.localdate() - dt.timedelta(days=1))
    client.force_login(le_lead)
    week = "{}-W{:02d}".format(*(timezone.localdate() - dt.timedelta(days=1)).isocalendar()[:2])
    assert "Planned day passed, not yet delivered" in client.get("/find/calendar/", {"week": week}).content.decode()


def test_a_week_that_is_not_one_is_refused_with_what_to_type(client, le_lead):
    client.force_login(le_lead)
    response = client.get("/find/calendar/", {"week": "next tuesday"})
    assert response.status_code == 400 and "is not a week" in response.content.decode()


def test_social_services_have_no_calendar(client, social_worker):
    client.force_login(social_worker)
    assert client.get("/find/calendar/").status_code == 403


# --- the board's cards ------------------------------------------------------------------------------------


def test_a_board_card_shows_its_next_step_and_when_it_is_due(client, le_lead):
    cn = s.delivery_create(user=le_lead, candidate=make_candidate(last="Due"))
    Delivery.objects.filter(pk=cn.pk).update(state_entered_at=days_ago(5))
    client.force_login(le_lead)
    page = client.get("/cn/board/").content.decode()
    due = timezone.localtime(days_ago(5) + dt.timedelta(days=2))
    assert f"The eligibility determination due {due:%a} {due.day} {due:%b %Y}" in page
    assert "Overdue" in page


def test_a_board_card_flags_a_planned_day_passed(client, le_lead):
    planned(le_lead, "Late", timezone.localdate() - dt.timedelta(days=2))
    client.force_login(le_lead)
    assert "Planned day passed, not yet delivered" in client.get("/cn/board/").content.decode()


def test_the_board_offers_a_new_cn_to_the_le_lead_only(client, le_lead, program_manager):
    client.force_login(le_lead)
    assert "New CN</a>" in client.get("/cn/board/").content.decode()
    client.force_login(program_manager)
    assert "New CN</a>" not in client.get("/cn/board/").content.decode()


def test_new_cn_finds_the_person_then_offers_to_open_their_cn(client, le_lead, alvarez):
    client.force_login(le_lead)
    page = client.get("/find/", {"q": "alvarez", "for": "new-cn"}).content.decode()
    assert f'href="/cn/new/?candidate={alvarez.pk}"' in page
