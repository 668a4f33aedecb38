"""The officer's journey at the door (issue 18 item 1), in Chromium at tablet size (768x1024), from the pages
alone: signed in, the officer lands on My deliveries, reads the CN's briefing card, advises ECC, records the
encounter and the after-action. Once online and once without signal (each kept step sent when the network
returns, exactly once), with the refusal's confirm and its 10-second undo. Every page: axe-core (no serious or
critical violation), nothing wider than the screen, and under 200 KB transferred.

Key screens are kept with `shot(page, "officer-<screen>")` for docs/user-guide.md, "The officer at the door".
"""

from __future__ import annotations

import pytest

from candidates.models import ServiceOffer
from notifications.models import ECCAdvisement, Encounter, State
from notifications.tests.test_tablet_support import ready_delivery
from tests.browser.screens import shot
from tests.browser.test_tablet_delivery import (  # noqa: F401 (the fixtures that restore the reference rows)
    _leave_reference_rows_for_the_next_tests,
    _reference_rows,
    assert_fits_and_is_accessible,
    state_of,
    wait_for_state,
    wait_until,
)
from vip.models import AuditEvent
from vip.testing import browser_sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DOOR_PAGE_LIMIT = 200 * 1024  # issue 18 item 10: each page an officer uses at the door


def page_weight(page) -> int:
    """Bytes the page took over the wire: the document and everything it loaded (compressed sizes)."""
    return page.evaluate(
        """() => performance.getEntriesByType('navigation').concat(performance.getEntriesByType('resource'))
              .reduce((sum, e) => sum + (e.encodedBodySize || 0) + 300, 0)"""
    )


def door_page(page, name: str) -> None:
    """A page at the door: accessible, fits, light; kept as a screenshot."""
    page.wait_for_load_state()
    assert_fits_and_is_accessible(page)
    assert page_weight(page) < DOOR_PAGE_LIMIT
    shot(page, f"officer-{name}")


def briefed(delivery, *, notes: str):
    """What the LE Lead recorded in preparation: how to recognise the person, the language, the threat notes."""
    person = delivery.candidate
    person.physical_description = "About 5 ft 10, slim, short black hair, a star tattoo on the left hand."
    person.language = "Spanish"
    person.save()
    delivery.checks.filter(kind="threat_assessment").update(result="concerns_noted", notes=notes)
    return delivery


def transitions(delivery, to_state) -> int:
    return AuditEvent.objects.filter(action="transition", object_id=str(delivery.pk), to_state=to_state).count()


def signed_in(live_server, page):
    """Signed in as the officer, through the real pages: they land where their role works."""
    browser_sign_in(page, live_server.url, "officer")
    return page


def test_the_officer_delivers_a_cn_online_from_my_deliveries_to_the_after_action(live_server, page, le_lead, officer):
    cn = briefed(ready_delivery(le_lead, [officer]), notes="A dog in the yard; two exits at the back.")
    signed_in(live_server, page)
    # Signed in, the officer is on My deliveries: the one list, the CN at the door first.
    assert page.locator("h1").inner_text() == "My deliveries"
    door_page(page, "my-deliveries")

    page.get_by_role("link", name=f"Briefing card for CN #{cn.pk}").click()
    page.wait_for_url(f"**/tablet/{cn.pk}/briefing/")
    assert "A dog in the yard" in page.locator(".briefing").inner_text()
    assert "star tattoo" in page.locator(".briefing").inner_text()
    door_page(page, "briefing")

    page.get_by_role("link", name="Go to the next step").click()
    page.wait_for_url(f"**/tablet/{cn.pk}/advise-ecc/")
    door_page(page, "advise-ecc")
    page.fill("#id_ecc_reference", "ECC-4411")
    page.get_by_role("button", name="ECC advised").click()
    page.wait_for_url(f"**/tablet/{cn.pk}/encounter/")
    door_page(page, "encounter")

    # Refused by mistake: asked to confirm, then taken back within 10 seconds; nothing is recorded.
    page.get_by_role("link", name="Refused or asked us to leave").click()
    page.wait_for_url(f"**/tablet/{cn.pk}/refused/")
    door_page(page, "confirm-refusal")
    page.get_by_role("button", name="Yes, record: refused or asked us to leave").click()
    undo = page.get_by_role("button", name="Undo: refused or asked us to leave")
    undo.wait_for()
    shot(page, "officer-undo")
    undo.click()
    page.locator("#queue-status").get_by_text("Taken back").wait_for()
    assert state_of(cn) == State.ECC_ADVISED

    page.get_by_role("link", name="No, go back").click()
    page.wait_for_url(f"**/tablet/{cn.pk}/encounter/")
    page.get_by_role("link", name="Delivered to the candidate").click()
    page.wait_for_url(f"**/tablet/{cn.pk}/delivered/")
    page.check("#id_letter_presented")
    page.check("#id_gvi_message_delivered")
    page.check("#id_social_services_stayed_0")
    page.get_by_label("Job training: offered").check()
    page.get_by_label("Job training: accepted").check()
    page.get_by_label("Mental health assistance: offered").check()
    door_page(page, "delivered")
    page.get_by_role("button", name="Record: delivered").click()
    page.wait_for_url(f"**/tablet/{cn.pk}/after-action/")
    door_page(page, "after-action")
    page.check("#id_ecc_advised_of_outcome")
    page.fill("#id_cad_report_number", "CAD-2026-004411")
    page.get_by_role("button", name="Record the after-action").click()
    page.wait_for_url(f"**/tablet/{cn.pk}/status/")
    door_page(page, "done")

    assert state_of(cn) == State.AFTER_ACTION
    assert transitions(cn, State.REFUSED) == 0
    offers = dict(ServiceOffer.objects.filter(delivery=cn).values_list("service_type", "status"))
    assert offers == {"job_training": "accepted", "mental_health": "offered"}


def test_while_a_refusal_waits_its_10_seconds_the_other_outcomes_are_locked(live_server, page, le_lead, officer):
    cn = ready_delivery(le_lead, [officer])
    signed_in(live_server, page)
    page.goto(f"{live_server.url}/tablet/{cn.pk}/advise-ecc/")
    page.get_by_role("button", name="ECC advised").click()
    page.wait_for_url(f"**/tablet/{cn.pk}/encounter/")
    page.get_by_role("link", name="Refused or asked us to leave").click()
    page.get_by_role("button", name="Yes, record: refused or asked us to leave").click()
    page.get_by_role("button", name="Undo: refused or asked us to leave").wait_for()
    page.get_by_role("link", name="No, go back").click()
    page.wait_for_url(f"**/tablet/{cn.pk}/encounter/")
    not_located = page.get_by_role("link", name="Not located")
    wait_until(page, "document.getElementById('not-located-button').getAttribute('aria-disabled') === 'true'")
    assert not_located.get_attribute("aria-describedby") == "outcome-locked"
    assert "locked until it is sent" in page.locator("#outcome-locked").inner_text()
    shot(page, "officer-outcomes-locked")
    not_located.click(force=True)  # locked: goes nowhere
    assert page.url.endswith(f"/tablet/{cn.pk}/encounter/")
    # The 10 seconds up, the refusal is sent from this page, once, and the officer is taken to the after-action.
    page.wait_for_url(f"**/tablet/{cn.pk}/after-action/", timeout=30000)
    assert (state_of(cn), transitions(cn, State.REFUSED), transitions(cn, State.NOT_LOCATED)) == (State.REFUSED, 1, 0)


def test_the_officer_works_without_signal_and_each_kept_step_is_sent_once_when_it_returns(
    live_server, page, le_lead, officer
):
    cn = briefed(ready_delivery(le_lead, [officer], first="Dario"), notes="Known to carry a knife.")
    signed_in(live_server, page)
    context = page.context
    # With signal, My deliveries keeps the team's briefing cards on the tablet, encrypted.
    page.locator("[data-keep-briefings]").get_by_text("kept on this tablet").wait_for()
    wait_until(page, "navigator.serviceWorker && navigator.serviceWorker.controller !== null")
    page.get_by_role("link", name=f"Open CN #{cn.pk}").click()
    page.wait_for_url(f"**/tablet/{cn.pk}/advise-ecc/")

    # ECC advised without signal: kept, and sent when the network returns.
    context.set_offline(True)
    page.fill("#id_ecc_reference", "ECC-OFFLINE-1")
    page.get_by_role("button", name="ECC advised").click()
    page.locator("#queue-status").get_by_text("kept on this tablet").first.wait_for()
    shot(page, "officer-offline-kept")

    # No signal on the way to the door: the briefing card is still there, read from the tablet.
    page.goto(f"{live_server.url}/tablet/{cn.pk}/encounter/")
    assert page.locator("h1").inner_text() == "No signal"
    page.get_by_role("button", name="Show the briefing cards kept on this tablet").click()
    page.locator("#briefings").get_by_text("Known to carry a knife.").wait_for()  # read from IndexedDB: a moment
    assert_fits_and_is_accessible(page)
    shot(page, "officer-offline-briefing")

    context.set_offline(False)
    page.goto(f"{live_server.url}/tablet/")
    assert wait_for_state(cn, State.ECC_ADVISED) == State.ECC_ADVISED

    # The refusal: confirmed, taken back, confirmed again; without signal it is kept after its 10 seconds.
    page.goto(f"{live_server.url}/tablet/{cn.pk}/refused/")
    context.set_offline(True)
    confirm = page.get_by_role("button", name="Yes, record: refused or asked us to leave")
    confirm.click()
    page.get_by_role("button", name="Undo: refused or asked us to leave").click()
    page.locator("#queue-status").get_by_text("Taken back").wait_for()
    confirm.click()
    page.locator("#queue-status").get_by_text("there is no connection").wait_for(timeout=30000)
    assert page.get_by_role("button", name="Take back").is_visible()
    assert state_of(cn) == State.ECC_ADVISED

    context.set_offline(False)
    page.wait_for_url(f"**/tablet/{cn.pk}/after-action/", timeout=30000)
    context.set_offline(True)
    page.check("#id_ecc_advised_of_outcome")
    page.fill("#id_cad_report_number", "CAD-2026-000077")
    page.get_by_role("button", name="Record the after-action").click()
    page.locator("#queue-status").get_by_text("kept on this tablet").first.wait_for()
    context.set_offline(False)
    page.wait_for_url(f"**/tablet/{cn.pk}/status/", timeout=30000)
    door_page(page, "offline-done")

    assert state_of(cn) == State.AFTER_ACTION
    assert ECCAdvisement.objects.filter(delivery=cn).count() == 1
    assert Encounter.objects.filter(delivery=cn).count() == 1
    assert [transitions(cn, s) for s in (State.ECC_ADVISED, State.REFUSED, State.AFTER_ACTION)] == [1, 1, 1]
