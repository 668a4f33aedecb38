"""The LE Lead reads a person's network at the desk (1366x768, issue 20 part 2): from the person's page to the
drawing and its table, at depth 1 then 2; every link's source in the table; no score anywhere. axe-core checks
the page; `make screens` keeps the lead-network picture."""

from __future__ import annotations

import pytest

from candidates.tests.test_network import net  # noqa: F401 (a fixture: Marcus Reyes's world)
from tests.browser.screens import shot
from tests.browser.test_dashboard import DESKTOP
from tests.browser.test_tablet_delivery import assert_fits_and_is_accessible
from vip.testing import browser_sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_lead_reads_a_persons_network_with_each_links_source_at_depth_1_and_2(live_server, page, net):  # noqa: F811
    page.set_viewport_size(DESKTOP)
    browser_sign_in(page, live_server.url, "lead")
    page.goto(f"{live_server.url}/candidates/{net['marcus'].pk}/")
    page.get_by_role("link", name="See the network, with each link's source").click()
    page.wait_for_url("**/network/**")
    assert page.locator("h1").inner_text() == "Network of Marcus Reyes"
    table = page.get_by_role("table")
    assert "Referral: by Department personnel" in table.inner_text()
    assert "Bianca Cruz" not in table.inner_text()  # a member of his group: two links away
    assert_fits_and_is_accessible(page)

    page.get_by_role("link", name="Links of links (depth 2)").click()
    page.wait_for_url("**depth=2")
    assert page.get_by_role("img", name="Network of Marcus Reyes, depth 2").is_visible()
    assert "Bianca Cruz" in table.inner_text()
    assert "Sam Hidden" not in page.content()  # sealed
    assert "Strategic Subject List" in page.locator("main").inner_text()
    for word in ("score", "rank", "centrality"):
        assert word not in table.inner_text().lower()
    assert_fits_and_is_accessible(page)
    shot(page, "lead-network")
