"""Security headers, CSRF, oversized input, and Django's deployment check under the production settings."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse
from django.utils.http import urlencode

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]


def directives(response) -> dict[str, str]:
    header = response["Content-Security-Policy"]
    return {part.split()[0]: part.strip() for part in header.split(";") if part.strip()}


def test_every_page_carries_a_strict_content_security_policy(client):
    policy = directives(client.get(reverse("login")))
    assert policy["script-src"] == "script-src 'self'" and policy["style-src"] == "style-src 'self'"
    assert policy["frame-ancestors"] == "frame-ancestors 'none'" and policy["form-action"] == "form-action 'self'"


def test_no_page_allows_inline_scripts(client, le_lead):
    client.force_login(le_lead)
    for url in ("/", reverse("notifications:board"), reverse("candidates:list"), reverse("admin:index")):
        response = client.get(url, follow=True)
        assert "unsafe" not in response["Content-Security-Policy"], url


def test_the_api_docs_relax_styles_only(client, le_lead):
    client.force_login(le_lead)
    policy = directives(client.get(reverse("api_docs")))
    assert policy["script-src"] == "script-src 'self'"
    assert "'unsafe-inline'" in policy["style-src"]


def test_the_api_docs_load_their_start_up_script_from_a_url(client, le_lead):
    client.force_login(le_lead)
    page = client.get(reverse("api_docs")).content.decode()
    assert "<script>" not in page and "?script=" in page


def test_framing_sniffing_and_referrers_are_refused(client):
    response = client.get(reverse("login"))
    assert response["X-Frame-Options"] == "DENY" and response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"


def test_pages_with_personal_data_are_never_cached(client, le_lead):
    client.force_login(le_lead)
    assert "no-store" in client.get(reverse("candidates:list"))["Cache-Control"]


def test_api_answers_are_never_cached(client, le_lead):
    client.force_login(le_lead)
    assert "no-store" in client.get("/api/")["Cache-Control"]


def test_a_form_posted_without_its_csrf_token_is_refused(officer):
    browser = Client(enforce_csrf_checks=True)
    response = browser.post(reverse("login"), {"username": "officer", "password": "x"})
    assert response.status_code == 403


def test_an_oversized_form_is_refused_with_a_clear_message(client):
    body = urlencode({"username": "u", "password": "p" * 3_000_000})
    response = client.post(reverse("login"), body, content_type="application/x-www-form-urlencoded")
    assert response.status_code == 413 and b"too large" in response.content


def test_an_oversized_json_body_is_refused_before_it_is_read(client):
    body = '{"username": "' + "u" * 3_000_000 + '"}'
    response = client.post("/api/auth/token/", body, content_type="application/json")
    assert response.status_code == 413 and response.json()["code"] == "too_large"


def test_a_too_long_username_gets_a_field_error(client):
    response = client.post(reverse("login"), {"username": "u" * 151, "password": "p"})
    assert b"at most 150 characters" in response.content and b'value="uuuu' in response.content


def test_the_production_settings_pass_the_deployment_check():
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DATABASE_URL", "DATABASE_OWNER_URL", "DEBUG", "VIP_DEMO_MODE", "DJANGO_ALLOW_ASYNC_UNSAFE")
    }
    env.update(
        DJANGO_SETTINGS_MODULE="vip.settings.production",
        SECRET_KEY=secrets.token_urlsafe(60),
        ALLOWED_HOSTS="vip.example.org",
        VIP_VAR_DIR=str(ROOT / "var" / "settings-test"),
        DATABASE_URL="postgresql://vip@db.example.org:5432/vip",
    )
    result = subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr + result.stdout


def test_production_refuses_demo_mode():
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DATABASE_OWNER_URL", "DEBUG")}
    env.update(
        DJANGO_SETTINGS_MODULE="vip.settings.production",
        SECRET_KEY=secrets.token_urlsafe(60),
        VIP_DEMO_MODE="1",
        VIP_VAR_DIR=str(ROOT / "var" / "settings-test"),
    )
    result = subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert "VIP_DEMO_MODE" in result.stderr
