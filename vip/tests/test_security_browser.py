"""In a real Chromium: the sign-in steps, and pages that work under the Content Security Policy."""

import pytest

from vip.testing import browser_sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def csp_violations(page) -> list[str]:
    found: list[str] = []
    page.on("console", lambda msg: found.append(msg.text) if "Content Security Policy" in msg.text else None)
    return found


def test_the_lead_passes_password_code_and_notice_and_reaches_the_board(live_server, page, le_lead):
    violations = csp_violations(page)
    browser_sign_in(page, live_server.url, "lead")
    page.wait_for_url("**/cn/board/")
    assert violations == []


def test_the_admin_works_under_the_content_security_policy(live_server, page, administrator):
    violations = csp_violations(page)
    browser_sign_in(page, live_server.url, "admin")
    page.goto(f"{live_server.url}/admin/auth/group/")  # the roles (the user pages lead to /staff/)
    page.wait_for_selector("#result_list")
    page.goto(f"{live_server.url}/admin/notifications/personnel/add/")
    page.wait_for_selector("#personnel_form")
    assert violations == []


def test_the_api_docs_render_under_their_policy(live_server, page, le_lead):
    violations = csp_violations(page)
    browser_sign_in(page, live_server.url, "lead")
    page.goto(f"{live_server.url}/api/docs/")
    page.wait_for_selector(".swagger-ui .info", timeout=15000)
    assert violations == []


def test_first_sign_in_enrols_from_the_qr_page(live_server, page, social_worker):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from vip import mfa
    from vip.testing import PASSWORD

    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", "social")
    page.fill("#id_password", PASSWORD)
    with page.expect_navigation():
        page.click("button[type=submit]")
    assert page.locator(".qr svg").count() == 1
    device = TOTPDevice.objects.get(user=social_worker)
    page.fill("#id_otp", mfa.current_code(device))
    with page.expect_navigation():
        page.click("form button.btn-primary[type=submit]")
    assert page.locator("#recovery-codes li").count() == 10
