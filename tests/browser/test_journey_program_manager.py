"""The Program Manager's main job at their desk (1366x768), from the pages alone (issue 18, item 1): from the
page sign-in lands on, the dashboard; a figure followed to its records, which agree with it; those records
exported as a CSV with the delivery's date, outcome and team, and moments in ISO 8601 to the second; then the
public report the program publishes.
axe-core checks each page; `make screens` keeps the pm-* pictures docs/user-guide.md shows."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest

from notifications.models import Encounter
from tests.browser.screens import shot
from tests.browser.test_dashboard import DESKTOP, a_program  # noqa: F401 (a fixture: a few months of a program)
from tests.browser.test_tablet_delivery import assert_fits_and_is_accessible
from vip.testing import browser_sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CONTACTS = {Encounter.Outcome.DELIVERED.label, Encounter.Outcome.DELIVERED_TO_INFLUENCER.label}
ISO_TO_THE_SECOND = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d$")


@pytest.mark.usefixtures("a_program")
def test_the_program_manager_reads_the_dashboard_follows_a_figure_and_exports_its_records(
    live_server, page, program_manager
):
    page.set_viewport_size(DESKTOP)
    browser_sign_in(page, live_server.url, "manager")
    page.get_by_role("link", name="Dashboard", exact=True).click()
    page.wait_for_url("**/reports/dashboard/**")
    contacts = page.locator("#figure-contacts").inner_text()
    assert (
        contacts == "8"
    )  # delivered or to an influencer, in the default period (a_program: ten outcomes, two refused)
    assert_fits_and_is_accessible(page)
    shot(page, "pm-dashboard")

    page.click("#figure-contacts")
    page.wait_for_url("**/reports/drill/contacts/**")
    assert page.locator("#drill-count").inner_text() == contacts
    assert page.locator("#drill-records tbody tr").count() == int(contacts)
    assert contacts in page.locator("#agreement").inner_text()
    assert_fits_and_is_accessible(page)
    shot(page, "pm-drill-down")

    page.get_by_role("link", name="Export as CSV").click()
    page.wait_for_url("**/reports/export/cns.csv**")
    assert page.locator("h1").inner_text() == f"Export {contacts} CNs as CSV"
    assert_fits_and_is_accessible(page)
    shot(page, "pm-export")
    page.get_by_role("button", name="Download the CSV").click()  # no reason given: asked for beside the field
    assert "Give the reason for the export" in page.locator("#id_reason_error").inner_text()
    assert_fits_and_is_accessible(page)
    page.get_by_label("Why do you need this export?").fill("Quarterly report to the steering committee.")
    with page.expect_download() as download:
        page.get_by_role("button", name="Download the CSV").click()
    rows = list(csv.DictReader(io.StringIO(Path(download.value.path()).read_text(encoding="utf-8"))))

    assert len(rows) == int(contacts)
    assert {"delivery_date", "outcome", "team"} <= set(rows[0])
    for row in rows:
        assert re.fullmatch(r"\d{4}-\d\d-\d\d", row["delivery_date"])
        assert row["outcome"] in CONTACTS, row["outcome"]
        assert row["team"] == "Dana Okafor (VIP LE Lead)"
        assert ISO_TO_THE_SECOND.match(row["state_entered_at"]), row["state_entered_at"]

    page.get_by_role("link", name="Dashboard", exact=True).click()
    page.get_by_role("link", name="Public transparency report").click()
    page.wait_for_url("**/reports/transparency/**")
    assert "Restricted system" not in page.locator("footer").inner_text()
    assert_fits_and_is_accessible(page)
    shot(page, "pm-public-report")
