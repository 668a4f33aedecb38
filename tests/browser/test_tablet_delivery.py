"""An officer records a CN on the tablet in Chromium at tablet size, with axe-core checking each page.

The CNs are built through the services (notifications/tests/test_tablet_support.py), as demo_data does.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from notifications import services as s
from notifications.models import Delivery, Encounter, State
from notifications.tests.test_tablet_support import ready_delivery
from vip.models import AuditEvent
from vip.testing import browser_sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE = Path(__file__).parent / "vendor" / "axe.min.js"


def assert_fits_and_is_accessible(page):
    """No serious or critical axe-core violation, and nothing wider than the screen."""
    # Evaluated through the DevTools protocol, which the page's CSP (script-src 'self', no inline) does not
    # govern; a <script> tag with the source inline would be blocked, as it should be.
    page.evaluate(AXE.read_text())
    violations = page.evaluate(
        """async () => (await axe.run(document, {resultTypes: ['violations']})).violations
            .filter(v => v.impact === 'serious' || v.impact === 'critical')
            .map(v => v.id + ': ' + v.nodes.map(n => n.target.join(' ')).join(' | '))"""
    )
    overflow = page.evaluate("document.documentElement.scrollWidth > document.documentElement.clientWidth")
    assert violations == []
    assert overflow is False


def wait_until(page, expression: str, seconds: float = 30) -> None:
    """Poll a JavaScript expression. (page.wait_for_function evaluates strings with eval, which the CSP forbids.)"""
    deadline = time.monotonic() + seconds
    while not page.evaluate(expression):
        assert time.monotonic() < deadline, f"timed out waiting for: {expression}"
        time.sleep(0.1)


def state_of(delivery) -> str:
    return Delivery.objects.get(pk=delivery.pk).state


def wait_for_state(delivery, state, seconds=30) -> str:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and state_of(delivery) != state:
        time.sleep(0.25)
    return state_of(delivery)


def restore_reference_rows() -> None:
    """The rows the migrations add (the roles with their permissions, the letter template).

    A transactional test (live_server) flushes every table afterwards, migrations' rows included.
    """
    import importlib

    from django.apps import apps
    from django.contrib.auth.models import Group, Permission

    role_permissions = importlib.import_module("vip.migrations.0002_roles").ROLE_PERMISSIONS
    for role, grants in role_permissions.items():
        group, _ = Group.objects.get_or_create(name=role)
        perms = []
        for target, actions in grants.items():
            app_label, _, model = target.partition(".")
            models = [model] if model else [m._meta.model_name for m in apps.get_app_config(app_label).get_models()]
            codenames = [f"{action}_{name}" for name in models for action in actions]
            perms += Permission.objects.filter(content_type__app_label=app_label, codename__in=codenames)
        group.permissions.set(perms)
    importlib.import_module("notifications.migrations.0002_default_letter_template").create(apps, None)


@pytest.fixture(autouse=True)
def _reference_rows(transactional_db):
    restore_reference_rows()


@pytest.fixture(autouse=True, scope="module")
def _leave_reference_rows_for_the_next_tests(django_db_blocker):
    """After this module's last flush, put the migrations' rows back for the test modules that follow."""
    yield
    with django_db_blocker.unblock():
        restore_reference_rows()


@pytest.fixture
def ready(le_lead, officer):
    return ready_delivery(le_lead, [officer])


@pytest.fixture
def signed_in(live_server, page, officer):
    browser_sign_in(page, live_server.url, "officer")
    return page


def test_an_officer_records_an_adult_delivery_from_ready_to_after_action(live_server, signed_in, ready):
    page = signed_in
    page.goto(f"{live_server.url}/tablet/")
    assert_fits_and_is_accessible(page)
    page.get_by_role("link", name=f"Open CN #{ready.pk}").click()
    page.wait_for_url(f"**/tablet/{ready.pk}/advise-ecc/")
    assert_fits_and_is_accessible(page)
    page.fill("#id_ecc_reference", "ECC-4411")
    page.get_by_role("button", name="ECC advised").click()
    page.wait_for_url(f"**/tablet/{ready.pk}/encounter/")
    assert_fits_and_is_accessible(page)
    page.get_by_role("link", name="Delivered to the candidate").click()
    page.wait_for_url(f"**/tablet/{ready.pk}/delivered/")
    assert_fits_and_is_accessible(page)
    page.check("#id_letter_presented")
    page.check("#id_gvi_message_delivered")
    page.check("#id_social_services_stayed_0")
    page.get_by_role("button", name="Record: delivered").click()
    page.wait_for_url(f"**/tablet/{ready.pk}/after-action/")
    assert_fits_and_is_accessible(page)
    page.check("#id_ecc_advised_of_outcome")
    page.fill("#id_cad_report_number", "CAD-2026-004411")
    page.get_by_role("button", name="Record the after-action").click()
    page.wait_for_url(f"**/tablet/{ready.pk}/status/")
    assert_fits_and_is_accessible(page)
    assert state_of(ready) == State.AFTER_ACTION


def test_a_refusal_is_confirmed_then_sent_after_its_10_seconds_to_undo(live_server, signed_in, officer, ready):
    s.delivery_advise_ecc(ready.pk, user=officer, ecc_reference="ECC-1")
    page = signed_in
    page.goto(f"{live_server.url}/tablet/{ready.pk}/")
    page.get_by_role("link", name="Refused or asked us to leave").tap()
    page.get_by_role("button", name="Yes, record: refused or asked us to leave").tap()
    page.get_by_role("button", name="Undo: refused or asked us to leave").wait_for()
    assert state_of(ready) == State.ECC_ADVISED  # held on the tablet for its 10 seconds
    page.wait_for_url(f"**/tablet/{ready.pk}/after-action/", timeout=30000)
    assert state_of(ready) == State.REFUSED


def test_a_juveniles_cn_cannot_be_marked_delivered_without_a_guardian(live_server, signed_in, le_lead, officer):
    delivery = ready_delivery(le_lead, [officer], juvenile=True, first="Mateo", last="Chavez")
    s.delivery_advise_ecc(delivery.pk, user=officer, ecc_reference="ECC-2")
    page = signed_in
    page.goto(f"{live_server.url}/tablet/{delivery.pk}/")
    page.wait_for_url(f"**/tablet/{delivery.pk}/encounter/")
    assert_fits_and_is_accessible(page)
    assert page.get_by_role("button", name="Delivered to the candidate").is_disabled()
    assert "never delivered without a parent or guardian present" in page.locator("#delivered-blocked").inner_text()


def test_a_juveniles_blocked_delivered_choice_is_reached_by_tab_with_its_reason(
    live_server, signed_in, le_lead, officer
):
    """aria-disabled, not disabled: Tab stops on it and a screen reader reads the reason (issue #18 item 10)."""
    delivery = ready_delivery(le_lead, [officer], juvenile=True, first="Mateo", last="Chavez")
    s.delivery_advise_ecc(delivery.pk, user=officer, ecc_reference="ECC-2")
    page = signed_in
    page.goto(f"{live_server.url}/tablet/{delivery.pk}/encounter/")
    reached = None
    for _ in range(40):
        page.keyboard.press("Tab")
        reached = page.evaluate("document.activeElement.textContent.trim()")
        if reached == "Delivered to the candidate":
            break
    described_by = page.evaluate("document.activeElement.getAttribute('aria-describedby')")
    assert reached == "Delivered to the candidate" and described_by == "delivered-blocked"
    page.keyboard.press("Enter")
    assert page.url.endswith(f"/tablet/{delivery.pk}/encounter/")


def test_a_double_tap_is_recorded_once(live_server, signed_in, officer, ready):
    s.delivery_advise_ecc(ready.pk, user=officer, ecc_reference="ECC-3")
    page = signed_in
    page.goto(f"{live_server.url}/tablet/{ready.pk}/not-located/")
    page.locator("#confirm-outcome").dblclick()
    page.wait_for_url(f"**/tablet/{ready.pk}/after-action/", timeout=30000)
    transitions = AuditEvent.objects.filter(action="transition", object_id=str(ready.pk), to_state=State.NOT_LOCATED)
    assert Encounter.objects.filter(delivery=ready).count() == 1
    assert transitions.count() == 1


def test_a_double_tap_without_javascript_is_recorded_once_by_the_server(live_server, browser, officer, ready):
    s.delivery_advise_ecc(ready.pk, user=officer, ecc_reference="ECC-4")
    context = browser.new_context(java_script_enabled=False, viewport={"width": 1024, "height": 768})
    page = context.new_page()
    browser_sign_in(page, live_server.url, "officer")
    page.goto(f"{live_server.url}/tablet/{ready.pk}/encounter/")
    page.locator("#refused-button").click()
    page.locator("#confirm-outcome").dblclick()  # without the script: recorded at once, with no undo
    page.wait_for_url(f"**/tablet/{ready.pk}/after-action/")
    context.close()
    transitions = AuditEvent.objects.filter(action="transition", object_id=str(ready.pk), to_state=State.REFUSED)
    assert Encounter.objects.filter(delivery=ready).count() == 1
    assert transitions.count() == 1


def test_a_step_typed_without_signal_is_kept_encrypted_and_sent_when_the_network_returns(live_server, signed_in, ready):
    page = signed_in
    page.goto(f"{live_server.url}/tablet/{ready.pk}/advise-ecc/")
    page.fill("#id_ecc_reference", "ECC-OFFLINE-77")
    page.context.set_offline(True)
    page.get_by_role("button", name="ECC advised").click()
    page.locator("#queue-status").get_by_text("kept on this tablet").first.wait_for()
    kept = page.evaluate(
        """() => new Promise(resolve => {
            const open = indexedDB.open('vip-tablet');
            open.onsuccess = () => {
              const tx = open.result.transaction(['queue', 'keys']);
              const all = tx.objectStore('queue').getAll();
              const key = tx.objectStore('keys').get('aes-gcm');
              tx.oncomplete = () => resolve({
                count: all.result.length,
                plain: new TextDecoder().decode(all.result[0].data).includes('ECC-OFFLINE-77'),
                extractable: key.result.extractable,
              });
            };
          })"""
    )
    assert kept == {"count": 1, "plain": False, "extractable": False}
    assert state_of(ready) == State.READY
    page.context.set_offline(False)
    assert wait_for_state(ready, State.ECC_ADVISED) == State.ECC_ADVISED


@pytest.mark.parametrize("screen", ["", "advise-ecc/"])
def test_the_tablet_pages_fit_a_landscape_tablet(live_server, signed_in, ready, screen):
    page = signed_in
    page.set_viewport_size({"width": 1024, "height": 768})
    page.goto(f"{live_server.url}/tablet/{f'{ready.pk}/' if screen else ''}{screen}")
    assert_fits_and_is_accessible(page)


def _keep_advise_ecc_offline(page, live_server, delivery):
    page.goto(f"{live_server.url}/tablet/{delivery.pk}/advise-ecc/")
    page.fill("#id_ecc_reference", "ECC-LATE-5")
    page.context.set_offline(True)
    page.get_by_role("button", name="ECC advised").click()
    page.locator("#queue-status").get_by_text("kept on this tablet").first.wait_for()


def test_a_kept_step_for_a_cn_that_moved_meanwhile_says_why_and_what_to_do(live_server, signed_in, le_lead, ready):
    page = signed_in
    _keep_advise_ecc_offline(page, live_server, ready)
    s.delivery_advise_ecc(ready.pk, user=le_lead, ecc_reference="ECC-BY-LEAD")
    page.context.set_offline(False)
    status = page.locator("#queue-status")
    status.get_by_text("Not recorded: Advise ECC").wait_for()
    assert "Not possible while the CN is ecc advised" in status.inner_text()
    assert "open the CN to see where it stands now" in status.inner_text()
    assert Delivery.objects.get(pk=ready.pk).ecc_advisements.get().ecc_reference == "ECC-BY-LEAD"


def test_signing_out_wipes_what_the_tablet_kept(live_server, signed_in, le_lead, ready):
    page = signed_in
    _keep_advise_ecc_offline(page, live_server, ready)
    s.delivery_advise_ecc(ready.pk, user=le_lead, ecc_reference="ECC-BY-LEAD")
    page.context.set_offline(False)
    page.locator("#queue-status").get_by_text("Not recorded: Advise ECC").wait_for()
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url("**/accounts/login/")
    left = page.evaluate(
        "async () => ({dbs: (await indexedDB.databases()).map(d => d.name), caches: await caches.keys()})"
    )
    assert left == {"dbs": [], "caches": []}


def test_a_refused_delivery_shows_the_reason_by_the_field_and_keeps_what_was_typed(
    live_server, signed_in, officer, ready
):
    s.delivery_advise_ecc(ready.pk, user=officer, ecc_reference="ECC-5")
    page = signed_in
    page.goto(f"{live_server.url}/tablet/{ready.pk}/delivered/")
    page.check("#id_gvi_message_delivered")
    page.check("#id_social_services_stayed_1")
    page.fill("#id_social_services_not_feasible_reason", "A crowd gathered")
    page.get_by_role("button", name="Record: delivered").click()
    page.locator("#id_letter_presented_error").wait_for()
    assert "must be presented" in page.locator("#id_letter_presented_error").inner_text()
    assert page.input_value("#id_social_services_not_feasible_reason") == "A crowd gathered"
    assert state_of(ready) == State.ECC_ADVISED


def test_without_signal_a_tablet_page_says_so_and_shows_no_one(live_server, signed_in, ready):
    page = signed_in
    page.goto(f"{live_server.url}/tablet/")
    wait_until(page, "navigator.serviceWorker && navigator.serviceWorker.controller !== null")
    page.context.set_offline(True)
    page.goto(f"{live_server.url}/tablet/{ready.pk}/advise-ecc/")
    assert page.locator("h1").inner_text() == "No signal"
    assert ready.candidate.last_name not in page.content()
