"""The lists reloaded all day (the tablet's, My deliveries, the dashboard's live lists) are kept, rendered,
between reloads (`vip.kept.kept`). What is kept must never outlive a change to what it shows,
and never reach another user: these tests load a list, change what it shows, and load it again.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.cache import cache
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from candidates import models as c
from candidates.sealing import candidate_seal
from notifications import services as s
from notifications.tests.test_tablet_support import ready_delivery
from vip import kept as kept_pages

pytestmark = pytest.mark.django_db


def page(client, user, url: str) -> str:
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


@pytest.fixture
def ready(le_lead, officer):
    return ready_delivery(le_lead, [officer], first="Kept", last="Listed")


def cn_queries(client, url: str) -> list[str]:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return [q["sql"] for q in queries if "notifications_delivery" in q["sql"]]


@pytest.mark.django_db(transaction=True)  # committed, as in production: nothing is kept while a change is pending
@pytest.mark.parametrize("url", ["/tablet/", "/cn/mine/"])
def test_an_officers_reload_with_nothing_changed_reads_no_cn(client, officer, ready, url):
    page(client, officer, url)
    assert cn_queries(client, url) == []


@pytest.mark.parametrize("url", ["/tablet/", "/cn/mine/"])
def test_a_cn_the_officer_is_added_to_shows_on_the_next_reload(client, le_lead, officer, ready, url):
    assert "Newly Added" not in page(client, officer, url)
    other = ready_delivery(le_lead, [], first="Newly", last="Added")
    s.add_team_member(other.pk, user=le_lead, member=officer, role="officer")
    assert "Newly Added" in page(client, officer, url)


@pytest.mark.parametrize("url", ["/tablet/", "/cn/mine/"])
def test_an_officer_taken_off_the_team_no_longer_sees_the_cn(client, le_lead, officer, second_officer, ready, url):
    s.add_team_member(ready.pk, user=le_lead, member=second_officer, role="officer")
    assert "Kept Listed" in page(client, officer, url)
    s.remove_team_member(ready.pk, user=le_lead, member=officer)
    assert "Kept Listed" not in page(client, officer, url)


@pytest.mark.parametrize("url", ["/tablet/", "/cn/mine/"])
def test_a_sealed_record_leaves_the_kept_list_at_once(client, le_lead, officer, custodian, url):
    juvenile = ready_delivery(le_lead, [officer], juvenile=True, first="Kept", last="Sealed")
    assert "Kept Sealed" in page(client, officer, url)
    candidate_seal(juvenile.candidate, custodian, "D-202-JR-2026-00077", dt.date.today())
    assert "Kept Sealed" not in page(client, officer, url)


def test_a_new_address_shows_on_the_tablet_at_once(client, officer, ready):
    assert "77 Moved St NW" not in page(client, officer, "/tablet/")
    address = c.Address.objects.get(candidate=ready.candidate)
    address.line1 = "77 Moved St NW"
    address.save()
    assert "77 Moved St NW" in page(client, officer, "/tablet/")


def test_a_teammates_new_name_shows_on_the_tablet(client, le_lead, officer, second_officer, ready):
    s.add_team_member(ready.pk, user=le_lead, member=second_officer, role="officer")
    page(client, officer, "/tablet/")
    second_officer.last_name = "Renamed"
    second_officer.save()
    assert "Renamed" in page(client, officer, "/tablet/")


@pytest.mark.django_db(transaction=True)  # committed, as in production: nothing is kept while a change is pending
def test_a_sign_in_does_not_throw_away_what_is_kept(client, officer, second_officer, ready):
    page(client, officer, "/tablet/")
    Client().force_login(second_officer)  # a sign-in saves second_officer's last_login
    assert cn_queries(client, "/tablet/") == []


@pytest.mark.parametrize("url", ["/tablet/", "/cn/mine/"])
def test_one_officers_kept_list_never_reaches_another(client, officer, second_officer, ready, url):
    assert "Kept Listed" in page(client, officer, url)
    assert "Kept Listed" not in page(client, second_officer, url)


def test_an_officer_who_becomes_le_lead_gets_a_list_of_their_own_roles(client, officer, le_lead, ready):
    """The key names the user's roles: a change of role never serves what was kept under the old ones."""
    from django.contrib.auth.models import Group

    from vip import roles

    page(client, officer, "/cn/mine/")
    officer.groups.add(Group.objects.get(name=roles.LE_LEAD))
    with CaptureQueriesContext(connection) as queries:
        page(client, officer, "/cn/mine/")
    assert any("notifications_delivery" in q["sql"] for q in queries)


def test_my_deliveries_takes_a_page_number_and_ignores_anything_else(client, officer, ready):
    assert "Kept Listed" in page(client, officer, "/cn/mine/?page=1")
    assert "Kept Listed" in page(client, officer, "/cn/mine/?page=not-a-number")
    assert "Kept Listed" in page(client, officer, "/cn/mine/?page=" + "9" * 40)


# --- the dashboard's live lists ---------------------------------------------------------------------------


@pytest.fixture
def planned_today(le_lead, officer):
    delivery = ready_delivery(le_lead, [officer], first="Planned", last="Today")
    delivery.planned_for = timezone.localdate()
    delivery.save()
    return delivery


@pytest.fixture
def this_minute(monkeypatch):
    """The clock stopped: the dashboard's lists are kept for the minute, and a test must not cross one."""
    now = timezone.now()
    monkeypatch.setattr(timezone, "now", lambda: now)
    return now


@pytest.mark.django_db(transaction=True)  # committed, as in production: nothing is kept while a change is pending
def test_the_program_manager_and_the_le_lead_share_the_kept_lists(
    client, program_manager, le_lead, planned_today, this_minute
):
    assert "Planned Today" in page(client, program_manager, "/reports/dashboard/")
    client.force_login(le_lead)
    assert cn_queries(client, "/reports/dashboard/") == []


def test_a_cancelled_cn_leaves_this_weeks_list_on_the_next_load(client, program_manager, le_lead, planned_today):
    assert "Planned Today" in page(client, program_manager, "/reports/dashboard/")
    s.delivery_cancel(planned_today.pk, user=le_lead, reason="Moved out of state.")
    assert "Planned Today" not in page(client, program_manager, "/reports/dashboard/")


@pytest.mark.django_db(transaction=True)  # committed, as in production: nothing is kept while a change is pending
def test_the_late_by_of_the_overdue_list_is_never_a_minute_old(
    client, program_manager, planned_today, this_minute, monkeypatch
):
    page(client, program_manager, "/reports/dashboard/")
    client.force_login(program_manager)
    assert cn_queries(client, "/reports/dashboard/") == []  # the same minute: kept
    monkeypatch.setattr(timezone, "now", lambda: this_minute + dt.timedelta(minutes=1))
    assert cn_queries(client, "/reports/dashboard/") != []  # the next: read again


# --- the API's list ----------------------------------------------------------------------------------------


def api(user):
    from rest_framework.test import APIClient

    client = APIClient()
    client.force_authenticate(user)
    return client


def names(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [row["candidate"]["full_name"].split()[-1] for row in response.json()["results"]]


def test_an_officers_api_list_shows_a_cn_they_are_added_to_after_it_was_kept(le_lead, officer, ready):
    assert "Added" not in names(api(officer).get("/api/deliveries/?mine=1"))
    other = ready_delivery(le_lead, [], first="Newly", last="Added")
    s.add_team_member(other.pk, user=le_lead, member=officer, role="officer")
    assert "Added" in names(api(officer).get("/api/deliveries/?mine=1"))


@pytest.mark.django_db(transaction=True)  # committed, as in production: nothing is kept while a change is pending
def test_the_le_leads_api_list_is_read_once_for_the_program_manager_too(le_lead, program_manager, ready):
    listed = names(api(le_lead).get("/api/deliveries/"))
    with CaptureQueriesContext(connection) as queries:
        assert names(api(program_manager).get("/api/deliveries/")) == listed
    assert not any("notifications_delivery" in q["sql"] for q in queries)


def test_a_cn_opened_after_the_list_was_kept_is_on_the_next_page_read(le_lead, ready):
    assert "Later" not in names(api(le_lead).get("/api/deliveries/"))
    ready_delivery(le_lead, [], first="Opened", last="Later")
    assert names(api(le_lead).get("/api/deliveries/"))[0] == "Later"  # newest first


def test_a_refused_filter_is_still_a_400_when_the_list_is_kept(le_lead, ready):
    api(le_lead).get("/api/deliveries/")
    response = api(le_lead).get("/api/deliveries/?state=nowhere")
    assert response.status_code == 400 and "Unknown state" in response.content.decode()


# --- a transaction's changes -----------------------------------------------------------------------------


def test_a_change_that_is_rolled_back_is_never_shown(client, officer, ready):
    assert "77 Undone St NW" not in page(client, officer, "/tablet/")
    address = c.Address.objects.get(candidate=ready.candidate)
    with pytest.raises(RuntimeError), transaction.atomic():
        address.line1 = "77 Undone St NW"
        address.save()
        assert "77 Undone St NW" in page(client, officer, "/tablet/")  # kept while the change was pending
        raise RuntimeError("the save fails further on")
    assert "77 Undone St NW" not in page(client, officer, "/tablet/")


@pytest.mark.django_db(transaction=True)
def test_a_transaction_makes_one_new_version_for_everyone_when_it_commits(le_lead, officer, monkeypatch):
    cn = ready_delivery(le_lead, [officer], first="Once", last="Committed")
    before = cache.get(kept_pages.CN_DATA_VERSION_KEY)
    versions_made = []
    monkeypatch.setattr(kept_pages, "cn_data_changed", lambda: versions_made.append(1))
    with transaction.atomic():
        for line in ("1 First St NW", "2 Second St NW", "3 Third St NW"):
            address = c.Address.objects.get(candidate=cn.candidate)
            address.line1 = line
            address.save()
        assert kept_pages.cn_data_version() != before  # this transaction reads past what was kept
        assert versions_made == []  # no one else is told before the data is theirs to read
    assert versions_made == [1]


# --- the pager the board and My deliveries share (templates/_pager.html) -------------------------------------


def test_the_boards_pages_keep_the_state_chosen_and_my_deliveries_pages_their_number(
    client, le_lead, officer, monkeypatch
):
    from notifications import views

    monkeypatch.setattr(views, "BOARD_PAGE_SIZE", 1)
    monkeypatch.setattr(views, "MY_DELIVERIES_PAGE_SIZE", 1)
    for last in ("Paged", "Pager"):
        ready_delivery(le_lead, [officer], first="Two", last=last)
    board = page(client, le_lead, "/cn/board/?state=ready&page=2")
    assert "Page 2 of 2" in board and 'href="?state=ready&amp;page=1">Previous</a>' in board
    mine = page(client, officer, "/cn/mine/")
    assert "Page 1 of " in mine and 'href="?page=2">Next</a>' in mine
