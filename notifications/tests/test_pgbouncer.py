"""Behind PgBouncer in transaction mode (issue 21, part 6; docs/operations.md, "Connection pooling").

A real pgbouncer (Debian's package) is started in front of the test database with `pool_mode = transaction`,
and the site's connection goes through it with DATABASE_POOLER=transaction: a transition, the CN's audited
read (its step records' large query, prepared per session otherwise) and a misspelt name search (the trigram
threshold, a session setting otherwise) work there. Optional: skipped with the reason when pgbouncer is not
installed (`apt-get install pgbouncer`), in CI too. It shows the code works behind the pool; it does not show
that the switch is needed (run with prepared statements on, it passed too: one test client's transactions
found their session's statements).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import pytest
from django.db import connections
from django.test.utils import override_settings

from notifications.models import Delivery, State
from vip.models import AuditEvent

pytestmark = pytest.mark.django_db(transaction=True)
SERVER_USER = "postgres"  # pgbouncer refuses to run as root


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def bouncer(django_db_setup):
    executable = shutil.which("pgbouncer") or shutil.which("pgbouncer", path="/usr/sbin")
    if not executable:
        pytest.skip("pgbouncer is not installed (apt-get install pgbouncer); this check is optional")
    default = connections["default"].settings_dict
    if (default.get("HOST") or "") not in ("127.0.0.1", "localhost"):
        pytest.skip("pgbouncer is started in front of a PostgreSQL on 127.0.0.1 only")
    port = _free_port()
    home = Path(tempfile.mkdtemp(prefix="vip-pgbouncer-"))
    (home / "users.txt").write_text("".join(f'"{name}" ""\n' for name in {default["USER"], SERVER_USER}))
    (home / "pgbouncer.ini").write_text(
        "[databases]\n"
        f"* = host=127.0.0.1 port={default.get('PORT') or 5432}\n"
        "[pgbouncer]\n"
        f"listen_addr = 127.0.0.1\nlisten_port = {port}\nunix_socket_dir =\n"
        f"auth_type = trust\nauth_file = {home / 'users.txt'}\nadmin_users = {SERVER_USER}\n"
        # three server sessions kept open, each transaction on the next: what one session keeps, the next lacks
        "pool_mode = transaction\ndefault_pool_size = 3\nmin_pool_size = 3\nserver_round_robin = 1\n"
        "max_client_conn = 50\n"
        f"logfile = {home / 'pgbouncer.log'}\npidfile = {home / 'pgbouncer.pid'}\n"
    )
    command = [executable, "-d", str(home / "pgbouncer.ini")]
    if os.geteuid() == 0:
        shutil.chown(home, SERVER_USER, SERVER_USER)
        for child in home.iterdir():
            shutil.chown(child, SERVER_USER, SERVER_USER)
        command = ["runuser", "-u", SERVER_USER, "--", *command]
    subprocess.run(command, check=True)  # noqa: S603 - Debian's pgbouncer, our own configuration
    pid = None
    try:
        for _ in range(100):
            with contextlib.suppress(OSError, ValueError):
                pid = int((home / "pgbouncer.pid").read_text())
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            time.sleep(0.05)
        else:
            pytest.fail(f"pgbouncer did not start: {(home / 'pgbouncer.log').read_text()[-2000:]}")
        yield port
    finally:
        if pid:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGINT)  # the one this fixture started
        shutil.rmtree(home, ignore_errors=True)


@contextlib.contextmanager
def through(port: int):
    """The site's database connection goes through pgbouncer, with DATABASE_POOLER=transaction's settings."""
    default = connections["default"]
    kept = {key: default.settings_dict.get(key) for key in ("PORT", "DISABLE_SERVER_SIDE_CURSORS")}
    default.close()
    default.settings_dict.update(PORT=port, DISABLE_SERVER_SIDE_CURSORS=True)
    try:
        with override_settings(DATABASE_POOLER="transaction", VIP_PREPARED_STATEMENTS=False):
            yield
    finally:
        default.close()
        default.settings_dict.update(kept)


def transactions_served(port: int, database: str) -> int:
    import psycopg2

    admin = psycopg2.connect(host="127.0.0.1", port=port, user=SERVER_USER, dbname="pgbouncer")
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute("SHOW STATS")
        names = [column.name for column in cursor.description]
        rows = [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
    admin.close()
    return sum(int(row["total_xact_count"]) for row in rows if row["database"] == database)


def test_a_transition_an_audited_read_and_a_name_search_work_through_pgbouncer(bouncer, client, le_lead, cn):
    client.force_login(le_lead)
    database = connections["default"].settings_dict["NAME"]
    with through(bouncer):
        moved = client.post(f"/cn/{cn.pk}/transition/determine-eligibility/", {})
        detail = client.get(f"/cn/{cn.pk}/")
        found = client.get("/candidates/?q=alvrz")  # misspelt: a word similarity of 0.5, found at 0.4 (not 0.6)
        again = client.get(f"/cn/{cn.pk}/")
    assert moved.status_code == 302
    assert Delivery.objects.get(pk=cn.pk).state == State.ELIGIBLE
    assert detail.status_code == 200 and again.status_code == 200
    read = AuditEvent.objects.filter(action=AuditEvent.Action.READ, object_type="notifications.Delivery")
    assert read.filter(object_id=str(cn.pk)).count() == 2
    assert found.status_code == 200 and "Alvarez" in found.content.decode()
    assert transactions_served(bouncer, database) > 4  # they went through the pool
