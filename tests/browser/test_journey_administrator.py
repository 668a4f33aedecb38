"""The Administrator adds a member of staff in Chromium at 1366x768 (issue 18, item 6), with axe-core checking
each page: a first try with fields missing (errors beside them, nothing typed lost), then the officer added with
the Officer role awaiting approval; a second Administrator approves it; the officer's page then says they may go
to the door as a trainee with the LE Lead. VIP_SCREENSHOTS=<folder> saves what each page looked like."""

from __future__ import annotations

import os

import pytest
from django.contrib.auth.models import User
from django.utils import timezone

from tests.browser.test_tablet_delivery import assert_fits_and_is_accessible
from vip import roles
from vip.models import RoleGrant
from vip.testing import browser_sign_in, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SHOTS = os.environ.get("VIP_SCREENSHOTS")


def shot(page, name: str) -> None:
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, f"{name}.png"), full_page=True)


@pytest.fixture
def admin_screen(page):
    page.set_viewport_size({"width": 1366, "height": 768})
    return page


def test_the_administrator_adds_an_officer_who_can_then_go_to_the_door(live_server, admin_screen, administrator):
    page = admin_screen
    make_user("admin2", roles.ADMINISTRATOR, first="Bea", last="Lindqvist", staff=True)
    browser_sign_in(page, live_server.url, "admin")
    page.click("#content-main >> text=Staff accounts")  # the admin's home, where the Administrator lands
    assert page.url.endswith("/staff/")
    page.click("text=Add staff member")
    assert_fits_and_is_accessible(page)
    shot(page, "staff-add-empty")

    page.fill("#id_username", "areyes")
    page.fill("#id_first_name", "Ana")
    page.fill("#id_email", "areyes@apd.test")
    page.fill("#id_password1", "lantern orchard gravel 2026")
    page.fill("#id_password2", "lantern orchard gravel 2026")
    page.get_by_label("Officer", exact=True).check()
    page.check("#id_is_sworn")
    page.fill("#id_training_course", "CN workshop, Albuquerque")
    page.click("button:has-text('Add staff member')")  # no last name, no reason, no training date
    page.wait_for_selector("#form-errors")
    assert page.input_value("#id_username") == "areyes" and page.is_checked("#id_is_sworn")
    assert page.locator("#field-last_name .errorlist").inner_text() == "Give the last name."
    assert "Say why" in page.locator("#field-reason .errorlist").inner_text()
    assert_fits_and_is_accessible(page)
    shot(page, "staff-add-errors")

    page.fill("#id_last_name", "Reyes")
    page.fill("#id_password1", "lantern orchard gravel 2026")
    page.fill("#id_password2", "lantern orchard gravel 2026")
    page.fill("#id_reason", "Assigned to VIP by memo 26-131.")
    page.fill("#id_training_attended_on", timezone.localdate().isoformat())
    page.click("button:has-text('Add staff member')")
    page.wait_for_selector(".message-warning")
    assert "only as a trainee" in page.locator("#standing").inner_text()
    assert "Officer: awaiting approval" in page.locator("#standing").inner_text()
    assert_fits_and_is_accessible(page)
    shot(page, "staff-added")

    page.click("text=← Staff")
    assert "Officer: awaiting approval" in page.locator("tr[data-user=areyes]").inner_text()
    assert_fits_and_is_accessible(page)
    shot(page, "staff-list")

    page.context.clear_cookies()
    browser_sign_in(page, live_server.url, "admin2")
    page.goto(f"{live_server.url}/security/grants/")
    page.fill("textarea[name=reason]", "Memo 26-131 seen.")
    page.click("button[value=approve]")
    page.wait_for_selector(".message-success")
    reyes = User.objects.get(username="areyes")
    assert RoleGrant.objects.get(user=reyes).status == RoleGrant.Status.APPROVED
    page.goto(f"{live_server.url}/staff/{reyes.pk}/")
    standing = page.locator("#standing").inner_text()
    assert "only as a trainee" in standing and "awaiting approval" not in standing
    shot(page, "staff-approved")
