"""Every account signs in with a second factor (CJIS IA-2): without it, nothing is reachable."""

import re

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from vip import mfa
from vip.models import AuditEvent, RecoveryCode
from vip.security import SESSION_NOTICE_AT
from vip.testing import PASSWORD, ready_device

pytestmark = pytest.mark.django_db


def password_only(user) -> Client:
    """A browser that got past the password and no further."""
    browser = Client()
    response = browser.post(reverse("login"), {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302, "the password step should succeed"
    return browser


def verified(user, device=None) -> Client:
    """A browser that typed the right code but has not yet acknowledged the notice."""
    browser = password_only(user)
    device = device or ready_device(user)
    browser.post(reverse("security:mfa_verify"), {"otp": mfa.current_code(device)})
    return browser


# Sign-in steps and machine endpoints a password-only session may reach.
OPEN = {"/accounts/login/", "/accounts/logout/", "/security/mfa/enrol/", "/security/mfa/verify/", "/healthz"}
OPEN_PREFIXES = ("/api/auth/token/", "/static/")


def every_page() -> list[str]:
    """Every URL of the site, with 1 for each path parameter."""
    paths: set[str] = set()

    def walk(patterns, prefix: str):
        for entry in patterns:
            route = prefix + str(entry.pattern)
            if isinstance(entry, URLResolver):
                walk(entry.url_patterns, route)
            elif isinstance(entry, URLPattern):
                if route.startswith("^") or "(?P" in route:  # regex routes (admin, DRF format suffixes)
                    route = re.sub(r"\(\?P<[^>]+>[^)]*\)", "1", route).strip("^$").replace("\\", "")
                    if any(ch in route for ch in "()[]?*+|"):
                        continue
                route = re.sub(r"<[^>]+>", "1", route)
                paths.add("/" + route)

    walk(get_resolver().url_patterns, "")
    return sorted(p for p in paths if p not in OPEN and not p.startswith(OPEN_PREFIXES))


def test_every_page_and_api_refuses_a_session_without_the_second_factor(le_lead):
    browser = password_only(le_lead)
    reached = []
    for path in every_page():
        response = browser.get(path)
        sent_to_mfa = response.status_code == 302 and "/security/mfa/" in response["Location"]
        refused_api = path.startswith("/api/") and response.status_code in (401, 403)
        if not (sent_to_mfa or refused_api):
            reached.append((path, response.status_code))
    assert len(every_page()) > 10 and reached == []


def test_a_first_sign_in_is_sent_to_set_up_an_authenticator(le_lead):
    response = password_only(le_lead).get("/")
    assert response["Location"].startswith(reverse("security:mfa_enrol"))


def test_the_enrolment_page_draws_the_qr_code_itself(le_lead):
    response = password_only(le_lead).get(reverse("security:mfa_enrol"))
    assert b"<svg" in response.content and b"http" not in response.content.split(b"<svg")[1].split(b"</svg>")[0]


def test_enrolment_confirms_the_app_and_shows_ten_recovery_codes_once(le_lead):
    browser = password_only(le_lead)
    browser.get(reverse("security:mfa_enrol"))
    device = TOTPDevice.objects.get(user=le_lead)
    response = browser.post(reverse("security:mfa_enrol"), {"otp": mfa.current_code(device)}, follow=True)
    codes = re.findall(r"<li><code>(\w+)</code></li>", response.content.decode())
    again = browser.get(reverse("security:recovery_codes"))
    assert len(codes) == 10 and RecoveryCode.objects.filter(device__user=le_lead).count() == 10
    assert codes[0].encode() not in again.content


def test_a_wrong_enrolment_code_is_refused_and_says_what_to_do(le_lead):
    browser = password_only(le_lead)
    browser.get(reverse("security:mfa_enrol"))
    response = browser.post(reverse("security:mfa_enrol"), {"otp": "000000x"})
    assert b"did not work" in response.content
    assert not TOTPDevice.objects.filter(user=le_lead, confirmed=True).exists()


def test_a_returning_user_is_asked_for_the_code_not_to_enrol_again(le_lead):
    ready_device(le_lead)
    response = password_only(le_lead).get("/")
    assert response["Location"].startswith(reverse("security:mfa_verify"))


def test_the_right_code_leads_to_the_system_use_notice(le_lead):
    response = verified(le_lead).get("/")
    assert response["Location"].startswith(reverse("security:notice"))


def test_a_wrong_code_keeps_the_user_out(le_lead):
    ready_device(le_lead)
    browser = password_only(le_lead)
    response = browser.post(reverse("security:mfa_verify"), {"otp": "123"})
    assert b"did not work" in response.content
    assert browser.get("/")["Location"].startswith(reverse("security:mfa_verify"))


def test_a_recovery_code_works_once(le_lead):
    ready_device(le_lead)
    code = mfa.new_recovery_codes(le_lead)[0]
    first = password_only(le_lead)
    first.post(reverse("security:mfa_verify"), {"otp": code})
    second = password_only(le_lead)
    second.post(reverse("security:mfa_verify"), {"otp": code})
    assert first.get("/")["Location"].startswith(reverse("security:notice"))
    assert second.get("/")["Location"].startswith(reverse("security:mfa_verify"))


def test_the_notice_must_be_ticked_before_any_page(le_lead):
    browser = verified(le_lead)
    refused = browser.post(reverse("security:notice"), {"next": "/"})
    accepted = browser.post(reverse("security:notice"), {"accept": "on", "next": "/"})
    assert b"Tick the box" in refused.content
    assert accepted["Location"] == "/" and browser.session[SESSION_NOTICE_AT]


def test_the_acknowledgement_is_kept_in_the_audit_trail(le_lead):
    verified(le_lead).post(reverse("security:notice"), {"accept": "on", "next": "/"})
    assert AuditEvent.objects.filter(actor=le_lead, note="System-use notice acknowledged.").exists()


def test_after_every_step_the_lead_reaches_the_cn_board(le_lead):
    browser = verified(le_lead)
    browser.post(reverse("security:notice"), {"accept": "on", "next": "/"})
    assert browser.get("/")["Location"] == reverse("notifications:board")


def test_the_sign_in_page_says_the_notice_follows_without_showing_it(client):
    response = client.get(reverse("login"))
    assert b"acknowledge the system-use notice" in response.content
    assert b"criminal and civil penalties" not in response.content


def test_the_notice_is_shown_once_where_it_is_acknowledged(le_lead):
    page = verified(le_lead).get(reverse("security:notice")).content.decode()
    assert page.count("criminal and civil penalties") == 1


def test_the_admin_requires_the_second_factor(administrator):
    response = password_only(administrator).get(reverse("admin:index"))
    assert "/security/mfa/" in response["Location"]


def test_a_verified_administrator_reaches_the_admin(client, administrator):
    client.force_login(administrator)
    assert client.get(reverse("admin:index")).status_code == 200


def test_the_admin_login_page_sends_to_the_one_sign_in(client):
    response = client.get("/admin/login/?next=/admin/")
    assert response["Location"].startswith(reverse("login"))


def test_an_unverified_session_cannot_call_the_api(le_lead):
    response = password_only(le_lead).get("/api/")
    assert response.status_code == 401


def test_a_verified_session_can_call_the_api(client, le_lead):
    client.force_login(le_lead)
    assert client.get("/api/").status_code == 200


def test_the_api_ignores_an_unverified_session_even_without_the_gate(rf, le_lead):
    from vip.api_auth import VerifiedSessionAuthentication

    request = rf.get("/api/")
    request.user = le_lead
    le_lead.is_verified = lambda: False
    request._request = request
    request._request.session = {}
    assert VerifiedSessionAuthentication().authenticate(request) is None


def test_sign_in_steps_are_audited(le_lead):
    device = ready_device(le_lead)
    browser = password_only(le_lead)
    browser.post(reverse("security:mfa_verify"), {"otp": "999999"})
    device = ready_device(le_lead)  # a wrong code throttles the next try for a second; no sleeping here
    browser.post(reverse("security:mfa_verify"), {"otp": mfa.current_code(device)})
    browser.post(reverse("logout"))
    notes = list(AuditEvent.objects.filter(actor=le_lead).order_by("id").values_list("action", flat=True))
    assert notes == ["login", "login", "logout"]
    assert AuditEvent.objects.filter(action="login_failed", object_id="lead").count() == 1


def test_a_failed_password_is_audited_with_the_username(client):
    client.post(reverse("login"), {"username": "nobody", "password": "wrong-password-here"})
    assert AuditEvent.objects.filter(action="login_failed", note__contains="'nobody'").exists()


def test_before_the_second_factor_the_header_holds_sign_out_and_no_menu(le_lead):
    ready_device(le_lead)
    page = password_only(le_lead).get(reverse("security:mfa_verify")).content.decode()
    assert 'class="nav"' not in page and 'class="who"' not in page
    assert 'class="signout signout-only"' in page


def test_before_the_notice_is_acknowledged_there_is_no_menu(le_lead):
    page = verified(le_lead).get(reverse("security:notice")).content.decode()
    assert 'class="nav"' not in page and "signout-only" in page


def test_after_every_step_the_menu_is_shown(client, le_lead):
    client.force_login(le_lead)
    page = client.get(reverse("reminders:inbox")).content.decode()
    assert '<nav class="nav"' in page and "signout-only" not in page


def test_a_code_typed_again_within_its_30_seconds_is_explained_as_reused(le_lead):
    device = ready_device(le_lead)
    code = mfa.current_code(device)
    password_only(le_lead).post(reverse("security:mfa_verify"), {"otp": code})
    response = password_only(le_lead).post(reverse("security:mfa_verify"), {"otp": code})
    assert b"That code was already used" in response.content


def test_a_wrong_code_is_not_called_reused(le_lead):
    device = ready_device(le_lead)
    password_only(le_lead).post(reverse("security:mfa_verify"), {"otp": mfa.current_code(device)})
    wrong = f"{(int(mfa.current_code(device)) + 1) % 1_000_000:06d}"
    response = password_only(le_lead).post(reverse("security:mfa_verify"), {"otp": wrong})
    assert b"did not work" in response.content and b"already used" not in response.content
