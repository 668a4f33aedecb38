"""The LE Lead prepares a CN in a real browser: sees why approval is blocked, records a step, moves the CN."""

import os

import pytest

from notifications import services as s
from notifications.tests.conftest import make_candidate
from vip.testing import browser_sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = os.environ.get("VIP_SCREENSHOTS")  # a folder: save screenshots there for a look by eye


def _shot(page, name):
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, f"{name}.png"), full_page=True)


def test_the_le_lead_sees_why_approval_is_blocked_and_records_the_threat_assessment(live_server, page, le_lead):
    cn = s.delivery_create(user=le_lead, candidate=make_candidate(), location="1200 Demo Ln SW")
    s.delivery_determine_eligibility(cn.pk, user=le_lead)
    s.delivery_start_preparation(cn.pk, user=le_lead)
    browser_sign_in(page, live_server.url, "lead")
    page.goto(f"{live_server.url}/cn/{cn.pk}/")
    _shot(page, "cn-detail")
    assert page.locator('[data-condition="threat_assessment_done"]').count() == 1
    form = page.locator('[data-step="threat-assessment"]')
    form.locator("select").select_option("no_concerns")
    form.locator("button[type=submit]").click()
    page.wait_for_load_state()
    assert page.locator('[data-condition="threat_assessment_done"]').count() == 0
    assert "Threat assessment: recorded." in page.locator(".messages").inner_text()


def test_the_board_fits_a_tablet_without_sideways_scrolling(live_server, page, le_lead):
    for n in range(3):
        s.delivery_create(user=le_lead, candidate=make_candidate(last=f"Board{n}"))
    browser_sign_in(page, live_server.url, "lead")
    page.goto(f"{live_server.url}/cn/board/")
    _shot(page, "cn-board")
    overflow = page.evaluate("document.documentElement.scrollWidth > document.documentElement.clientWidth")
    assert overflow is False


def test_it_offers_close_on_an_after_action_with_a_valid_cad_number_and_lists_nothing_unmet(
    live_server, page, le_lead, officer
):
    from notifications.tests.conftest import walk

    cn = s.delivery_create(user=le_lead, candidate=make_candidate(), location="1200 Demo Ln SW")
    walk(cn, "after_action", lead=le_lead, officer=officer)
    browser_sign_in(page, live_server.url, "lead")
    page.goto(f"{live_server.url}/cn/{cn.pk}/")
    _shot(page, "cn-after-action")
    close = page.locator('[data-transition="close"]')
    assert "possible" in close.inner_text() and "CAD report number is missing" not in close.inner_text()
    assert page.locator(".sequence li.todo strong").all_inner_texts() == ["Record confirmed by the LE Lead; CN closed"]
