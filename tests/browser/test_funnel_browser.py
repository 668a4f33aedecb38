"""The Program Manager, at her screen (1366x768), reads the delivery funnel and the follow-up outcomes and
opens the records behind a number (issue 19, parts 3 and 4); the referral stages are hers alone, behind the
services wall: the LE Lead, at his tablet (768x1024), reads the funnel without them."""

import pytest

from reports.tests.builders import follow_up_program, funnel_program
from tests.browser.screens import shot
from tests.browser.test_tablet_delivery import assert_fits_and_is_accessible
from vip.testing import browser_sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DESKTOP = {"width": 1366, "height": 768}
TABLET = {"width": 768, "height": 1024}


def test_the_program_manager_reads_the_funnel_and_opens_a_stage(live_server, page, program_manager):
    cns = funnel_program()
    page.set_viewport_size(DESKTOP)
    browser_sign_in(page, live_server.url, "manager")
    page.goto(f"{live_server.url}/reports/funnel/?start=2026-01-01&end=2026-06-30")
    assert page.locator("#stage-identified").inner_text() == "8"
    assert_fits_and_is_accessible(page)
    shot(page, "pm-funnel")
    assert page.locator("#stage-referral_enrolled").inner_text() == "2"  # a number, no link: behind the wall
    assert page.locator("a#stage-referral_enrolled").count() == 0
    page.locator("#funnel-wall").scroll_into_view_if_needed()
    shot(page, "pm-funnel-referrals")
    page.locator("#exits-h").scroll_into_view_if_needed()
    shot(page, "pm-funnel-exits")
    page.click("#stage-service_accepted")
    page.wait_for_url("**/reports/drill/funnel/**")
    listed = page.locator("#drill-records").inner_text()
    assert f"CN #{cns['ana'].pk}" in listed and f"CN #{cns['gus'].pk}" in listed


def test_the_le_lead_reads_the_funnel_without_the_referral_stages(live_server, page, le_lead):
    funnel_program()
    page.set_viewport_size(TABLET)
    browser_sign_in(page, live_server.url, le_lead.username)
    page.goto(f"{live_server.url}/reports/funnel/?start=2026-01-01&end=2026-06-30")
    assert page.locator("#stage-service_accepted").inner_text() == "2"
    assert page.locator("#stage-referral_enrolled").count() == 0
    assert "behind the services wall" in page.locator("#funnel-wall").inner_text()
    assert_fits_and_is_accessible(page)
    page.locator("#funnel-wall").scroll_into_view_if_needed()
    shot(page, "lead-funnel")


def test_the_program_manager_reads_the_follow_up_outcomes(live_server, page, program_manager):
    follow_up_program()
    page.set_viewport_size(DESKTOP)
    browser_sign_in(page, live_server.url, "manager")
    page.goto(f"{live_server.url}/reports/follow-up/?start=2024-01-01&end=2024-12-31")
    assert page.locator("#cell-delivered__12__cohort").inner_text() == "4"
    assert_fits_and_is_accessible(page)
    shot(page, "pm-follow-up")
    page.locator("#news-h").scroll_into_view_if_needed()
    shot(page, "pm-follow-up-news")
