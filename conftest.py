"""Shared test set-up: personas of SOP 2-64, service requirements, and the browser.

Every test runs on PostgreSQL (`make test` starts the embedded one when DATABASE_URL is unset). Tests marked
`redis` skip with the reason when Redis is not there, unless VIP_REQUIRE_SERVICES=1 (as in CI), where they
fail instead: nothing that needs a server is skipped in CI.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import shutil

import pytest

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

REQUIRE = os.environ.get("VIP_REQUIRE_SERVICES") == "1"
CHROMIUM = os.environ.get("VIP_CHROMIUM", "/usr/bin/chromium")


def _missing(what: str, why: str):
    if REQUIRE:
        pytest.fail(f"{what} is required (VIP_REQUIRE_SERVICES=1) but {why}.")
    pytest.skip(f"{what} not available: {why}.")


def redis_available() -> bool:
    url = os.environ.get("REDIS_URL")
    if not url:
        return False
    try:
        import redis

        return bool(redis.Redis.from_url(url, socket_connect_timeout=1).ping())
    except Exception:
        return False


@pytest.fixture(scope="session")
def missing_service():
    """`missing_service(what, why)` for a fixture that finds a server missing: skips with the reason, or fails
    under VIP_REQUIRE_SERVICES=1 (CI), like the markers below (tests/test_replica.py's standby)."""
    return _missing


@pytest.fixture(autouse=True)
def _service_requirements(request):
    if request.node.get_closest_marker("redis") and not redis_available():
        _missing("Redis", "REDIS_URL is unset or Redis does not answer")
    if request.node.get_closest_marker("browser") and not shutil.which(CHROMIUM):
        _missing("Chromium", f"{CHROMIUM} is not installed (apt-get install chromium)")


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--disable-quic",
        ],
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "viewport": {"width": 768, "height": 1024}, "has_touch": True}


# --- personas (SOP 2-64) ---------------------------------------------------------------------------------

from vip.testing import *  # noqa: E402,F401,F403

# --- the database roles, as production (docs/operations.md, "Database roles") -------------------------------

_APP_ROLE: dict = {}


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix):
    """The owner creates and migrates the test database; every test then connects as the app role.

    The owner is DATABASE_OWNER_URL's role, else DATABASE_URL's (as CI and `make test` give it). The app role is
    DATABASE_URL's when it names another role, else VIP_APP_ROLE (vip_app; password VIP_APP_PASSWORD, none
    under trust authentication) on the same server. The owner's test sessions hold the trail's maintenance
    switch, which the trigger honours for the owner alone (vip migration 0009): `flush` (as the owner, between
    transactional tests) can empty the audit table, and tests can age a row. The app role's sessions do not,
    and could not use it."""
    from django.conf import settings

    from vip.db_roles import credentials, owner_credentials

    default = settings.DATABASES["default"]
    owner = owner_credentials()
    if default.get("USER") and default["USER"] != owner["USER"]:
        app = credentials(default)
    else:
        app = {
            **owner,
            "USER": os.environ.get("VIP_APP_ROLE", "vip_app"),
            "PASSWORD": os.environ.get("VIP_APP_PASSWORD", ""),
        }
    options = f"{owner['OPTIONS'].get('options', '')} -c vip.audit_maintenance=on".strip()
    settings.VIP_DATABASE_OWNER = {**owner, "OPTIONS": {**owner["OPTIONS"], "options": options}}
    default.update(settings.VIP_DATABASE_OWNER)
    _APP_ROLE.update(app)


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Set up the app role on the test database (as the owner, as production does after `migrate`), then
    connect every test as that role. The owner's connection is back for the database's teardown."""
    from io import StringIO

    from django.conf import settings
    from django.core.management import call_command
    from django.db import DatabaseError, connection

    from vip.audit.partitions import ensure_months

    default = settings.DATABASES["default"]
    with django_db_blocker.unblock():
        password = _APP_ROLE["PASSWORD"] or None
        call_command("setup_db_roles", _APP_ROLE["USER"], password=password, stdout=StringIO())
        # The trail's months from 2023 (vip/audit/partitions.py): `migrate` makes this month and those ahead, and
        # the suite's fixtures record dated transitions and events in the past (2024, early 2026), as an import
        # of a program's history would once its months are made. Made as the owner, before the app role.
        ensure_months(dt.date(2023, 1, 1), dt.date.today())
        connection.close()
    default.update(_APP_ROLE)
    yield
    with django_db_blocker.unblock():
        connection.close()
        default.update(settings.VIP_DATABASE_OWNER)
        # A live server's request threads may still hold app-role connections (CONN_MAX_AGE) when the session
        # ends, and PostgreSQL refuses to drop a database someone is connected to: the owner ends them first.
        # (An owner who may not signal the app role's backends leaves them, as before.)
        with connection.cursor() as cursor, contextlib.suppress(DatabaseError):
            cursor.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                " WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
        connection.close()


@pytest.fixture(scope="session", autouse=True)
def _cache_of_the_test_process():
    """Each test process has its own memory cache, emptied before each test: a count one test left in a
    shared Redis must not reach another (and clearing Redis would drop the broker's queued tasks)."""
    from django.test.utils import override_settings

    with override_settings(CACHES={"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}):
        yield


@pytest.fixture(autouse=True)
def _empty_cache(_cache_of_the_test_process):
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def _reference_rows(request):
    """The rows data migrations write (roles with their grants, the default letter template) are there in
    every database test, even after a transactional test's flush or a `--reuse-db` run that ended with one.
    Two queries when nothing is missing; the test's own query counts start after this."""
    marker = request.node.get_closest_marker("django_db")
    names = set(request.fixturenames)
    if not (marker or {"db", "transactional_db", "live_server"} & names):
        return
    transactional = bool(marker and marker.kwargs.get("transaction")) or bool(
        {"transactional_db", "live_server"} & names
    )
    request.getfixturevalue("transactional_db" if transactional else "db")
    from vip.testing import ensure_reference_rows

    ensure_reference_rows()


# --- test clients: force_login passes every sign-in step (password, MFA, notice) --------------------------


@pytest.fixture
def client():
    """pytest-django's `client`, whose force_login/login also verify the second factor and the notice."""
    from vip.testing import verified_client

    return verified_client()


@pytest.fixture
def api_client():
    """DRF's APIClient; force_authenticate as usual, or force_login for a verified browser session."""
    from vip.testing import verified_api_client

    return verified_api_client()


@pytest.fixture
def admin_client(db, admin_user):
    from vip.testing import verified_client

    client = verified_client()
    client.force_login(admin_user)
    return client


@pytest.fixture(autouse=True, scope="session")
def _fast_password_hashing():
    """Tests sign in through the real pages often; the production hasher's cost would dominate the run."""
    from django.test.utils import override_settings

    fast = override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"])
    fast.enable()
    yield
    fast.disable()
