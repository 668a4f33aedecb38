"""Reports on a replica (issue 21, part 5), against a real PostgreSQL standby (scripts/replica.py).

The module starts its own streaming standby of the test's PostgreSQL (pg_basebackup, a second server on
127.0.0.1:5433 or a free port) and gives Django the `replica` alias on it, as DATABASE_REPLICA_URL would: the
primary's test database is the standby's too, once replayed. The tests are transactional (a standby sees only
what is committed) and wait for the standby to replay the primary's WAL before they look at the data. They
run when DATABASE_URL's PostgreSQL is on this machine and pg_basebackup is installed; otherwise they skip
with the reason (and fail under VIP_REQUIRE_SERVICES=1, as CI runs them). The settings switches themselves
(DATABASE_REPLICA_URL, DATABASE_POOLER) are checked without a server at the end.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote, urlparse

import pytest
from django.db import connections, router, transaction
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext, override_settings

from candidates.models import Candidate
from candidates.tests.factories import make_candidate
from reports import snapshots
from vip.models import ApiToken, AuditEvent
from vip.replica import REPLICA, reads_replica
from vip.testing import verified_client

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "scripts" / "replica.py"
LOCAL_HOSTS = ("127.0.0.1", "localhost")
WRITES = ("INSERT", "UPDATE", "DELETE")
NEW_PERSON = {"first_name": "Rowan", "last_name": "Quintero", "date_of_birth": "2001-02-03", "sex": "M"}


def _free_port(preferred: int = 5433) -> int:
    for port in (preferred, 0):
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return probe.getsockname()[1]
    raise RuntimeError("no free port")


def _server_url(credentials: dict, database: str = "postgres") -> str:
    user = quote(credentials.get("USER") or "postgres", safe="")
    password = f":{quote(credentials['PASSWORD'], safe='')}" if credentials.get("PASSWORD") else ""
    host, port = credentials.get("HOST") or "127.0.0.1", credentials.get("PORT") or 5432
    return f"postgresql://{user}{password}@{host}:{port}/{database}"


@pytest.fixture(scope="module")
def standby(django_db_setup, django_db_blocker, missing_service):
    """A streaming standby of the test server, as the `replica` alias and the router, for this module."""
    from django.conf import settings

    owner = settings.VIP_DATABASE_OWNER
    host = owner.get("HOST") or ""
    if host not in LOCAL_HOSTS:
        missing_service("A local standby", f"DATABASE_URL's server ({host or 'a Unix socket'}) is not 127.0.0.1")
    if not (shutil.which("pg_basebackup") or list(Path("/usr/lib/postgresql").glob("*/bin/pg_basebackup"))):
        missing_service("A local standby", "pg_basebackup is not installed (apt-get install postgresql)")
    port = int(os.environ.get("VIP_TEST_REPLICA_PORT") or _free_port())
    data_dir = ROOT / "var" / f"replica-test-{port}"
    where = ["--port", str(port), "--data-dir", str(data_dir)]
    subprocess.run([sys.executable, SCRIPT, "stop", *where], check=False)  # noqa: S603 - a killed run left one
    started = subprocess.run(  # noqa: S603 - this interpreter, our script
        [sys.executable, SCRIPT, "start", "--primary", _server_url(owner), *where],
        capture_output=True,
        text=True,
        check=False,
    )
    if started.returncode != 0:
        missing_service("A local standby", f"scripts/replica.py start said: {started.stderr.strip()}")
    url = started.stdout.strip().splitlines()[-1]
    assert urlparse(url).port == port, started.stdout
    default = connections["default"].settings_dict  # the app role, on the primary's test database
    settings.DATABASES[REPLICA] = {  # what DATABASE_REPLICA_URL gives (vip/settings), on the test database
        **default,
        "HOST": "127.0.0.1",
        "PORT": port,
        "OPTIONS": {**default["OPTIONS"], "connect_timeout": 2},
        "TEST": {**default["TEST"], "MIRROR": "default"},  # never flushed: the primary's flush replays
    }
    routed = override_settings(DATABASE_ROUTERS=["vip.replica.ReplicaRouter"], VIP_REPLICA_CHECK_SECONDS=0)
    routed.enable()
    try:
        yield {"port": port, "superuser": f"postgresql://postgres@127.0.0.1:{port}/{default['NAME']}"}
    finally:
        routed.disable()
        with django_db_blocker.unblock():
            connections[REPLICA].close()
        del connections[REPLICA]
        del settings.DATABASES[REPLICA]
        subprocess.run([sys.executable, SCRIPT, "stop", *where], check=False)  # noqa: S603


pytestmark = [pytest.mark.django_db(transaction=True, databases=["default", REPLICA])]


def caught_up(timeout: float = 180) -> None:
    """Wait until the standby has replayed everything the primary has written so far (the whole cluster's WAL:
    another load on the same server, a bench generating data, slows this down)."""
    with connections["default"].cursor() as cursor:
        cursor.execute("SELECT pg_current_wal_lsn()")
        target = cursor.fetchone()[0]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with connections[REPLICA].cursor() as cursor:
            cursor.execute("SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", [target])
            if cursor.fetchone()[0]:
                return
        time.sleep(0.05)
    raise AssertionError(f"The standby did not replay the primary's WAL up to {target} within {timeout} s.")


def _paused(cursor) -> bool:
    cursor.execute("SELECT pg_get_wal_replay_pause_state()")
    return cursor.fetchone()[0] == "paused"


def served(client, method: str, path: str, **kwargs):
    """The answer, and the SQL each server ran for it."""
    with CaptureQueriesContext(connections["default"]) as primary, CaptureQueriesContext(connections[REPLICA]) as rep:
        response = getattr(client, method)(path, **kwargs)
        if getattr(response, "streaming", False):  # the file is read as it is sent, after the view returned
            response.body = b"".join(response.streaming_content)
    return response, [q["sql"] for q in primary.captured_queries], [q["sql"] for q in rep.captured_queries]


def no_writes(queries: list[str]) -> bool:
    return not any(sql.lstrip().upper().startswith(WRITES) or "; INSERT" in sql for sql in queries)


def _verified(user):
    client = verified_client()  # its force_login passes the second factor and the notice
    client.force_login(user)
    return client


REPORT_PAGES = [
    ("dashboard", "/reports/dashboard/"),
    ("drill-down", "/reports/drill/state/?state=identified"),
    ("drill-down of a period", "/reports/drill/contacts/"),
    ("funnel", "/reports/funnel/"),
    ("follow-up", "/reports/follow-up/"),
    ("export form", "/reports/export/candidates.csv"),
    ("audit trail export form", "/audit/export/"),
]


@pytest.mark.parametrize(("page", "path"), REPORT_PAGES, ids=[page for page, _ in REPORT_PAGES])
def test_the_reports_read_the_standby_and_write_only_the_primary(standby, program_manager, page, path):
    make_candidate(last="Standby")
    snapshots.refresh_scheduled()  # the dashboard's stored figures, as the task keeps them
    caught_up()
    client = _verified(program_manager)
    response, primary, replica = served(client, "get", path)
    assert response.status_code == 200, response.content[:500]
    assert replica, f"the {page} read nothing from the standby"
    assert no_writes(replica)
    with connections[REPLICA].cursor() as cursor:  # the connection the view read through is the standby's
        cursor.execute("SELECT pg_is_in_recovery(), inet_server_port()")
        assert cursor.fetchone() == (True, standby["port"])
    # the page's records came from the standby; the primary answered only the sign-in and wrote the audit row
    if page == "dashboard":
        assert any("reports_figuressnapshot" in sql for sql in replica)
        assert not any("reports_figuressnapshot" in sql for sql in primary)
    if page == "export form":
        assert any("candidates_candidate" in sql for sql in replica)
    if page.startswith("drill-down"):  # a list of people: its read row (vip/audit/middleware.py), on the primary
        assert any("notifications_delivery" in sql for sql in replica)
        assert any(sql.startswith("INSERT") and "vip_auditevent" in sql for sql in primary)


def test_the_transparency_report_is_read_from_the_standby(standby):
    make_candidate(last="Public")
    caught_up()
    for path in ("/reports/transparency/", "/reports/transparency.json"):
        response, primary, replica = served(Client(), "get", path)
        assert response.status_code == 200
        assert replica and no_writes(replica)
        assert not any("notifications_delivery" in sql for sql in primary)


def test_an_export_reads_the_standby_then_the_primary_after_its_audit_row(standby, program_manager):
    make_candidate(last="Exported")
    caught_up()
    client = _verified(program_manager)
    response, primary, replica = served(
        client, "post", "/reports/export/candidates.csv", data={"reason": "Quarterly inspection by the board"}
    )
    assert response.status_code == 200
    assert b"Exported" in response.body
    assert any("candidates_candidate" in sql for sql in replica)  # which rows leave: read from the standby
    assert no_writes(replica)
    audit_row = next(i for i, sql in enumerate(primary) if sql.startswith("INSERT") and "vip_auditevent" in sql)
    # after the write, the request reads the primary (a write followed by a read never reads the standby)
    assert any("candidates_candidate" in sql for sql in primary[audit_row + 1 :])
    assert AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT, actor=program_manager).count() == 1


def test_a_user_reads_their_own_write_for_the_sticky_seconds_and_others_read_the_standby(
    standby, le_lead, program_manager
):
    import psycopg2

    make_candidate(last="Before")
    caught_up()
    export_form = "/reports/export/candidates.csv"
    writer_page, other_page = _verified(le_lead), _verified(program_manager)
    tablet = Client(HTTP_AUTHORIZATION=f"Token {ApiToken.objects.create(user=le_lead).key}")  # no cookie
    superuser = psycopg2.connect(standby["superuser"])
    superuser.autocommit = True
    with superuser.cursor() as cursor:
        cursor.execute("SELECT pg_wal_replay_pause()")  # the standby stays behind: the new person is not there
        while not _paused(cursor):
            time.sleep(0.02)
    try:
        with override_settings(VIP_REPLICA_STICKY_SECONDS=2):
            created = tablet.post("/api/candidates/", NEW_PERSON, content_type="application/json")
            assert created.status_code == 201, created.content
            assert Candidate.objects.count() == 2

            response, _, replica = served(writer_page, "get", export_form)
            assert replica == [], "the user who just wrote read the standby"
            assert response.context["count"] == 2  # their own write, from the primary

            response, _, replica = served(other_page, "get", export_form)
            assert replica and no_writes(replica)
            assert response.context["count"] == 1  # another user reads the standby, still behind

            time.sleep(2.1)
            response, _, replica = served(writer_page, "get", export_form)
            assert replica, "after the sticky seconds the writer reads the standby again"
            assert response.context["count"] == 1
    finally:
        with superuser.cursor() as cursor:
            cursor.execute("SELECT pg_wal_replay_resume()")
        superuser.close()
    caught_up()
    response, _, replica = served(other_page, "get", export_form)
    assert replica and response.context["count"] == 2


def test_inside_a_report_a_write_or_a_transaction_sends_the_reads_to_the_primary(standby, program_manager):
    seen = {}

    @reads_replica
    def view(request):
        seen["first"] = router.db_for_read(Candidate)
        with transaction.atomic():
            seen["in a transaction"] = router.db_for_read(Candidate)
        seen["written to"] = router.db_for_write(AuditEvent)
        seen["after the write"] = router.db_for_read(Candidate)
        return None

    request = RequestFactory().get("/reports/dashboard/")
    request.user = program_manager
    view(request)
    assert seen == {
        "first": REPLICA,
        "in a transaction": "default",
        "written to": "default",
        "after the write": "default",
    }
    assert router.db_for_read(Candidate) == "default"  # outside the reports: the primary


def test_the_figures_task_stays_on_the_primary(standby):
    make_candidate(last="Task")
    with CaptureQueriesContext(connections[REPLICA]) as replica:
        snapshots.refresh_scheduled()
    assert replica.captured_queries == []


def test_an_unreachable_standby_leaves_the_reports_on_the_primary(standby, program_manager):
    client = _verified(program_manager)
    replica = connections[REPLICA]
    replica.close()
    port = replica.settings_dict["PORT"]
    replica.settings_dict["PORT"] = _free_port(0)  # nobody listens there
    sent_to_replica = []

    def record(execute, sql, params, many, context):  # CaptureQueriesContext would connect to it first
        sent_to_replica.append(sql)
        return execute(sql, params, many, context)

    try:
        with replica.execute_wrapper(record), CaptureQueriesContext(connections["default"]) as primary:
            response = client.get("/reports/dashboard/")
    finally:
        replica.close()
        replica.settings_dict["PORT"] = port
    assert response.status_code == 200
    assert sent_to_replica == []
    assert any("reports_figuressnapshot" in query["sql"] for query in primary.captured_queries)
