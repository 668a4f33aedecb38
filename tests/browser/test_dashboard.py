"""The Program Manager opens the dashboard, reads the program's figures and follows one to its records."""

import datetime as dt

import pytest
from django.utils import timezone

from reports.tests.builders import DELIVERED, OFFICER, cn, offer, person
from vip.testing import browser_sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def two_contacts(le_lead, officer):
    day = timezone.localdate() - dt.timedelta(days=10)
    first = person("Rowan", "Ashdown", dt.date(2001, 2, 3))
    second = person("Tamsin", "Elderberry", dt.date(1999, 7, 8))
    cn(first, "closed", outcome=DELIVERED, on=day, team=[(le_lead, OFFICER)])
    cn(second, "after_action", outcome=DELIVERED, on=day, team=[(officer, OFFICER)])
    offer(first, "job_training", "accepted", day)
    return first, second


def test_the_program_manager_follows_the_contacts_figure_to_its_cns(live_server, page, program_manager, two_contacts):
    browser_sign_in(page, live_server.url, "manager")
    page.goto(f"{live_server.url}/reports/dashboard/")
    assert page.locator("#figure-contacts").inner_text() == "2"
    page.click("#figure-contacts")
    page.wait_for_url("**/reports/drill/contacts/**")
    assert page.locator("#drill-records").inner_text().count("CN #") == 2


def test_the_dashboard_does_not_scroll_sideways_at_tablet_size(live_server, page, program_manager, two_contacts):
    browser_sign_in(page, live_server.url, "manager")
    page.goto(f"{live_server.url}/reports/dashboard/")
    assert page.locator("h1").inner_text() == "Program dashboard"
    overflow = page.evaluate("document.documentElement.scrollWidth > document.documentElement.clientWidth")
    assert overflow is False
