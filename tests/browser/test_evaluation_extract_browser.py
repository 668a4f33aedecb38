"""The Program Manager, at their desk (1366x768), opens the evaluation extract: the privacy check names the groups
too small to release, they record the data-use agreement, and the zip downloads (issue 19, part 5)."""

import datetime as dt
import zipfile

import pytest

from reports.tests.builders import DELIVERED, cn, person
from tests.browser.screens import shot
from tests.browser.test_tablet_delivery import assert_fits_and_is_accessible
from vip.models import AuditEvent
from vip.testing import browser_sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DESKTOP = {"width": 1366, "height": 768}


@pytest.fixture
def a_small_program(db):
    for n in range(6):
        someone = person(f"Person{n}", f"Example{n}", dt.date(1990 + 3 * n, 1, 1), address=f"{n} Juniper Lane")
        cn(someone, "closed", outcome=DELIVERED, on=dt.date(2026, 3 + n % 2, 10))


def test_the_program_manager_releases_an_extract_under_a_data_use_agreement(
    live_server, page, program_manager, a_small_program
):
    page.set_viewport_size(DESKTOP)
    browser_sign_in(page, live_server.url, "manager")
    page.goto(f"{live_server.url}/reports/dashboard/")
    page.click("text=Evaluation extract")
    page.wait_for_url("**/reports/evaluation-extract/")
    assert "fewer than 5 people today" in page.locator("#check-title + p").inner_text()
    assert_fits_and_is_accessible(page)
    shot(page, "pm-extract")
    page.click("text=people.csv")
    page.locator("#dictionary-title").scroll_into_view_if_needed()
    assert_fits_and_is_accessible(page)
    shot(page, "pm-extract-dictionary")
    page.fill("#id_reason", "Outcome evaluation by the university criminology department")
    page.fill("#id_data_use_agreement", "DUA-2026-014")
    with page.expect_download() as download:
        page.click("text=Download the extract (zip)")
    names = zipfile.ZipFile(download.value.path()).namelist()
    assert "datapackage.json" in names
    assert AuditEvent.objects.get(action="export").changes["data_use_agreement"] == "DUA-2026-014"


def test_a_refusal_is_shown_beside_the_form_with_what_was_typed(live_server, page, program_manager, a_small_program):
    page.set_viewport_size(DESKTOP)
    browser_sign_in(page, live_server.url, "manager")
    page.goto(f"{live_server.url}/reports/evaluation-extract/")
    page.fill("#id_reason", "Outcome evaluation by the university criminology department")
    page.click("text=Download the extract (zip)")
    assert "The extract was refused" in page.locator("[role=alert]").inner_text()
    assert page.input_value("#id_reason").startswith("Outcome evaluation")
    assert_fits_and_is_accessible(page)
    shot(page, "pm-extract-refused")
