"""The LE Lead finds things in Chromium at tablet size (768x1024; issue 18, item 4), with axe-core checking each
page: the header's search by name, by alias and by CN number, opening what it found; the calendar of planned
deliveries, a week at a time with its year; the caseload by next due step; the board's due dates. The header
keeps to two rows at 768px and at 1366px. The Administrator's admin pages pass axe-core too (item 10: the
breadcrumbs). VIP_SCREENSHOTS=<folder> keeps what each page looked like (tests/browser/screens.py)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from candidates.models import Alias
from notifications import services as s
from notifications.models import Delivery
from notifications.tests.conftest import make_candidate
from tests.browser.screens import shot
from tests.browser.test_tablet_delivery import assert_fits_and_is_accessible
from vip.testing import browser_sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def tablet(page):
    page.set_viewport_size({"width": 768, "height": 1024})
    return page


@pytest.fixture
def caseload(le_lead):
    """Alvarez ("Little Jay"), planned for today; Baca, planned for yesterday and not yet delivered; Chavez,
    whose eligibility determination was due three days ago."""
    today = timezone.localdate()
    alvarez = make_candidate(last="Alvarez")
    Alias.objects.create(candidate=alvarez, name="Little Jay")
    cns = {}
    for last, planned in (("Alvarez", today), ("Baca", today - dt.timedelta(days=1)), ("Chavez", None)):
        person = alvarez if last == "Alvarez" else make_candidate(last=last)
        cns[last] = s.delivery_create(user=le_lead, candidate=person, planned_for=None, location="1200 Demo Ln SW")
        Delivery.objects.filter(pk=cns[last].pk).update(planned_for=planned)
    Delivery.objects.filter(pk=cns["Chavez"].pk).update(state_entered_at=timezone.now() - dt.timedelta(days=5))
    return cns


def header_rows(page) -> int:
    """How many rows the header's items take: their vertical middles, a new row more than 20px below the last."""
    return page.evaluate(
        """() => [...document.querySelectorAll(
              '.topbar .brand, .topbar input[type=search], .topbar button, .nav > a, .nav-more > summary')]
            .map(e => { const r = e.getBoundingClientRect(); return r.top + r.height / 2; })
            .sort((a, b) => a - b)
            .reduce((rows, y) => (rows.length && y - rows[rows.length - 1] <= 20 ? rows : [...rows, y]), [])
            .length"""
    )


def search_from_the_header(page, typed: str) -> None:
    page.fill("#topsearch-q", typed)
    with page.expect_navigation():
        page.press("#topsearch-q", "Enter")


def test_the_le_lead_finds_a_person_and_a_cn_from_the_header(live_server, tablet, le_lead, caseload):
    page = tablet
    browser_sign_in(page, live_server.url, "lead")
    page.goto(f"{live_server.url}/cn/board/")
    shot(page, "lead-board")
    assert header_rows(page) <= 2
    assert page.locator("text=Planned day passed, not yet delivered").count() >= 1
    assert page.locator("a.btn", has_text="New CN").is_visible()
    assert_fits_and_is_accessible(page)
    shot(page, "lead-board")

    search_from_the_header(page, "alvarez")
    assert page.locator(".result-title", has_text="Jordan Alvarez").is_visible()
    assert_fits_and_is_accessible(page)
    shot(page, "lead-search")

    search_from_the_header(page, "litle jay")  # the alias, misspelt
    assert page.locator(".result", has_text="Little Jay").is_visible()

    search_from_the_header(page, f"CN {caseload['Baca'].pk}")
    with page.expect_navigation():
        page.click(f"text=CN #{caseload['Baca'].pk}")
    assert page.url.endswith(f"/cn/{caseload['Baca'].pk}/")

    search_from_the_header(page, "Nobody Byname")
    assert page.locator("text=Nothing found for “Nobody Byname”").is_visible()
    assert_fits_and_is_accessible(page)


def test_the_le_lead_plans_the_week_and_works_the_caseload(live_server, tablet, le_lead, caseload):
    page = tablet
    browser_sign_in(page, live_server.url, "lead")
    with page.expect_navigation():
        page.click("nav.nav >> text=Calendar")
    assert page.locator(".day.is-today", has_text=f"CN #{caseload['Alvarez'].pk}").is_visible()
    assert header_rows(page) <= 2
    assert_fits_and_is_accessible(page)
    shot(page, "lead-calendar")
    next_monday = timezone.localdate() - dt.timedelta(days=timezone.localdate().weekday()) + dt.timedelta(days=7)
    with page.expect_navigation():
        page.click("text=Next week")
    assert page.locator("h2.week-title", has_text=next_monday.strftime("%Y")).is_visible()

    with page.expect_navigation():
        page.click("nav.nav >> text=Caseload")
    rows = page.locator("tbody tr")
    assert rows.first.locator("text=Overdue").is_visible()  # Chavez's eligibility: the soonest due first
    assert f"CN #{caseload['Chavez'].pk}" in rows.first.inner_text()
    assert_fits_and_is_accessible(page)
    shot(page, "lead-caseload")

    page.click("nav.nav summary")  # the less-used pages, under More
    assert page.locator(".nav-more-links >> text=Dashboard").is_visible()
    shot(page, "lead-menu-more")


def test_the_header_keeps_to_two_rows_at_1366(live_server, page, le_lead, caseload):
    page.set_viewport_size({"width": 1366, "height": 768})
    browser_sign_in(page, live_server.url, "lead")
    page.goto(f"{live_server.url}/find/caseload/")
    assert header_rows(page) <= 2
    assert_fits_and_is_accessible(page)


def test_an_officer_s_header_keeps_to_two_rows_on_the_tablet(live_server, tablet, officer):
    browser_sign_in(tablet, live_server.url, "officer")
    tablet.goto(f"{live_server.url}/tablet/")
    assert header_rows(tablet) <= 2
    shot(tablet, "officer-header")


def test_the_admin_pages_pass_axe_core_breadcrumbs_included(live_server, page, administrator):
    page.set_viewport_size({"width": 1366, "height": 768})
    browser_sign_in(page, live_server.url, "admin")
    page.goto(f"{live_server.url}/admin/notifications/")
    assert page.locator("div.breadcrumbs a").first.is_visible()
    assert_fits_and_is_accessible(page)
