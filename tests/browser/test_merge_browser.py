"""The LE Lead reviews the nightly list of likely duplicates at the desk (1366x768): the two records side by side,
what matched, a merge proposed for one pair and another dismissed for good; the Program Manager then approves."""

import pytest

from candidates import models as m
from candidates.merging.duplicates import duplicate_pairs_refresh
from candidates.tests.factories import make_candidate
from tests.browser.screens import shot
from tests.browser.test_tablet_delivery import assert_fits_and_is_accessible
from vip.testing import browser_sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
DESK = {"width": 1366, "height": 768}


@pytest.fixture
def pairs():
    jordan = make_candidate(24, first="Jordan", last="Reyes")
    jordon = make_candidate(24, first="Jordon", last="Reyes")
    m.Alias.objects.create(candidate=jordon, name="Lil J")
    m.Address.objects.create(candidate=jordan, line1="12 Elm St SW", postal_code="87102")
    make_candidate(31, first="Maria", last="Sena"), make_candidate(31, first="Mario", last="Sena")
    duplicate_pairs_refresh()
    return jordan, jordon


def test_the_lead_proposes_one_pair_and_dismisses_the_other(live_server, page, le_lead, program_manager, pairs):
    jordan, jordon = pairs
    page.set_viewport_size(DESK)
    browser_sign_in(page, live_server.url, "lead")
    page.goto(f"{live_server.url}/candidates/duplicates/")
    assert page.locator("article[data-pair]").count() == 2
    assert_fits_and_is_accessible(page)
    shot(page, "lead-duplicates")
    sena = page.locator("article[data-pair]", has_text="Maria Sena")
    sena.locator("button:has-text('dismiss for good')").click()
    page.wait_for_url("**/candidates/duplicates/")
    reyes = page.locator("article[data-pair]", has_text="Jordon Reyes")
    reyes.locator("textarea").fill("Same date of birth and address; the name was misspelled at intake.")
    reyes.locator("button:has-text('Propose the merge')").click()
    page.wait_for_url("**/candidates/merges/**")
    assert m.CandidateMerge.objects.get().status == "proposed"
    assert m.DuplicatePair.objects.filter(dismissed_by=le_lead).count() == 1


def test_the_program_manager_approves_a_proposed_merge(live_server, page, le_lead, program_manager, pairs):
    from candidates.merging.services import merge_propose

    jordan, jordon = pairs
    merge_propose(user=le_lead, survivor_id=jordan.pk, merged_id=jordon.pk, reason="Misspelt at intake")
    page.set_viewport_size(DESK)
    browser_sign_in(page, live_server.url, "manager")
    page.goto(f"{live_server.url}/candidates/merges/")
    assert_fits_and_is_accessible(page)
    shot(page, "pm-merges")
    page.click("button:has-text('Approve and merge')")
    page.wait_for_url("**/candidates/merges/**")
    assert m.CandidateMerge.objects.get().status == "merged"
    page.goto(f"{live_server.url}/candidates/{jordon.pk}/")
    assert page.url.endswith(f"/candidates/{jordan.pk}/")
