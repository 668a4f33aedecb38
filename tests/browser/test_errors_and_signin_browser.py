"""Error pages and the sign-in steps in Chromium (issue #18 items 7, 8, 10): at the desktop (1366x768) and the
tablet (768x1024) sizes, with axe-core finding no serious or critical violation. Set VIP_SCREENSHOTS to a folder
to keep a screenshot of each screen."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from django.urls import reverse

from tests.browser.test_tablet_delivery import assert_fits_and_is_accessible
from vip import mfa
from vip.testing import PASSWORD, browser_sign_in, ready_device

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SIZES = {"desktop": {"width": 1366, "height": 768}, "tablet": {"width": 768, "height": 1024}}


def keep(page, name: str) -> None:
    folder = os.environ.get("VIP_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)


@pytest.mark.parametrize("size", SIZES)
def test_a_refused_page_keeps_the_menu_and_a_way_back(live_server, page, social_worker, size):
    page.set_viewport_size(SIZES[size])
    browser_sign_in(page, live_server.url, "social")
    page.goto(f"{live_server.url}{reverse('audit:list')}")
    keep(page, f"403-{size}")
    assert page.locator("h1").inner_text() == "You may not open this page"
    assert page.locator("nav.nav").is_visible()
    assert_fits_and_is_accessible(page)
    page.click("text=Go to your start page")
    assert page.url.endswith(reverse("candidates:list"))


@pytest.mark.parametrize("size", SIZES)
def test_a_page_not_found_keeps_the_menu(live_server, page, social_worker, size):
    page.set_viewport_size(SIZES[size])
    browser_sign_in(page, live_server.url, "social")
    page.goto(f"{live_server.url}/candidates/987654/")
    keep(page, f"404-{size}")
    assert page.locator("h1").inner_text() == "Page not found" and page.locator("nav.nav").is_visible()
    assert_fits_and_is_accessible(page)


def test_the_sign_in_steps_show_no_menu_until_done_and_the_notice_once(live_server, page, le_lead):
    device = ready_device(le_lead)
    page.goto(f"{live_server.url}/accounts/login/")
    keep(page, "signin-1-password")
    assert_fits_and_is_accessible(page)
    page.fill("#id_username", "lead")
    page.fill("#id_password", PASSWORD)
    with page.expect_navigation():
        page.click("button[type=submit]")
    keep(page, "signin-2-code")
    assert page.locator("nav.nav").count() == 0 and page.locator("form.signout-only").is_visible()
    assert_fits_and_is_accessible(page)
    page.fill("#id_otp", mfa.current_code(device))
    with page.expect_navigation():
        page.click("form button.btn-primary[type=submit]")
    keep(page, "signin-3-notice")
    assert page.locator("nav.nav").count() == 0 and page.locator(".system-notice").count() == 1
    assert_fits_and_is_accessible(page)


def test_a_code_used_already_is_explained(live_server, page, le_lead):
    device = ready_device(le_lead)
    code = mfa.current_code(device)
    browser_sign_in(page, live_server.url, "lead")  # uses this step's code
    page.context.clear_cookies()
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", "lead")
    page.fill("#id_password", PASSWORD)
    with page.expect_navigation():
        page.click("button[type=submit]")
    page.fill("#id_otp", code)
    with page.expect_navigation():
        page.click("form button.btn-primary[type=submit]")
    keep(page, "signin-2-code-reused")
    assert "That code was already used" in page.locator(".field-error").inner_text()
