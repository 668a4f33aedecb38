"""The Program Manager reads the audit trail and exports it for an inspector, giving the reason."""

import pytest

from vip.models import AuditEvent
from vip.testing import browser_sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_program_manager_filters_the_trail_and_exports_it_with_a_reason(live_server, page, program_manager):
    browser_sign_in(page, live_server.url, "manager")
    page.click("nav.nav summary")  # the less-used pages, under More
    page.get_by_role("link", name="Audit").click()
    page.select_option("#id_action", "create")
    page.get_by_role("button", name="Filter").click()
    assert "Account created." in page.locator("table").inner_text()

    page.get_by_role("link", name="Export these events as CSV…").click()
    page.get_by_role("button", name="Download CSV").click()  # no reason yet: the browser asks for one
    page.fill("#id_reason", "CJIS audit 2026-11, state CSA inspector")
    with page.expect_download() as download:
        page.get_by_role("button", name="Download CSV").click()
    assert download.value.suggested_filename.startswith("audit-trail-")
    assert AuditEvent.objects.filter(action="export", note__contains="state CSA inspector").exists()
