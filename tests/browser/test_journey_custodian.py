"""The Records Custodian's main job at their desk (1366x768), from the pages alone (issue 18, item 1): find the
sealed records. From the Sealing page, the list of sealed records (no one else's list holds them); a record
opened, with the court order it was sealed on; then its sealing in the audit trail. axe-core checks each page;
`make screens` keeps the custodian-* pictures docs/user-guide.md shows. (Sealing itself:
test_sealing_browser.py, whose people this journey reuses.)"""

from __future__ import annotations

import pytest

from candidates.models import Candidate
from tests.browser.screens import shot
from tests.browser.test_dashboard import DESKTOP
from tests.browser.test_sealing_browser import people  # noqa: F401 (a fixture: Sam Baca's record sealed, two not)
from tests.browser.test_tablet_delivery import assert_fits_and_is_accessible
from vip.testing import browser_sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.usefixtures("people")
def test_the_custodian_finds_the_sealed_records_and_the_order_each_was_sealed_on(live_server, page, custodian):
    sam = Candidate.objects.get(last_name="Baca")
    page.set_viewport_size(DESKTOP)
    browser_sign_in(page, live_server.url, "custodian")
    page.get_by_role("link", name="Sealing", exact=True).click()
    assert_fits_and_is_accessible(page)
    shot(page, "custodian-sealing")

    page.get_by_role("link", name="The sealed records").click()
    assert page.locator("#id_sealed").input_value() == "sealed"
    assert page.locator("tbody tr").count() == 1  # Sam Baca's; Teo Archuleta's and Kayla Montoya's are not sealed
    assert page.locator("tbody .badge-sealed").count() == 1
    assert_fits_and_is_accessible(page)
    shot(page, "custodian-sealed-list")

    page.get_by_role("link", name="Baca, Sam").click()
    page.wait_for_url(f"**/candidates/{sam.pk}/")
    sealed = page.get_by_text("by court order D-202-JR-2025-00317")
    assert "no one but the Records Custodian sees this record" in sealed.inner_text()
    assert page.get_by_role("link", name="Unseal on a court order").is_visible()
    assert_fits_and_is_accessible(page)
    shot(page, "custodian-sealed-record")

    page.get_by_role("link", name="Audit", exact=True).click()
    page.get_by_label("Record number").fill(str(sam.pk))
    page.locator("#id_action").select_option(label="Sealing")
    page.get_by_role("button", name="Filter").click()
    rows = page.locator("tbody tr")
    assert rows.count() == 1 and "custodian" in rows.first.inner_text()
    assert_fits_and_is_accessible(page)
    shot(page, "custodian-audit")
