"""POST /api/auth/token/: a tablet's token needs username, password and a one-time code, and expires."""

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from vip import mfa
from vip.models import ApiToken, AuditEvent
from vip.testing import PASSWORD, ready_device

pytestmark = pytest.mark.django_db
URL = "/api/auth/token/"


def ask(**body):
    body.setdefault("notice_acknowledged", True)  # the user accepted the system-use notice on the tablet
    return Client().post(URL, body, content_type="application/json")


def test_password_and_one_time_code_give_a_token(officer):
    device = ready_device(officer)
    response = ask(username="officer", password=PASSWORD, otp=mfa.current_code(device))
    assert response.status_code == 200 and response.json()["token"] == ApiToken.objects.get(user=officer).key


def test_without_a_one_time_code_there_is_no_token(officer):
    response = ask(username="officer", password=PASSWORD)
    assert response.status_code == 400 and "otp" in response.json()
    assert not ApiToken.objects.exists()


def test_a_wrong_one_time_code_gives_no_token(officer):
    ready_device(officer)
    response = ask(username="officer", password=PASSWORD, otp="000000")
    assert response.status_code == 400 and response.json()["code"] == "invalid_otp"


def test_a_wrong_password_gives_no_token(officer):
    device = ready_device(officer)
    response = ask(username="officer", password="wrong-password", otp=mfa.current_code(device))
    assert response.status_code == 400 and response.json()["code"] == "invalid_credentials"


def test_the_token_opens_the_api(officer):
    device = ready_device(officer)
    token = ask(username="officer", password=PASSWORD, otp=mfa.current_code(device)).json()["token"]
    assert Client().get("/api/", headers={"Authorization": f"Token {token}"}).status_code == 200


def test_a_token_older_than_twelve_hours_is_refused_with_what_to_do(officer):
    token = ApiToken.objects.create(user=officer)
    ApiToken.objects.filter(pk=token.pk).update(created=timezone.now() - dt.timedelta(hours=13))
    response = Client().get("/api/", headers={"Authorization": f"Token {token.key}"})
    # 403, not 401: DRF answers with the first authentication class (session), which sends no WWW-Authenticate.
    assert response.status_code == 403 and "/api/auth/token/" in response.json()["detail"]


def test_an_expired_token_is_replaced_when_a_new_one_is_asked_for(officer):
    old = ApiToken.objects.create(user=officer)
    ApiToken.objects.filter(pk=old.pk).update(created=timezone.now() - dt.timedelta(hours=13))
    device = ready_device(officer)
    new = ask(username="officer", password=PASSWORD, otp=mfa.current_code(device)).json()["token"]
    assert new != old.key


def test_issuing_a_token_is_audited(officer):
    device = ready_device(officer)
    ask(username="officer", password=PASSWORD, otp=mfa.current_code(device))
    assert AuditEvent.objects.filter(actor=officer, action="login", note__contains="API token").exists()


def test_a_user_without_any_second_factor_gets_no_token(officer):
    response = ask(username="officer", password=PASSWORD, otp="123456")
    assert response.status_code == 400 and not ApiToken.objects.exists()


def test_a_code_already_used_is_explained_as_reused(officer):
    device = ready_device(officer)
    code = mfa.current_code(device)
    ask(username="officer", password=PASSWORD, otp=code)
    response = ask(username="officer", password=PASSWORD, otp=code)
    assert response.status_code == 400 and "already used" in response.json()["otp"][0]
