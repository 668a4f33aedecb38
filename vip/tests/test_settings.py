"""Settings come from the environment; production refuses insecure defaults."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def settings_value(expr: str, **env) -> subprocess.CompletedProcess:
    code = f"import django, os; django.setup(); from django.conf import settings; print({expr})"
    full_env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DATABASE_URL", "DATABASE_OWNER_URL", "REDIS_URL", "DEBUG", "SECRET_KEY")
    }
    full_env.update(
        {"DJANGO_SETTINGS_MODULE": "vip.settings", "VIP_VAR_DIR": str(ROOT / "var" / "settings-test"), **env}
    )
    return subprocess.run(  # noqa: S603
        [sys.executable, "-c", code], cwd=ROOT, env=full_env, capture_output=True, text=True, timeout=60
    )


def test_it_uses_the_embedded_postgresql_under_var_when_no_database_url_is_set():
    result = settings_value("settings.DATABASES['default']['ENGINE'], settings.DATABASES['default']['HOST']")
    assert result.stdout.split() == ["django.db.backends.postgresql", str(ROOT / "var" / "settings-test" / "pg")]


def test_it_uses_postgresql_when_database_url_is_set():
    result = settings_value(
        "settings.DATABASES['default']['ENGINE']", DATABASE_URL="postgresql://postgres@127.0.0.1:5432/vip"
    )
    assert result.stdout.strip() == "django.db.backends.postgresql"


def test_it_uses_redis_as_broker_when_redis_url_is_set():
    result = settings_value("settings.CELERY_BROKER_URL", REDIS_URL="redis://127.0.0.1:6379/3")
    assert result.stdout.strip() == "redis://127.0.0.1:6379/3"


def test_it_falls_back_to_the_filesystem_broker_without_redis():
    result = settings_value("settings.CELERY_BROKER_URL")
    assert result.stdout.strip() == "filesystem://"


def test_production_refuses_the_insecure_default_key():
    result = settings_value("1", DJANGO_SETTINGS_MODULE="vip.settings.production")
    assert "Set SECRET_KEY" in result.stderr


def test_production_refuses_debug():
    result = settings_value("1", DJANGO_SETTINGS_MODULE="vip.settings.production", SECRET_KEY="x" * 64, DEBUG="1")
    assert "DEBUG must be off" in result.stderr


def test_production_starts_with_a_real_key_and_debug_off():
    result = settings_value(
        "settings.SESSION_COOKIE_SECURE",
        DJANGO_SETTINGS_MODULE="vip.settings.production",
        SECRET_KEY="k" * 20 + "Q9z" * 15,
        ALLOWED_HOSTS="vip.example.org",
        DATABASE_URL="postgresql://vip@db.example.org:5432/vip",
    )
    assert result.stdout.strip() == "True", result.stderr


def test_production_refuses_the_embedded_database():
    result = settings_value("1", DJANGO_SETTINGS_MODULE="vip.settings.production", SECRET_KEY="k" * 20 + "Q9z" * 15)
    assert "Set DATABASE_URL" in result.stderr


def test_the_owner_s_url_defaults_to_the_app_s():
    result = settings_value("settings.VIP_DATABASE_OWNER", DATABASE_URL="postgresql://vip_app@127.0.0.1:5432/vip")
    assert result.stdout.strip() == "None"


def test_the_owner_s_url_must_name_the_app_s_database():
    result = settings_value(
        "settings.VIP_DATABASE_OWNER['USER']",
        DATABASE_URL="postgresql://vip_app@127.0.0.1:5432/vip",
        DATABASE_OWNER_URL="postgresql://vip_owner@127.0.0.1:5432/other",
    )
    assert result.returncode != 0 and "both name the one database" in result.stderr
