"""Five failed sign-ins within 15 minutes lock the account until an administrator releases it (CJIS AC-7)."""

import datetime as dt

import pytest
from axes.models import AccessFailureLog
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from vip import mfa
from vip.models import AuditEvent
from vip.security import is_locked_out, release_lockout
from vip.testing import PASSWORD, ready_device

pytestmark = pytest.mark.django_db


def fail(browser: Client, username: str, times: int = 1):
    response = None
    for _ in range(times):
        response = browser.post(reverse("login"), {"username": username, "password": "not-the-password"})
    return response


def sign_in(browser: Client, username: str):
    return browser.post(reverse("login"), {"username": username, "password": PASSWORD})


def test_five_failures_lock_the_account(officer):
    response = fail(Client(), "officer", 5)
    assert response.status_code == 403 and b"administrator releases it" in response.content


def test_a_locked_account_is_refused_even_with_the_right_password(officer):
    fail(Client(), "officer", 5)
    response = sign_in(Client(), "officer")
    assert response.status_code == 403 and not response.wsgi_request.user.is_authenticated


def test_four_failures_do_not_lock(officer):
    fail(Client(), "officer", 4)
    assert sign_in(Client(), "officer").status_code == 302


def test_the_lock_is_by_username_whatever_the_address(officer):
    for address in ("10.0.0.1", "10.0.0.2", "10.0.0.3", "10.0.0.4", "10.0.0.5"):
        fail(Client(REMOTE_ADDR=address), "officer")
    assert is_locked_out("officer")


def test_failures_older_than_15_minutes_do_not_count(officer):
    fail(Client(), "officer", 4)
    AccessFailureLog.objects.update(attempt_time=timezone.now() - dt.timedelta(minutes=16))
    fail(Client(), "officer")
    assert not is_locked_out("officer")


def test_the_lock_does_not_wear_off_with_time(officer):
    fail(Client(), "officer", 5)
    AccessFailureLog.objects.update(attempt_time=timezone.now() - dt.timedelta(days=3))
    assert sign_in(Client(), "officer").status_code == 403


def test_an_administrator_releases_the_lock(officer, administrator):
    fail(Client(), "officer", 5)
    release_lockout("officer", by=administrator)
    assert sign_in(Client(), "officer").status_code == 302
    assert AuditEvent.objects.filter(actor=administrator, note__contains="lockout of officer released").exists()


def test_the_staff_page_releases_the_lock(client, officer, administrator):
    fail(Client(), "officer", 5)
    client.force_login(administrator)
    client.post(reverse("staff:release_lockout", args=[officer.pk]))
    assert not is_locked_out("officer")


def test_failed_sign_ins_are_listed_for_the_administrator(client, officer, administrator):
    fail(Client(), "officer", 2)
    client.force_login(administrator)
    response = client.get(reverse("admin:axes_accessattempt_changelist"))
    assert b"officer" in response.content


def sign_in_completely(browser: Client, user):
    """Password and one-time code: a complete sign-in (a password alone does not reset the count)."""
    device = ready_device(user)
    sign_in(browser, user.username)
    return browser.post(reverse("security:mfa_verify"), {"otp": mfa.current_code(device)})


def test_a_success_resets_the_count(officer):
    fail(Client(), "officer", 4)
    sign_in_completely(Client(), officer)
    fail(Client(), "officer", 4)
    assert not is_locked_out("officer")


def test_wrong_one_time_codes_count_towards_the_lock(officer):
    ready_device(officer)
    browser = Client()
    sign_in(browser, "officer")
    response = None
    for _ in range(5):
        ready_device(officer)  # lift django-otp's per-device throttle so each try is a real wrong code
        response = browser.post(reverse("security:mfa_verify"), {"otp": "000000"})
    assert response.status_code == 403 and is_locked_out("officer")
    assert not browser.get("/").wsgi_request.user.is_authenticated


def test_the_token_endpoint_honours_the_lock(officer):
    fail(Client(), "officer", 5)
    device = ready_device(officer)
    response = Client().post(
        "/api/auth/token/",
        {"username": "officer", "password": PASSWORD, "otp": mfa.current_code(device), "notice_acknowledged": True},
        content_type="application/json",
    )
    assert response.status_code == 403 and response.json()["code"] == "locked"


def test_the_administrator_role_may_release_lockouts_and_reset_devices(administrator):
    assert administrator.has_perm("axes.delete_accessattempt")
    assert administrator.has_perm("otp_totp.delete_totpdevice")
