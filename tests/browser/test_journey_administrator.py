"""The Administrator's main job at their desk (1366x768), from the pages alone (issue 18, items 1 and 6): add a
member of staff who can then deliver. A first try with fields missing (errors beside them, nothing typed lost),
then the officer added, sworn and trained, with the Officer role awaiting approval; a second Administrator
approves it; the officer's page then says they may go to the door as a trainee with the LE Lead. The LE Lead
finds them among who may deliver and puts them on a CN's team. axe-core checks each page; `make screens` keeps
the admin-* pictures docs/user-guide.md shows."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.utils import timezone

from notifications.models import TeamMember
from reports.tests.builders import cn, person
from tests.browser.screens import shot
from tests.browser.test_dashboard import DESKTOP
from tests.browser.test_tablet_delivery import assert_fits_and_is_accessible
from vip import roles
from vip.models import RoleGrant
from vip.testing import browser_sign_in, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def a_cn_in_preparation(le_lead):
    import datetime as dt

    return cn(
        person("Jordan", "Sandoval", dt.date(1998, 4, 9)), "in_preparation", team=[(le_lead, TeamMember.Role.LE_LEAD)]
    )


def test_the_administrator_adds_an_officer_whom_the_lead_then_puts_on_a_cns_team(
    live_server, page, administrator, le_lead, a_cn_in_preparation
):
    page.set_viewport_size(DESKTOP)
    make_user("admin2", roles.ADMINISTRATOR, first="Bea", last="Lindqvist", staff=True)
    browser_sign_in(page, live_server.url, "admin")
    page.click("#content-main >> text=Staff accounts")  # the admin's home, where the Administrator lands
    assert page.url.endswith("/staff/")
    page.click("text=Add staff member")
    assert_fits_and_is_accessible(page)
    shot(page, "admin-add-staff")

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
    shot(page, "admin-add-staff-errors")

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
    shot(page, "admin-staff-added")

    page.click("text=← Staff")
    assert "Officer: awaiting approval" in page.locator("tr[data-user=areyes]").inner_text()
    assert_fits_and_is_accessible(page)
    shot(page, "admin-staff-list")

    page.context.clear_cookies()
    browser_sign_in(page, live_server.url, "admin2")
    page.click("#content-main >> text=Staff accounts")  # from the admin's home, the staff pages and their menu
    page.get_by_role("link", name="Role grants", exact=True).click()
    page.wait_for_url("**/security/grants/")
    assert_fits_and_is_accessible(page)
    shot(page, "admin-role-grants")
    page.fill("textarea[name=reason]", "Memo 26-131 seen.")
    page.click("button[value=approve]")
    page.wait_for_selector(".message-success")
    reyes = User.objects.get(username="areyes")
    assert RoleGrant.objects.get(user=reyes).status == RoleGrant.Status.APPROVED
    page.get_by_role("link", name="Staff", exact=True).click()
    page.locator("tr[data-user=areyes] a").first.click()
    standing = page.locator("#standing").inner_text()
    assert "only as a trainee" in standing and "awaiting approval" not in standing
    assert_fits_and_is_accessible(page)
    shot(page, "admin-staff-approved")

    # The LE Lead finds Ana Reyes among those who may deliver, and takes her to the door on a CN.
    page.context.clear_cookies()
    browser_sign_in(page, live_server.url, "lead")
    page.click("nav.nav summary")  # the less-used pages, under More
    page.get_by_role("link", name="Personnel", exact=True).click()
    assert "May go as trainee with the LE Lead" in page.locator(f"tr[data-person='{reyes.pk}']").inner_text()
    assert_fits_and_is_accessible(page)
    shot(page, "admin-personnel")
    page.get_by_role("link", name="CN board", exact=True).click()
    page.get_by_role("link", name=f"CN #{a_cn_in_preparation.pk}").first.click()
    page.wait_for_url(f"**/cn/{a_cn_in_preparation.pk}/")
    team = page.locator("#step-team-add")
    if team.locator("details").first.get_attribute("open") is None:
        team.locator("summary").first.click()  # the CN page folds a step that is not the one to do now
    choice = page.locator("#id_team-add-member option", has_text="Ana Reyes")
    assert choice.inner_text() == "Ana Reyes: trainee only: has not yet accompanied the LE Lead"
    page.select_option("#id_team-add-member", label=choice.inner_text())
    page.select_option("#id_team-add-role", value=TeamMember.Role.TRAINEE)
    page.locator("form[data-step=team-add] button[type=submit]").click()
    page.wait_for_selector(".message-success")
    assert "Ana Reyes" in page.locator("#step-team-add ul.team").text_content()  # its step may be folded
    assert TeamMember.objects.get(delivery=a_cn_in_preparation, user=reyes).role == TeamMember.Role.TRAINEE
    assert_fits_and_is_accessible(page)
    page.locator("#step-team-add").scroll_into_view_if_needed()
    shot(page, "admin-lead-team")
