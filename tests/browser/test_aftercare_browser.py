"""The navigator's pages after the door (issue 19), as Luis (Social Services) sees them: on his desk (1366x768) and
on a tablet (768x1024): no serious axe-core violation, nothing wider than the screen, and a refused referral says
why above the form."""

from __future__ import annotations

import datetime as dt

import pytest

from candidates.aftercare import services
from candidates.aftercare.kinds import REDISCLOSURE_NOTICE
from candidates.aftercare.models import Consent
from candidates.tests.aftercare_builders import consent, partner, served_adult
from tests.browser.screens import shot
from tests.browser.test_tablet_delivery import assert_fits_and_is_accessible
from vip.testing import browser_sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DESKTOP = {"width": 1366, "height": 768}
TABLET = {"width": 768, "height": 1024}


@pytest.fixture
def orla(social_worker):
    person = served_adult(social_worker)
    casa = partner("Casa Esperanza", "housing", "substance_use")
    partner("Roadrunner Food Bank", "food")
    services.navigator_assign(user=social_worker, candidate=person)
    services.need_set(user=social_worker, candidate=person, area="housing", status="unmet", detail="Sofa surfing")
    services.need_set(user=social_worker, candidate=person, area="substance_use", status="unmet")
    consent(person, to=casa, decided_on=dt.date.today() - dt.timedelta(days=30))
    services.referral_create(
        user=social_worker,
        candidate=person,
        partner=casa,
        area="housing",
        referred_on=dt.date.today() - dt.timedelta(days=20),
    )
    services.case_note_add(user=social_worker, candidate=person, text="Wants to move out of the area by spring.")
    return person


@pytest.mark.parametrize("size", ["desktop", "tablet"])
def test_the_navigators_caseload_and_person_page_fit_and_are_accessible(live_server, page, social_worker, orla, size):
    page.set_viewport_size(DESKTOP if size == "desktop" else TABLET)
    browser_sign_in(page, live_server.url, "social")
    page.goto(f"{live_server.url}/aftercare/")
    assert "Orla Brightwater" in page.locator("#due-h").locator("xpath=..").inner_text()
    assert_fits_and_is_accessible(page)
    shot(page, f"services-caseload-{size}")
    page.goto(f"{live_server.url}/aftercare/people/{orla.pk}/")
    assert REDISCLOSURE_NOTICE in page.locator("#part2-notice").inner_text()
    assert_fits_and_is_accessible(page)
    shot(page, f"services-person-{size}")


def test_a_referral_without_consent_is_refused_above_the_form_in_words(live_server, page, social_worker, orla):
    page.set_viewport_size(DESKTOP)
    browser_sign_in(page, live_server.url, "social")
    page.goto(f"{live_server.url}/aftercare/people/{orla.pk}/")
    page.select_option("#id_partner", label="Roadrunner Food Bank (food)")
    page.select_option("#id_area", "food")
    page.fill("#id_detail", "Food box this week")
    page.click("button:has-text('Make the referral')")
    alert = page.locator("#referral [role=alert]")
    assert "has given no consent to share with Roadrunner Food Bank" in alert.inner_text()
    assert page.input_value("#id_detail") == "Food box this week"
    assert_fits_and_is_accessible(page)
    shot(page, "services-referral-refused")


def test_the_program_manager_sees_totals_that_name_nobody(live_server, page, program_manager, orla):
    page.set_viewport_size(DESKTOP)
    browser_sign_in(page, live_server.url, "manager")
    page.goto(f"{live_server.url}/aftercare/")
    assert "Orla" not in page.content()
    assert_fits_and_is_accessible(page)
    shot(page, "pm-aftercare-totals")
    assert Consent.objects.filter(purpose=Consent.Purpose.PROGRAM_REVIEW).count() == 0
