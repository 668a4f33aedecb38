"""A demo officer signs in on a tablet-sized Chromium and lands on their deliveries."""

import pytest

from vip.testing import browser_sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_officer_signs_in_at_tablet_size_and_lands_on_their_deliveries(live_server, page, officer):
    browser_sign_in(page, live_server.url, "officer")
    page.wait_for_url("**/tablet/")  # "My deliveries": the one list an officer works from (issue 18)
    assert page.locator("h1").inner_text() == "My deliveries"


def test_the_sign_in_page_does_not_scroll_sideways_at_tablet_size(live_server, page):
    page.goto(f"{live_server.url}/accounts/login/")
    overflow = page.evaluate("document.documentElement.scrollWidth > document.documentElement.clientWidth")
    assert overflow is False
