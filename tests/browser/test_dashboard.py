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


# --- at the Program Manager's screen (1366x768): the figures' age, a drill-down that agrees, the public report ---

DESKTOP = {"width": 1366, "height": 768}
# The pictures docs/user-guide.md shows of these pages come from the Program Manager's journey
# (test_journey_program_manager.py, `make screens`).


@pytest.fixture
def a_program(le_lead, officer, second_officer):
    """A few months of a program: contacts, refusals, services, CNs waiting and late."""
    from reports.tests.builders import LEAD, REFUSED, TO_INFLUENCER

    today = timezone.localdate()
    for n, (days_ago, outcome) in enumerate(
        [(70, DELIVERED), (66, DELIVERED), (40, TO_INFLUENCER), (38, DELIVERED), (35, REFUSED), (12, DELIVERED)]
        + [(10, REFUSED), (8, DELIVERED), (5, DELIVERED), (3, TO_INFLUENCER)]
    ):
        someone = person(f"Person{n}", f"Example{n}", dt.date(1995 + n, 1 + n, 1))
        day = today - dt.timedelta(days=days_ago)
        cn(someone, {"delivered": "closed"}.get(outcome, outcome), outcome=outcome, on=day, team=[(le_lead, LEAD)])
        offer(someone, "job_training" if n % 2 else "shelter", "accepted" if n % 3 else "offered", day)
    late = timezone.now() - dt.timedelta(days=9)
    for n in range(3):
        cn(person(f"Waiting{n}", "Example", dt.date(1990, 1, 1)), "ready", state_entered_at=late, planned_for=today)


def test_the_program_manager_sees_each_figures_age_and_its_drill_down_agrees(
    live_server, page, program_manager, a_program
):
    from reports.tests.builders import REFUSED

    page.set_viewport_size(DESKTOP)
    browser_sign_in(page, live_server.url, "manager")
    page.goto(f"{live_server.url}/reports/dashboard/")
    assert page.locator("#figure-refusals").inner_text() == "2"
    assert "as of " in page.locator("#figure-refusals + .as-of").inner_text()

    cn(person("Late", "Refuser", dt.date(1990, 1, 1)), REFUSED, outcome=REFUSED, on=timezone.localdate())
    page.click("#figure-refusals")
    page.wait_for_url("**/reports/drill/refusals/**")
    assert page.locator("#drill-count").inner_text() == "3"
    assert "It showed 2" in page.locator("#agreement").inner_text()
    page.go_back()
    page.reload()
    assert page.locator("#figure-refusals").inner_text() == "3"


def test_the_public_reports_columns_line_up_and_it_has_no_restricted_footer(live_server, page, a_program):
    page.set_viewport_size(DESKTOP)
    page.goto(f"{live_server.url}/reports/transparency/")
    assert "Restricted system" not in page.locator("footer").inner_text()
    for section in page.locator("section.card").all():
        lefts = {
            tuple(round(box["x"]) for box in (cell.bounding_box() for cell in table.locator("thead th").all()))
            for table in section.locator("table").all()
        }
        assert len(lefts) == 1, lefts  # every table of the year has its columns at the same places
