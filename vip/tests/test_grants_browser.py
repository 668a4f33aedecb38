"""In a real Chromium at a desktop's size: an Administrator asks for a role on a user's page, and the Program
Manager (the program has a single Administrator) approves it on the grants page, under the Content Security
Policy. VIP_SCREENSHOTS=<folder> saves what each page looked like."""

from __future__ import annotations

import os

import pytest

from vip import roles
from vip.testing import browser_sign_in, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SHOTS = os.environ.get("VIP_SCREENSHOTS")  # a folder: save screenshots there for a look by eye


def shot(page, name: str) -> None:
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, f"{name}.png"), full_page=True)


def csp_violations(page) -> list[str]:
    found: list[str] = []
    page.on("console", lambda msg: found.append(msg.text) if "Content Security Policy" in msg.text else None)
    return found


@pytest.fixture
def desktop(page):
    page.set_viewport_size({"width": 1280, "height": 800})
    return page


def test_an_administrator_asks_and_the_program_manager_approves(live_server, desktop, administrator, program_manager):
    from vip.models import RoleGrant

    page = desktop
    clerk = make_user("clerk", first="Cal", last="Newhire")
    violations = csp_violations(page)
    browser_sign_in(page, live_server.url, "admin")
    page.goto(f"{live_server.url}/admin/auth/user/{clerk.pk}/change/")
    page.select_option("#id_groups_from", label=roles.RECORDS_CUSTODIAN)
    page.click("#id_groups_add")
    page.click("input[name=_continue]")  # no reason yet: refused, the choice kept
    page.wait_for_selector(".errornote")
    shot(page, "grants-admin-user-no-reason")
    page.fill("#id_role_change_reason", "Started as records custodian on 2026-12-01 (memo 26-114).")
    page.click("input[name=_continue]")
    page.wait_for_selector(".messagelist .warning")
    shot(page, "grants-admin-user-requested")
    assert RoleGrant.objects.filter(user=clerk, status="pending").exists()
    page.goto(f"{live_server.url}/admin/vip/rolegrant/")
    shot(page, "grants-admin-list")
    page.click("#result_list tbody a")
    shot(page, "grants-admin-decision")
    page.check("input[name=decision][value=approve]")
    page.fill("#id_decision_reason", "My own request.")
    page.click("input[name=_save]")  # the requester: refused with the reason
    page.wait_for_selector(".errornote")
    shot(page, "grants-admin-decision-refused")
    page.goto(f"{live_server.url}/admin/auth/user/{administrator.pk}/change/")
    shot(page, "grants-admin-own-account")

    page.context.clear_cookies()
    browser_sign_in(page, live_server.url, "manager")
    page.goto(f"{live_server.url}/security/grants/")
    shot(page, "grants-pm-page")
    page.fill("textarea[name=reason]", "Memo 26-114 seen; custodian post confirmed.")
    page.click("button[value=approve]")
    page.wait_for_selector(".message-success")
    shot(page, "grants-pm-approved")
    assert roles.RECORDS_CUSTODIAN in set(clerk.groups.values_list("name", flat=True))
    assert violations == []
