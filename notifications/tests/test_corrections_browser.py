"""An audited correction in a real browser, at the desk (1280x800): the LE Lead proposes a new CAD number on a
closed CN, the Program Manager approves it from the corrections page, and the CN page says it was corrected."""

import os

import pytest

from notifications import services as s
from notifications.tests.conftest import make_candidate, walk
from vip.testing import browser_sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = os.environ.get("VIP_SCREENSHOTS")  # a folder: save screenshots there for a look by eye
DESK = {"width": 1280, "height": 800}


def _shot(page, name):
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, f"{name}.png"), full_page=True)


def test_the_le_lead_proposes_and_the_program_manager_approves_a_correction(
    live_server, browser, le_lead, officer, program_manager
):
    cn = s.delivery_create(user=le_lead, candidate=make_candidate(), location="1200 Demo Ln SW")
    walk(cn, "closed", lead=le_lead, officer=officer)

    lead = browser.new_page(viewport=DESK)
    browser_sign_in(lead, live_server.url, "lead")
    lead.goto(f"{live_server.url}/cn/{cn.pk}/")
    lead.select_option("#correct-field", "after_action.cad_report_number")
    with lead.expect_navigation():
        lead.click("text=Propose a correction")
    lead.fill("#id_new_value", "CAD-2026-000456")
    lead.fill("#id_reason", "The ECC gave the wrong CAD number; CAD-2026-000456 is this encounter's report.")
    _shot(lead, "correction-propose")
    with lead.expect_navigation():
        lead.click("text=Propose the correction")
    assert "Awaiting approval" in lead.locator("#corrections").inner_text()

    manager = browser.new_page(viewport=DESK)
    browser_sign_in(manager, live_server.url, "manager")
    manager.goto(f"{live_server.url}/cn/corrections/")
    _shot(manager, "corrections-approval")
    with manager.expect_navigation():
        manager.click("text=Approve and apply")
    assert "approved and applied" in manager.locator(".messages").inner_text()

    lead.goto(f"{live_server.url}/cn/{cn.pk}/")
    _shot(lead, "cn-corrected")
    assert lead.locator('[data-testid="corrected"]').is_visible()
    assert "CAD-2026-000456" in lead.locator("#corrections").inner_text()
