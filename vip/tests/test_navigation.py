"""The main menu: each persona sees the links their roles give, written once per set of roles."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.models import Group

from vip import roles
from vip.context_processors import _nav_links

pytestmark = pytest.mark.django_db


def menu(client, user) -> list[str]:
    client.force_login(user)
    page = client.get("/reminders/").content.decode()
    nav = page[page.index('<nav class="nav"') : page.index("</nav>")]
    return re.findall(r">([A-Z][A-Za-z ]+)(?:<| <span)", nav)


def more(client, user) -> list[str]:
    """The links under the menu's "More"."""
    client.force_login(user)
    page = client.get("/reminders/").content.decode()
    if '<details class="nav-more">' not in page:
        return []
    links = page[page.index('<details class="nav-more">') : page.index("</details>")]
    return re.findall(r'<a href="[^"]+">([^<]+)</a>', links)


def test_the_le_lead_sees_the_board_caseload_and_calendar_and_the_rest_under_more(client, le_lead):
    assert menu(client, le_lead) == [
        "CN board", "Caseload", "My deliveries", "Calendar", "Candidates", "Reminders", "More", "Dashboard",
        "Weekly review", "Personnel", "Corrections", "Services", "Review",
    ]  # fmt: skip
    assert more(client, le_lead) == ["Dashboard", "Weekly review", "Personnel", "Corrections", "Services", "Review"]


def test_the_program_manager_finds_the_corrections_awaiting_approval_in_the_menu(client, program_manager):
    assert "Corrections" in more(client, program_manager)


def test_the_program_manager_has_the_board_calendar_and_dashboard_at_hand(client, program_manager):
    assert menu(client, program_manager)[:5] == ["CN board", "Calendar", "Dashboard", "Candidates", "Reminders"]


def test_an_officer_sees_one_my_deliveries_the_tablets_list_and_the_calendar(client, officer):
    assert menu(client, officer) == ["My deliveries", "Calendar", "Candidates", "Reminders"]


def test_the_administrator_sees_the_staff_the_admin_the_audit_and_the_role_grants(client, administrator):
    assert menu(client, administrator) == ["Reminders", "Staff", "Admin", "Audit", "Role grants"]


def test_the_records_custodian_sees_the_candidates_sealing_and_the_audit(client, custodian):
    assert menu(client, custodian) == ["Candidates", "Reminders", "Sealing", "Audit"]


def test_every_role_that_reads_records_has_the_search_box_and_the_administrator_has_none(
    client, le_lead, officer, administrator
):
    client.force_login(officer)
    assert 'role="search" aria-label="Search people and CNs"' in client.get("/reminders/").content.decode()
    client.force_login(administrator)
    assert 'aria-label="Search people and CNs"' not in client.get("/reminders/").content.decode()


def test_the_menu_is_written_once_for_a_set_of_roles_and_anew_when_a_role_is_given(client, le_lead):
    _nav_links.cache_clear()
    menu(client, le_lead)
    menu(client, le_lead)
    assert _nav_links.cache_info().misses == 1
    le_lead.groups.add(Group.objects.get(name=roles.RECORDS_CUSTODIAN))
    assert "Sealing" in menu(client, le_lead)
