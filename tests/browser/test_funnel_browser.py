"""The Program Manager, at her screen (1366x768), reads the delivery funnel and the follow-up outcomes and
opens the records behind a number (issue 19, parts 3 and 4)."""

import pytest

from reports.tests.builders import follow_up_program, funnel_program
from tests.browser.screens import shot
from tests.browser.test_tablet_delivery import assert_fits_and_is_accessible
from vip.testing import browser_sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DESKTOP = {"width": 1366, "height": 768}


def test_the_program_manager_reads_the_funnel_and_opens_a_stage(live_server, page, program_manager):
    cns = funnel_program()
    page.set_viewport_size(DESKTOP)
    browser_sign_in(page, live_server.url, "manager")
    page.goto(f"{live_server.url}/reports/funnel/?start=2026-01-01&end=2026-06-30")
    assert page.locator("#stage-identified").inner_text() == "8"
    assert_fits_and_is_accessible(page)
    shot(page, "pm-funnel")
    page.locator("#exits-h").scroll_into_view_if_needed()
    shot(page, "pm-funnel-exits")
    page.click("#stage-service_accepted")
    page.wait_for_url("**/reports/drill/funnel/**")
    listed = page.locator("#drill-records").inner_text()
    assert f"CN #{cns['ana'].pk}" in listed and f"CN #{cns['gus'].pk}" in listed


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
