"""The LE Lead's weekly review at their desk (1366x768), from the pages alone (issue 20, part 1): this week's
review started from the list; its agenda built on its own (the shooting since the last meeting, the person named
in two shootings this year); who attended; the shooting marked reviewed; two people identified with their SOP
basis and evidence; a CN opened for one, the other found not eligible (refused until a reason is given); then the
printable minutes. axe-core checks each page; the lead-review-* pictures are kept by `tests.browser.screens`."""

from __future__ import annotations

import datetime as dt

import pytest

from candidates.models import GVISMeeting, ShootingParticipant, today
from candidates.tests.factories import make_candidate, make_shooting
from notifications.models import Delivery, State
from tests.browser.screens import shot
from tests.browser.test_dashboard import DESKTOP
from tests.browser.test_tablet_delivery import assert_fits_and_is_accessible
from vip.testing import browser_sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def a_week(le_lead, program_manager):
    GVISMeeting.objects.create(held_on=today() - dt.timedelta(days=7))
    avery = make_candidate(first="Avery", last="Lucero")
    blake = make_candidate(first="Blake", last="Sandoval")
    shooting = make_shooting(days_ago=2, location="4th St NW and Lomas")
    ShootingParticipant.objects.create(shooting=shooting, candidate=avery, role="victim")
    ShootingParticipant.objects.create(shooting=shooting, candidate=blake, role="involved")
    ShootingParticipant.objects.create(shooting=make_shooting(days_ago=90), candidate=blake, role="involved")
    return {"avery": avery, "blake": blake, "shooting": shooting}


def test_the_lead_walks_the_weekly_review_from_the_agenda_to_the_cns_it_opens(live_server, page, a_week):
    avery, blake, shooting = a_week["avery"], a_week["blake"], a_week["shooting"]
    page.set_viewport_size(DESKTOP)
    browser_sign_in(page, live_server.url, "lead")
    page.click("nav.nav summary")  # the less-used pages, under More
    page.get_by_role("link", name="Weekly review", exact=True).click()
    page.wait_for_url("**/candidates/gvis/")
    assert_fits_and_is_accessible(page)
    shot(page, "lead-review-list")

    page.get_by_role("button", name="Start this week's review").click()
    page.wait_for_url("**/candidates/gvis/*/")
    assert shooting.incident_number in page.locator("#agenda-shootings").inner_text()
    assert "Blake Sandoval" in page.locator("#agenda-repeat").inner_text()  # two shootings within 12 months
    assert_fits_and_is_accessible(page)
    page.locator("#agenda-shootings").scroll_into_view_if_needed()
    shot(page, "lead-review-agenda")

    page.get_by_label("Staff member").select_option(label="Renee Aldana")
    page.get_by_role("button", name="Add the attendee").click()
    page.get_by_label("Or a partner's name").fill("Sgt. Ortiz")
    page.get_by_role("button", name="Add the attendee").click()  # no agency: asked for beside the field
    assert "Say which agency" in page.locator("#attendees").inner_text()
    assert page.get_by_label("Or a partner's name").input_value() == "Sgt. Ortiz"  # nothing typed is lost
    page.get_by_label("Their agency").fill("Bernalillo County Sheriff")
    page.get_by_role("button", name="Add the attendee").click()
    assert "Sgt. Ortiz (Bernalillo County Sheriff)" in page.locator("#attendees").inner_text()

    page.get_by_role("button", name=f"Mark {shooting.incident_number} reviewed").click()
    assert "Reviewed" in page.locator("#agenda-shootings").inner_text()

    for person, kind, evidence in (
        (avery, "Victim of a shooting", f"Shot at {shooting.incident_number}; retaliation feared."),
        (blake, "Associate of someone involved in a shooting", f"Named in {shooting.incident_number} and T-90."),
    ):
        page.get_by_label("A person on this agenda").select_option(label=str(person))
        page.get_by_label("SOP basis").select_option(label=kind)
        page.get_by_label("What the meeting saw").fill(evidence)
        page.get_by_role("button", name="Identify", exact=True).click()
        page.wait_for_load_state()
    assert page.locator(".identification").count() == 2

    avery_card = page.locator(".identification", has_text="Avery Lucero")
    avery_card.get_by_label("Open a CN now").check()
    avery_card.get_by_role("button", name="Record the decision").click()
    assert "opened for Avery Lucero, in identified" in page.locator(".messages, [role=status]").first.inner_text()

    blake_card = page.locator(".identification", has_text="Blake Sandoval")
    blake_card.get_by_label("Not eligible").check()
    blake_card.get_by_role("button", name="Record the decision").click()
    blake_card = page.locator(".identification", has_text="Blake Sandoval")
    assert "Write why the person is not eligible" in blake_card.inner_text()
    assert_fits_and_is_accessible(page)
    blake_card.scroll_into_view_if_needed()
    shot(page, "lead-review-refused")
    blake_card.get_by_label("Reason").fill("Named only as a witness; no tie to a group.")
    blake_card.get_by_role("button", name="Record the decision").click()
    assert "Not eligible: Named only as a witness" in page.locator("#identified").inner_text()
    shot(page, "lead-review-decided")

    opened = Delivery.objects.get(candidate=avery)
    assert opened.state == State.IDENTIFIED
    assert not Delivery.objects.filter(candidate=blake).exists()

    page.get_by_role("link", name="Minutes (printable)").click()
    page.wait_for_url("**/minutes/")
    minutes = page.locator(".minutes").inner_text()
    assert "Renee Aldana" in minutes and "Avery Lucero" in minutes
    assert_fits_and_is_accessible(page)
    shot(page, "lead-review-minutes")
    page.emulate_media(media="print")  # printed: the minutes alone, without the menu
    assert page.locator(".topbar").is_hidden()
    shot(page, "lead-review-minutes-print")
