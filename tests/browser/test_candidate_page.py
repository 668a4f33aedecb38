"""The LE Lead finds a person by a misspelled name and opens their page; intake warns of a likely duplicate."""

import datetime as dt

import pytest

from candidates import services
from candidates.tests.factories import make_delivery, make_shooting
from vip.testing import browser_sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def kayla(le_lead):
    person = services.candidate_create(
        user=le_lead,
        first_name="Kayla",
        last_name="Montoya",
        date_of_birth=dt.date(2002, 6, 1),
        aliases=["Kay"],
        addresses=[{"line1": "1200 Demo Ln SW", "valid_from": dt.date(2025, 1, 1)}],
    )
    services.basis_add(user=le_lead, candidate=person, kind="shooting_victim", shooting=make_shooting())
    services.influencer_add(user=le_lead, candidate=person, name="Maria Montoya", relationship="parent")
    make_delivery(person, state="ready")
    return person


def test_the_le_lead_searches_a_misspelled_name_and_opens_the_candidate_page(live_server, page, le_lead, kayla):
    browser_sign_in(page, live_server.url, "lead")
    page.goto(f"{live_server.url}/candidates/")
    page.fill("#id_q", "Montoyo")
    page.click("main button:has-text('Search')")
    page.click("a:has-text('Montoya, Kayla')")
    page.wait_for_url(f"**/candidates/{kayla.pk}/")
    assert page.locator("h1").inner_text().startswith("Kayla Montoya")
    assert page.locator("#bases").locator("xpath=..").inner_text().count("Victim of a shooting") == 1
    assert "Maria Montoya" in page.locator("#history").locator("xpath=..").inner_text()


def test_the_candidate_page_does_not_scroll_sideways_at_tablet_size(live_server, page, le_lead, kayla):
    browser_sign_in(page, live_server.url, "lead")
    page.goto(f"{live_server.url}/candidates/{kayla.pk}/")
    overflow = page.evaluate("document.documentElement.scrollWidth > document.documentElement.clientWidth")
    assert overflow is False


def test_intake_of_a_likely_duplicate_offers_the_existing_record(live_server, page, le_lead, kayla):
    browser_sign_in(page, live_server.url, "lead")
    page.goto(f"{live_server.url}/candidates/new/")
    page.fill("#id_first_name", "Kaila")
    page.fill("#id_last_name", "Montoya")
    page.fill("#id_date_of_birth", "2002-06-01")
    page.click("button:has-text('Save')")
    warning = page.locator("#dupes").locator("xpath=..")
    assert "Kayla Montoya" in warning.inner_text()
    warning.locator("a:has-text('Kayla Montoya')").click()
    page.wait_for_url(f"**/candidates/{kayla.pk}/")
