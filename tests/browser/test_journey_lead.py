"""The LE Lead's main job from the pages alone, at tablet size (768x1024), as a new user would do it (issue 18).

Intake of a new person, a CN opened from their page, an adult's and a juvenile's CN prepared to ready, and a CN
whose after-action is done closed. Nothing but clicks and typing after signing in: a dead end (a missing link,
a form that is not offered, a step the page cannot finish) fails the journey. axe-core checks each page, and
the key screens are kept (`tests.browser.screens.shot`, docs/user-guide.md, "The LE Lead", shows them).
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from notifications import services as s
from notifications.models import Delivery, State
from notifications.tests.conftest import make_candidate, walk
from tests.browser.screens import shot
from tests.browser.test_tablet_delivery import assert_fits_and_is_accessible, restore_reference_rows
from vip.testing import browser_sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TODAY = timezone.localdate()


@pytest.fixture(autouse=True)
def reference_rows():
    restore_reference_rows()  # the roles and the letter template, flushed by the last transactional test


def checked(page, name: str = "") -> None:
    """The page as the Lead sees it: accessible, not wider than the tablet; kept as `lead-<name>` if named."""
    page.wait_for_load_state()
    if name:
        shot(page, f"lead-{name}")
    assert_fits_and_is_accessible(page)


def click_and_wait(page, locator) -> None:
    with page.expect_navigation():
        locator.click()


def open_home(page, live_server) -> None:
    browser_sign_in(page, live_server.url, "lead")
    page.goto(f"{live_server.url}/")


def go_to_candidates(page) -> None:
    click_and_wait(page, page.get_by_role("link", name="Candidates", exact=True).first)


def find_person(page, name: str) -> None:
    go_to_candidates(page)
    page.fill("#id_q", name)
    click_and_wait(page, page.get_by_role("main").get_by_role("button", name="Search"))
    click_and_wait(page, page.get_by_role("link", name=name.split()[-1]).first)


def intake(page, first: str, last: str, born: dt.date) -> None:
    go_to_candidates(page)
    click_and_wait(page, page.get_by_role("link", name="New candidate (intake)"))
    page.fill("#id_first_name", first)
    page.fill("#id_last_name", last)
    page.fill("#id_date_of_birth", born.isoformat())
    page.fill("#id_aliases-0-name", first[:3])
    page.fill("#id_addresses-0-line1", "1200 Demo Ln SW")
    page.fill("#id_addresses-0-city", "Albuquerque")
    page.fill("#id_addresses-0-valid_from", "2025-01-01")
    checked(page, "intake" if first == "Kayla" else "")
    click_and_wait(page, page.get_by_role("button", name="Save"))
    assert page.locator("h1").inner_text().startswith(f"{first} {last}")


def add_driver_basis(page) -> None:
    click_and_wait(page, page.get_by_role("link", name="Add a basis"))
    page.select_option("#id_kind", "driver")
    assert page.locator("#id_shooting").is_hidden()  # only the chosen kind's evidence is asked for
    page.fill("#id_information", "Named in three shooting reports as the driver.")
    checked(page, "basis")
    click_and_wait(page, page.get_by_role("button", name="Save"))


def open_cn(page) -> None:
    click_and_wait(page, page.get_by_role("link", name="Open a CN for this person"))
    page.fill("#id_planned_for", (TODAY + dt.timedelta(days=3)).isoformat())
    page.fill("#id_location", "1200 Demo Ln SW")
    checked(page)
    click_and_wait(page, page.get_by_role("button", name="Open the CN"))
    assert page.get_by_test_id("state").inner_text() == "Identified"


def take(page, title: str) -> None:
    """A transition from the page's Next step card: unfold its form, then press its button."""
    card = page.locator(".next-step", has=page.get_by_role("heading", name=title))
    card.locator("summary").click()
    click_and_wait(page, card.get_by_role("button", name=title))


def current(page, step: str):
    """The step the page has open: the one to do now."""
    item = page.locator(f"#step-{step}")
    assert "current" in (item.get_attribute("class") or ""), f"{step} is not the open step"
    return item


def record(page, item, button: str = "Record") -> None:
    click_and_wait(page, item.get_by_role("button", name=button))


def prepare_to_ready(page, *, juvenile: bool) -> None:
    take(page, "Determine eligibility")
    take(page, "Start preparation")
    assert page.get_by_test_id("state").inner_text() == "In preparation"

    threat = current(page, "threat-assessment")
    threat.locator("select[name$=result]").select_option("concerns_noted")
    record(page, threat)
    # Concerns need notes: the refusal is by the field, once, and the page is back at the step.
    notes = threat.locator("textarea[name$=notes]")
    assert notes.evaluate("el => el === document.activeElement")  # the cursor, and the page, are at the field
    assert page.locator("#step-threat-assessment .errorlist").count() == 1
    checked(page, "" if juvenile else "cn-error-by-its-field")
    notes.fill("Large dog in the yard; approach from the front.")
    record(page, threat)

    background = current(page, "background-check")
    record(page, background)

    letter = current(page, "letter")
    letter.locator("textarea[name$=penalties]").fill("Felon in possession: up to 10 years federal.")
    record(page, letter)

    team = page.locator("#step-team-add")
    team.locator("summary").click()
    team.locator("select[name$=member]").select_option(label="Marco Benavidez: qualified")
    record(page, team, "Add to the team")

    social = current(page, "social-services")
    social.locator("textarea[name$=plan]").fill("Case manager comes along; housing referral ready.")
    record(page, social)

    if juvenile:
        jpo = current(page, "jpo-check")
        jpo.locator("textarea[name$=services_status]").fill("No services open.")
        jpo.locator("textarea[name$=relationship_status]").fill("None: not on probation.")
        jpo.locator("select[name$=decision]").select_option("deliver")
        jpo.locator("textarea[name$=-reasons]").fill("No objection.")
        record(page, jpo)

        guardian = current(page, "guardian-contact")
        guardian.locator("select[name$=influencer]").select_option(label="Rosa Chavez (Parent)")
        guardian.locator("input[name$=reached]").check()
        guardian.locator("input[name$=will_be_present]").check()
        record(page, guardian)

    checked(page, "juvenile-prepared" if juvenile else "cn-prepared")
    take(page, "Approve as ready to deliver")
    assert page.get_by_test_id("state").inner_text() == "Ready to deliver"


def test_the_lead_takes_in_a_person_and_prepares_their_cn_to_ready(live_server, page, le_lead, officer):
    open_home(page, live_server)
    intake(page, "Kayla", "Montoya", dt.date(1999, 6, 1))
    add_driver_basis(page)
    checked(page, "candidate")
    open_cn(page)
    checked(page, "cn-new")
    prepare_to_ready(page, juvenile=False)
    checked(page, "cn-ready")

    # What was recorded stays readable: the threat assessment's notes, on the folded step.
    threat = page.locator("#step-threat-assessment")
    threat.locator("summary").click()
    assert "Large dog in the yard" in threat.locator(".recorded-notes").inner_text()
    click_and_wait(page, page.get_by_role("link", name="Printable letter"))
    checked(page, "letter")
    assert "Dana Okafor" in page.locator(".letter").inner_text()
    assert Delivery.objects.get(candidate__last_name="Montoya").state == State.READY


def test_a_changed_threat_assessment_asks_why_before_it_is_saved(live_server, page, le_lead, officer):
    person = make_candidate(years=30, last="Reyes")
    cn = s.delivery_create(user=le_lead, candidate=person, planned_for=TODAY, location="1200 Demo Ln")
    walk(cn, "in_preparation", lead=le_lead, officer=officer)
    s.record_check(
        cn.pk, user=le_lead, kind="threat_assessment", completed_on=TODAY, result="concerns_noted", notes="A dog."
    )
    open_home(page, live_server)
    find_person(page, "Jordan Reyes")
    click_and_wait(page, page.get_by_role("link", name=f"CN #{cn.pk}"))
    threat = page.locator("#step-threat-assessment")
    threat.locator("summary").click()
    assert threat.locator("select[name$=result]").input_value() == "concerns_noted"  # as recorded
    threat.locator("select[name$=result]").select_option("no_concerns")
    record(page, threat, "Save the change")
    assert threat.locator("textarea[name$=reason]").evaluate("el => el === document.activeElement")
    checked(page, "cn-change-asks-why")
    threat.locator("textarea[name$=reason]").fill("The dog was rehomed.")
    record(page, threat, "Save the change")
    assert "Threat assessment: recorded." in page.locator("body").inner_text()


def test_the_lead_prepares_a_juveniles_cn_with_the_jpo_and_a_guardian(live_server, page, le_lead, officer):
    born = TODAY.replace(year=TODAY.year - 16) - dt.timedelta(days=30)
    open_home(page, live_server)
    intake(page, "Mateo", "Chavez", born)
    add_driver_basis(page)
    click_and_wait(page, page.get_by_role("link", name="Add an influencer"))
    page.fill("#id_name", "Rosa Chavez")
    page.select_option("#id_relationship", "parent")
    page.check("#id_is_legal_guardian")
    page.fill("#id_phone", "505-555-0142")
    click_and_wait(page, page.get_by_role("button", name="Save"))
    open_cn(page)
    prepare_to_ready(page, juvenile=True)
    checked(page, "juvenile-ready")
    assert Delivery.objects.get(candidate__last_name="Chavez").state == State.READY


def test_the_lead_closes_a_cn_whose_after_action_is_done(live_server, page, le_lead, officer):
    person = make_candidate(years=27, last="Gallegos")
    cn = s.delivery_create(user=le_lead, candidate=person, planned_for=TODAY, location="1200 Demo Ln")
    walk(cn, "after_action", lead=le_lead, officer=officer)
    open_home(page, live_server)
    find_person(page, "Jordan Gallegos")
    click_and_wait(page, page.get_by_role("link", name=f"CN #{cn.pk}"))
    checked(page, "cn-after-action")
    take(page, "Close")
    assert page.get_by_test_id("state").inner_text() == "Closed"
    checked(page, "cn-closed")
