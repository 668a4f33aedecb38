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
        if k
        not in (
            "DATABASE_URL",
            "DATABASE_OWNER_URL",
            "DATABASE_REPLICA_URL",
            "DATABASE_POOLER",
            "REDIS_URL",
            "DEBUG",
            "SECRET_KEY",
        )
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


# --- a read replica and a connection pooler (issue 21, parts 5 and 6; tests/test_replica.py has the standby) --

REPLICA_SETTINGS = (
    "sorted(settings.DATABASES), getattr(settings, 'DATABASE_ROUTERS', []),"
    " settings.DATABASES.get('replica', {}).get('TEST', {}).get('MIRROR'),"
    " [d.get('DISABLE_SERVER_SIDE_CURSORS', False) for d in settings.DATABASES.values()],"
    " settings.VIP_PREPARED_STATEMENTS"
)
A_DATABASE = {"DATABASE_URL": "postgresql://vip_app@127.0.0.1:5432/vip"}


def test_without_a_replica_url_there_is_no_replica_alias_and_no_router():
    result = settings_value(REPLICA_SETTINGS, **A_DATABASE)
    assert result.stdout.strip() == "['default'] [] None [False] True", result.stderr


def test_a_replica_url_adds_the_replica_alias_and_its_router_and_tests_mirror_the_primary():
    result = settings_value(REPLICA_SETTINGS, **A_DATABASE, DATABASE_REPLICA_URL="postgresql://127.0.0.1:5433/")
    routers = "['vip.replica.ReplicaRouter']"
    assert result.stdout.strip() == f"['default', 'replica'] {routers} default [False, False] True", result.stderr
    same_role = settings_value(
        "settings.DATABASES['replica']['USER'], settings.DATABASES['replica']['NAME']",
        **A_DATABASE,
        DATABASE_REPLICA_URL="postgresql://127.0.0.1:5433/",
    )
    assert same_role.stdout.split() == ["vip_app", "vip"]


def test_behind_pgbouncer_in_transaction_mode_no_state_is_kept_in_a_session():
    result = settings_value(
        REPLICA_SETTINGS,
        **A_DATABASE,
        DATABASE_REPLICA_URL="postgresql://127.0.0.1:5433/",
        DATABASE_POOLER="transaction",
    )
    assert result.stdout.strip().endswith("[True, True] False"), result.stderr
    assert "DATABASE_POOLER" in settings_value("1", **A_DATABASE, DATABASE_POOLER="statement").stderr
