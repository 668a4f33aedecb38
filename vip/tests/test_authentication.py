"""Issue 17, item 5: a tablet's token dies with the credentials it was issued on, one token per sign-in, wrong
one-time codes lock the account across correct passwords (CJIS AC-7), recovery codes are never stored in clear,
the system-use notice guards every authenticated path (AC-8), and one address cannot lock account after account.
"""

import pytest
from django.contrib.auth.models import Group
from django.core import mail
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_static.models import StaticToken

from vip import mfa
from vip.roles import LE_LEAD
from vip.security import is_locked_out
from vip.testing import PASSWORD, ready_device

pytestmark = pytest.mark.django_db
TOKEN_URL = "/api/auth/token/"


def sign_in_for_a_token(user, **extra) -> Client:
    device = ready_device(user)
    body = {"username": user.username, "password": PASSWORD, "otp": mfa.current_code(device)}
    body.update({"notice_acknowledged": True, **extra})
    return Client().post(TOKEN_URL, body, content_type="application/json")


def token_of(user) -> str:
    return sign_in_for_a_token(user).json()["token"]


def api_as(token: str, path: str = "/api/deliveries/"):
    return Client().get(path, headers={"Authorization": f"Token {token}"})


def test_it_gives_each_sign_in_a_token_of_its_own(officer):
    assert token_of(officer) != token_of(officer)


def test_it_refuses_the_token_after_a_password_change(officer):
    token = token_of(officer)
    officer.set_password("a-new-passphrase-for-the-officer")
    officer.save()
    assert api_as(token).status_code in (401, 403)


def test_it_refuses_the_token_after_an_administrator_sets_a_new_password(officer, administrator):
    from vip.testing import verified_client

    token = token_of(officer)
    browser = verified_client()
    browser.force_login(administrator)
    new = "another-long-passphrase-here"
    browser.post(
        reverse("admin:auth_user_password_change", args=[officer.pk]),
        {"password1": new, "password2": new, "usable_password": "true"},
    )
    assert api_as(token).status_code in (401, 403)


def test_it_refuses_the_token_after_the_account_is_disabled(officer):
    token = token_of(officer)
    type(officer).objects.filter(pk=officer.pk).update(is_active=False)
    assert api_as(token).status_code in (401, 403)


def test_it_refuses_the_token_after_a_role_change(le_lead):
    token = token_of(le_lead)
    le_lead.groups.remove(Group.objects.get(name=LE_LEAD))
    assert api_as(token, "/api/").status_code in (401, 403)


def test_it_refuses_the_token_after_the_second_factor_is_reset(officer):
    token = token_of(officer)
    mfa.reset_mfa(officer)
    assert api_as(token).status_code in (401, 403)


def test_it_refuses_the_token_once_the_account_locks(officer):
    token = token_of(officer)
    for _ in range(5):
        Client().post(reverse("login"), {"username": "officer", "password": "not-the-password"})
    assert api_as(token).status_code in (401, 403)


def test_wrong_codes_lock_the_account_even_with_the_right_password_in_between(officer):
    device = ready_device(officer)
    for _ in range(3):  # sign in with the password again and again, two wrong codes each time
        browser = Client()
        browser.post(reverse("login"), {"username": "officer", "password": PASSWORD})
        for _ in range(2):
            device.throttling_failure_count = 0
            device.save()  # lift django-otp's per-device pause so each try is a real wrong code
            browser.post(reverse("security:mfa_verify"), {"otp": "000000"})
    assert is_locked_out("officer")


def test_recovery_codes_are_not_stored_in_clear(le_lead):
    codes = mfa.new_recovery_codes(le_lead)
    assert not StaticToken.objects.filter(token__in=codes).exists()
    assert mfa.verify(le_lead, codes[0]) is not None and mfa.verify(le_lead, codes[0]) is None


def test_an_authorization_header_does_not_skip_the_notice(le_lead):
    browser = Client()
    browser.post(reverse("login"), {"username": "lead", "password": PASSWORD})
    browser.post(reverse("security:mfa_verify"), {"otp": mfa.current_code(ready_device(le_lead))})
    response = browser.get("/api/deliveries/", headers={"Authorization": "Token not-a-real-token"})
    assert response.status_code == 403 and response.json()["code"] == "notice_required"


def test_no_token_is_issued_without_the_notice_acknowledged(officer):
    response = sign_in_for_a_token(officer, notice_acknowledged=False)
    assert response.status_code == 400 and "notice" in response.json()["detail"]


def test_one_address_cannot_lock_account_after_account(officer, le_lead, social_worker):
    attacker = Client(REMOTE_ADDR="203.0.113.9")
    for username in ("officer", "lead", "social"):
        for _ in range(5):
            last = attacker.post(reverse("login"), {"username": username, "password": "guess"})
    assert not is_locked_out("social")  # the address was paused after its 10th failure
    assert b"network address" in last.content


def test_the_paused_address_does_not_stop_other_stations(officer, le_lead):
    attacker = Client(REMOTE_ADDR="203.0.113.9")
    for _ in range(10):
        attacker.post(reverse("login"), {"username": "nobody", "password": "guess"})
    station = Client(REMOTE_ADDR="10.1.1.1")
    assert station.post(reverse("login"), {"username": "lead", "password": PASSWORD}).status_code == 302


def test_an_administrator_is_told_when_an_account_locks(officer, administrator, django_capture_on_commit_callbacks):
    from vip.tasks import tell_administrators_of_lockout

    with django_capture_on_commit_callbacks(execute=False) as queued:
        for _ in range(5):
            Client().post(reverse("login"), {"username": "officer", "password": "not-the-password"})
    assert len(queued) == 1  # the e-mail task, queued once the lock is committed
    tell_administrators_of_lockout("officer", "203.0.113.9")
    assert mail.outbox[-1].to == [administrator.email] and "officer" in mail.outbox[-1].subject
