"""Backup and restore (docs/operations.md): a pg_dump of the database, restored with pg_restore into a new,
empty database, holds every record. Uses the real PostgreSQL binaries, as the runbook does, and the owner's
role, as the runbook does (the app role may not create a database)."""

import os
import shutil
import subprocess
import uuid

import psycopg2
import pytest
from django.db import connection

from vip.db_roles import owner_credentials

pytestmark = pytest.mark.django_db(transaction=True)

MAIN_TABLES = ["auth_user", "candidates_candidate", "notifications_delivery", "vip_auditevent"]


def pg_env(settings_dict) -> dict:
    env = {**os.environ, "PGHOST": settings_dict["HOST"] or "127.0.0.1", "PGPORT": str(settings_dict["PORT"] or 5432)}
    env["PGUSER"] = settings_dict["USER"] or "postgres"
    if settings_dict.get("PASSWORD"):
        env["PGPASSWORD"] = settings_dict["PASSWORD"]
    return env


def snapshot(conn) -> dict[str, object]:
    """Row count of every table, and the ids of the main ones."""
    with conn.cursor() as cursor:
        cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename")
        tables = [row[0] for row in cursor.fetchall()]
        counts = {}
        for table in tables:
            cursor.execute(f'SELECT count(*) FROM "{table}"')  # noqa: S608 - names from pg_tables
            counts[table] = cursor.fetchone()[0]
        ids = {}
        for table in MAIN_TABLES:
            cursor.execute(f'SELECT id FROM "{table}" ORDER BY id')  # noqa: S608 - fixed list
            ids[table] = [row[0] for row in cursor.fetchall()]
    return {"counts": counts, "ids": ids}


@pytest.fixture
def records(le_lead, officer):
    """Candidates, CNs, aliases and audit rows (personas come with users, groups, personnel, training)."""
    import datetime as dt

    from candidates.models import Alias, Candidate
    from notifications.models import Delivery
    from vip.audit import audit

    for n in range(6):
        person = Candidate.objects.create(
            first_name=f"Restore{n}", last_name="Check", date_of_birth=dt.date(2000 + n, 1, 15)
        )
        Alias.objects.create(candidate=person, name=f"R{n}")
        delivery = Delivery.objects.create(candidate=person, state="identified", le_lead=le_lead)
        audit(actor=le_lead, action="create", obj=delivery, note="backup test")


@pytest.fixture
def restore_target():
    """A new, empty database, dropped after the test."""
    name = f"{connection.settings_dict['NAME']}_restore_{uuid.uuid4().hex[:8]}"
    admin = psycopg2.connect(dbname="postgres", **_connect_kwargs())
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{name}"')
    yield name
    with admin.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.close()


def _owner_settings() -> dict:
    return {**connection.settings_dict, **owner_credentials()}


def _connect_kwargs() -> dict:
    s = _owner_settings()
    kwargs = {"host": s["HOST"] or "127.0.0.1", "port": s["PORT"] or 5432, "user": s["USER"] or "postgres"}
    if s.get("PASSWORD"):
        kwargs["password"] = s["PASSWORD"]
    return kwargs


def test_a_restored_backup_holds_every_record(records, restore_target, tmp_path):
    assert shutil.which("pg_dump") and shutil.which("pg_restore"), "install postgresql-client"
    source = connection.settings_dict["NAME"]
    dump = tmp_path / "vip.dump"
    env = pg_env(_owner_settings())
    subprocess.run(["pg_dump", "-Fc", "--no-owner", "-f", str(dump), source], env=env, check=True, timeout=300)  # noqa: S603,S607
    subprocess.run(  # noqa: S603
        ["pg_restore", "--no-owner", "--exit-on-error", "-d", restore_target, str(dump)],  # noqa: S607
        env=env,
        check=True,
        timeout=300,
    )
    connection.ensure_connection()
    original = snapshot(connection.connection)
    restored_conn = psycopg2.connect(dbname=restore_target, **_connect_kwargs())
    try:
        restored = snapshot(restored_conn)
    finally:
        restored_conn.close()
    assert original["counts"]["notifications_delivery"] >= 6 and original["counts"]["vip_auditevent"] >= 6
    assert restored == original
