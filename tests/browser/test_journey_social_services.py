"""Social services' main job at their desk (1366x768), from the pages alone (issue 18, item 1): from the list
sign-in lands on, a person's page; from there, a service offered recorded ("Offered on" already today), then
updated as the person takes it up: accepted, then completed. axe-core checks each page; `make screens` keeps
the services-* pictures docs/user-guide.md shows."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from candidates.models import PartnerOrganization, ServiceOffer
from notifications.models import TeamMember
from reports.tests.builders import cn, person
from tests.browser.screens import shot
from tests.browser.test_dashboard import DESKTOP
from tests.browser.test_tablet_delivery import assert_fits_and_is_accessible
from vip.testing import browser_sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def on_a_cns_team(le_lead, social_worker):
    """Jordan Sandoval's CN, with the social worker on its team (what lets social services see the person)."""
    jordan = person("Jordan", "Sandoval", dt.date(1998, 4, 9))
    cn(jordan, "ready", team=[(le_lead, TeamMember.Role.LE_LEAD), (social_worker, TeamMember.Role.SOCIAL_SERVICES)])
    PartnerOrganization.objects.create(name="Albuquerque Job Corps")
    return jordan


def test_social_services_record_a_service_offered_from_the_persons_page_then_its_progress(
    live_server, page, social_worker, on_a_cns_team
):
    jordan = on_a_cns_team
    today = timezone.localdate()
    page.set_viewport_size(DESKTOP)
    browser_sign_in(page, live_server.url, "social")
    page.get_by_role("link", name="Sandoval, Jordan").click()
    page.wait_for_url(f"**/candidates/{jordan.pk}/")
    assert_fits_and_is_accessible(page)
    page.locator("#services").scroll_into_view_if_needed()
    shot(page, "services-person")

    page.get_by_role("link", name="Services for this person").click()
    page.get_by_role("link", name="Record a service offer").click()
    page.wait_for_url(f"**/reports/services/new/?candidate={jordan.pk}")
    assert page.input_value("#id_offered_on") == today.isoformat()  # most offers are recorded the day they are made
    assert page.locator("#id_offered_by option:checked").inner_text() == "Luis Quintana"
    page.select_option("#id_service_type", label="Job training")
    page.select_option("#id_partner", label="Albuquerque Job Corps")
    page.fill("#id_detail", "Welding course, spring intake.")
    assert_fits_and_is_accessible(page)
    shot(page, "services-new-offer")
    page.get_by_role("button", name="Record the offer").click()
    page.wait_for_url(f"**/reports/services/?candidate={jordan.pk}")
    assert "Recorded the offer of job training for Jordan Sandoval" in page.locator(".message-success").inner_text()
    offer = ServiceOffer.objects.get(candidate=jordan)
    assert (offer.status, offer.offered_on, offer.offered_by) == ("offered", today, social_worker)
    assert_fits_and_is_accessible(page)
    shot(page, "services-list")

    for status in ("Accepted", "Completed"):
        page.get_by_role("link", name="Update").click()
        page.wait_for_url(f"**/reports/services/{offer.pk}/edit/")
        assert page.input_value("#id_detail") == "Welding course, spring intake."  # what was recorded, shown
        page.select_option("#id_status", label=status)
        if status == "Completed":
            assert_fits_and_is_accessible(page)
            shot(page, "services-update")
        page.get_by_role("button", name="Save").click()
        page.wait_for_url(f"**/reports/services/?candidate={jordan.pk}")
        assert page.locator("tbody .badge").inner_text() == status
    offer.refresh_from_db()
    assert (offer.status, offer.status_changed_on) == ("completed", today)

    page.get_by_role("link", name="Jordan Sandoval's record").click()
    assert "Job training: Welding course, spring intake. Completed" in page.locator("#services + ul").inner_text()
