"""Serve the product with gunicorn on the bench database and measure each endpoint with wrk.

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/vip_benchdata python -m bench.run --duration 20

Every endpoint is driven by wrk (a second process, written in C, so the driver takes little of the CPU the
server needs) at a steady concurrency of 4 for `--duration` seconds after a short warm-up, signed in as the
persona who uses the page (a session cookie from `bench.auth.make_session`, or a DRF token for /api/).
Each row is compared with the targets: p95 under 150 ms, and p95 at most 5x the floor's p95 (the floor is
`/healthz/auth`, a signed-in page that does nothing, measured in the same run). An answer other than the
expected status (a 302 to the sign-in page, a 404 for a route this branch lacks, a 500) fails the row
whatever its speed. The reminder sweep is timed in a subprocess (`bench.sweep`).
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from bench import mixed as mx
from bench.generate import setup_django
from bench.mixed import plan_mixed

ROOT = Path(__file__).resolve().parent.parent
TARGET_P95_MS = 150.0
TARGET_FLOOR_FACTOR = 5.0
TARGET_AUDIT_VIEWER_P95_MS = 100.0  # the audit viewer's searches at 20 M rows (issue 21 part 4)
AUDIT_VIEWER_SEARCHES = 20  # people, users and weeks searched for in the audit viewer, drawn by the seeded generator
SEARCHED_PEOPLE = 100  # misspelt names searched for, drawn by the seeded generator
SWEEP_TARGET_S = 10.0
REQUEST_TIMEOUT_S = int(os.environ.get("BENCH_REQUEST_TIMEOUT", "30"))  # a slower answer counts as a timeout
SWEEP_TIMEOUT_S = int(os.environ.get("BENCH_SWEEP_TIMEOUT", "600"))


@dataclass
class Endpoint:
    name: str
    method: str
    paths: list[str]
    headers: dict[str, str]
    expect: tuple[int, ...] = (200,)
    body: str | None = None
    once: bool = False  # each path is used once (a transition cannot be applied twice)
    persona: str = ""
    result: dict = field(default_factory=dict)
    queries: int | None = None  # of the request right after a change (nothing kept): what computing it takes
    alone_ms: float | None = None  # one request in-process, nothing else running: what a person waits at best
    fresh_ms: float | None = None  # the same, right after a change of the data: nothing kept (`kept`) to serve
    floor_beside: float | None = None  # the floor's p95 measured right before and right after it (their mean)
    audit_rows: int | None = None  # audit rows the fresh request wrote (INSERTs into the trail): one per read
    audit_ms: float | None = None  # what those INSERTs took, by the database's clock as Django saw it
    audit_per_request: float | None = None  # under load: rows added to the trail per answered request
    target_p95: float = TARGET_P95_MS


# --- what is measured -----------------------------------------------------------------------------------


def misspell(word: str, rnd: random.Random) -> str:
    """A typo a person makes: two letters swapped, one dropped, or one doubled."""
    if len(word) < 4:
        return word + word[-1]
    i = rnd.randint(1, len(word) - 3)
    kind = rnd.choice(("swap", "drop", "double"))
    if kind == "swap":
        return word[:i] + word[i + 1] + word[i] + word[i + 2 :]
    if kind == "drop":
        return word[:i] + word[i + 1 :]
    return word[:i] + word[i] + word[i:]


def plan(rnd: random.Random) -> list[Endpoint]:
    """The endpoints, signed in as who uses each. Reads the bench database for ids and names."""
    from urllib.parse import quote

    from django.conf import settings
    from django.contrib.auth.models import User
    from django.db.models import Count

    from bench.auth import make_session, make_token
    from candidates.models import Candidate
    from notifications.models import Delivery

    try:
        lead = User.objects.get(username="bench_lead")
        manager = User.objects.get(username="bench_manager")
        officer = User.objects.get(username="bench_officer")
    except User.DoesNotExist:
        sys.exit("The bench personas are missing: fill the database with `python -m bench.generate` first.")
    cookie = settings.SESSION_COOKIE_NAME

    def session(user):
        return {"Cookie": f"{cookie}={make_session(user)}"}

    def token(user):
        return {"Authorization": f"Token {make_token(user)}", "Accept": "application/json"}

    lead_s, manager_s, officer_s = session(lead), session(manager), session(officer)
    lead_t, officer_t = token(lead), token(officer)

    # People are drawn by the seeded generator, so two runs on the same data search for the same names: a common
    # first name ("david") costs three times a rare one, and a draw that differs each run moved the search rows'
    # p95 by a third from one run to the next. A hundred names, so that the draw holds common and rare ones alike.
    unsealed = list(Candidate.objects.unsealed().order_by("pk").values_list("pk", flat=True))
    drawn = rnd.sample(unsealed, min(SEARCHED_PEOPLE, len(unsealed)))
    names = {
        pk: (first, last)
        for pk, first, last in Candidate.objects.filter(pk__in=drawn).values_list("pk", "first_name", "last_name")
    }
    queries = [quote(f"{names[pk][0]} {misspell(names[pk][1], rnd)}".lower()) for pk in drawn]
    # Candidate pages: people with the most CNs (the heaviest pages), and some drawn at random.
    heavy = Candidate.objects.unsealed().annotate(n=Count("deliveries")).order_by("-n").values_list("pk", flat=True)
    candidate_ids = list(heavy[:20]) + rnd.sample(unsealed, min(30, len(unsealed)))
    # Each refusal is recorded once, on a CN waiting at the door (ecc_advised), by the LE Lead.
    pool = list(
        Delivery.objects.filter(state="ecc_advised", candidate__sealed_at__isnull=True)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    # The refusals of the per-endpoint row take the first half of the CNs at the door; the mixed phase shares
    # out the second half (bench.mixed).
    pool = pool[: len(pool) // 2]
    by_person, by_user, by_period = audit_viewer_searches(rnd, unsealed)
    return [
        Endpoint("floor /healthz/auth", "GET", ["/healthz/auth"], lead_s, persona="LE Lead"),
        Endpoint("LE Lead's board /cn/board/", "GET", ["/cn/board/"], lead_s, persona="LE Lead"),
        Endpoint(
            "search (misspelt) /candidates/?q=", "GET", [f"/candidates/?q={q}" for q in queries], lead_s,
            persona="LE Lead",
        ),
        Endpoint(
            "search API /api/candidates/?q=", "GET", [f"/api/candidates/?q={q}" for q in queries], lead_t,
            persona="LE Lead (token)",
        ),
        Endpoint(
            "candidate page /candidates/<id>/", "GET", [f"/candidates/{pk}/" for pk in candidate_ids], lead_s,
            persona="LE Lead",
        ),
        Endpoint("PM dashboard /reports/dashboard/", "GET", ["/reports/dashboard/"], manager_s, persona="Program Manager"),
        Endpoint("officer's tablet /tablet/", "GET", ["/tablet/"], officer_s, persona="officer"),
        Endpoint("officer's CNs /cn/mine/", "GET", ["/cn/mine/"], officer_s, persona="officer"),
        Endpoint(
            "API list /api/deliveries/?page=2", "GET", ["/api/deliveries/?page=2"], lead_t, persona="LE Lead (token)"
        ),
        Endpoint(
            "officer API list /api/deliveries/?mine=1", "GET", ["/api/deliveries/?mine=1"], officer_t,
            persona="officer (token)",
        ),
        Endpoint(
            "tablet POST record-refusal", "POST", [f"/api/deliveries/{pk}/record-refusal/" for pk in pool],
            {**lead_t, "Content-Type": "application/json"}, expect=(200, 201), once=True,
            body=json.dumps({"note": "Asked the team to leave (bench)."}), persona="LE Lead (token)",
        ),
        Endpoint(
            "audit viewer by person", "GET", by_person, manager_s, persona="Program Manager",
            target_p95=TARGET_AUDIT_VIEWER_P95_MS,
        ),
        Endpoint(
            "audit viewer by user", "GET", by_user, manager_s, persona="Program Manager",
            target_p95=TARGET_AUDIT_VIEWER_P95_MS,
        ),
        Endpoint(
            "audit viewer by period (a week)", "GET", by_period, manager_s, persona="Program Manager",
            target_p95=TARGET_AUDIT_VIEWER_P95_MS,
        ),
    ]  # fmt: skip


def audit_viewer_searches(rnd: random.Random, unsealed: list[int]) -> tuple[list[str], list[str], list[str]]:
    """The audit viewer's three searches (vip/audit/views.py's filters): by person (a candidate's rows), by user
    (`actor`, a user name), by period (a week inside the generated trail's range), each drawn by `rnd`."""
    from urllib.parse import urlencode

    from django.contrib.auth.models import User
    from django.db import connection

    people = rnd.sample(unsealed, min(AUDIT_VIEWER_SEARCHES, len(unsealed)))
    by_person = [f"/audit/?{urlencode({'object_type': 'candidates.Candidate', 'object_id': pk})}" for pk in people]
    names = sorted(User.objects.filter(is_active=True).values_list("username", flat=True))
    users = rnd.sample(names, min(AUDIT_VIEWER_SEARCHES, len(names)))
    by_user = [f"/audit/?{urlencode({'actor': name})}" for name in users]
    with connection.cursor() as cursor:  # the trail's first and last day (two index reads, not a scan)
        cursor.execute("SELECT min(at)::date, max(at)::date FROM vip_auditevent")
        first, last = cursor.fetchone()
    by_period = []
    if first and last:
        span = max(0, (last - first).days - 7)
        for _ in range(AUDIT_VIEWER_SEARCHES):
            start = first + dt.timedelta(days=rnd.randint(0, span))
            end = start + dt.timedelta(days=6)
            by_period.append(f"/audit/?{urlencode({'date_from': start.isoformat(), 'date_to': end.isoformat()})}")
    return by_person, by_user, by_period or ["/audit/"]


def count_queries(endpoints: list[Endpoint]) -> None:
    """Each GET endpoint alone, in-process with Django's test client: the median of three requests after a
    warm-up (`alone_ms`), then one right after a change of the data, when nothing kept can serve it
    (`fresh_ms`), whose queries are counted."""
    import logging
    import statistics

    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from vip.kept import cn_data_changed
    from vip.server_timing import timed_audit_inserts

    logging.getLogger("django.request").setLevel(logging.ERROR)  # a 404 is in the table, not on the console
    Client().get("/healthz")  # the first request of a process loads the URLconf: not any endpoint's cost
    for endpoint in endpoints:
        if endpoint.method != "GET":
            continue
        extra = {f"HTTP_{k.upper().replace('-', '_')}": v for k, v in endpoint.headers.items() if k != "Cookie"}
        client = Client(**extra)
        if "Cookie" in endpoint.headers:
            name, value = endpoint.headers["Cookie"].split("=", 1)
            client.cookies[name] = value
        path = endpoint.paths[0]
        try:
            client.get(path)  # warm-up
            times = []
            for _ in range(3):
                started = time.monotonic()
                client.get(path)
                times.append((time.monotonic() - started) * 1000)
            endpoint.alone_ms = round(statistics.median(times), 1)
            cn_data_changed()
            audit_inserts: list[float] = []
            started = time.monotonic()
            with (
                CaptureQueriesContext(connection) as ctx,
                connection.execute_wrapper(timed_audit_inserts(audit_inserts)),
            ):
                client.get(path)
            endpoint.fresh_ms = round((time.monotonic() - started) * 1000, 1)
            endpoint.queries = len(ctx.captured_queries)
            # The read's audit row (vip/audit/middleware.py): one INSERT per request that shows people (issue 17).
            endpoint.audit_rows = len(audit_inserts)
            endpoint.audit_ms = round(sum(audit_inserts) * 1000, 2)
        except Exception as error:  # a page that crashes is reported by the load run as a 500
            print(f"  (could not count queries of {endpoint.name}: {error.__class__.__name__})", file=sys.stderr)


# --- wrk ------------------------------------------------------------------------------------------------

LUA = r"""
local paths = {%(paths)s}
local method = "%(method)s"
local body = %(body)s
local once = %(once)s
local headers = {%(headers)s}
local threads = {}
local i = 0
codes = {}
answered = 0

function setup(thread)
  table.insert(threads, thread)
end

function request()
  i = i + 1
  local path = paths[((i - 1) %% #paths) + 1]
  return wrk.format(method, path, headers, body)
end

function response(status, hdrs, b)
  local key = tostring(status)
  codes[key] = (codes[key] or 0) + 1
  answered = answered + 1
  if once and answered >= #paths then
    wrk.thread:stop()
  end
end

function done(summary, latency, requests)
  local merged = {}
  for _, thread in ipairs(threads) do
    local c = thread:get("codes")
    for k, v in pairs(c) do
      merged[k] = (merged[k] or 0) + v
    end
  end
  local parts = {}
  for k, v in pairs(merged) do
    table.insert(parts, string.format('"%%s": %%d', k, v))
  end
  local e = summary.errors
  io.write(string.format(
    'BENCHJSON {"requests": %%d, "duration_us": %%d, "errors": %%d, "timeouts": %%d, "p50_us": %%d, ' ..
    '"p95_us": %%d, "p99_us": %%d, "mean_us": %%f, "max_us": %%d, "codes": {%%s}}\n',
    summary.requests, summary.duration, e.connect + e.read + e.write, e.timeout,
    latency:percentile(50), latency:percentile(95), latency:percentile(99), latency.mean, latency.max,
    table.concat(parts, ", ")))
end
"""


def lua_string(value: str) -> str:
    return json.dumps(value)  # a JSON string literal is a valid Lua string literal for this ASCII content


def wrk_script(endpoint: Endpoint, folder: Path) -> Path:
    script = LUA % {
        "paths": ", ".join(lua_string(p) for p in endpoint.paths),
        "method": endpoint.method,
        "body": lua_string(endpoint.body) if endpoint.body is not None else "nil",
        "once": "true" if endpoint.once else "false",
        "headers": ", ".join(f"[{lua_string(k)}] = {lua_string(v)}" for k, v in endpoint.headers.items()),
    }
    path = folder / f"{abs(hash(endpoint.name))}.lua"
    path.write_text(script)
    return path


def run_wrk(base: str, endpoint: Endpoint, script: Path, seconds: int, concurrency: int) -> dict:
    command = [
        "wrk", "-t1", f"-c{concurrency}", f"-d{seconds}s", "--timeout", f"{REQUEST_TIMEOUT_S}s", "-s", str(script),
        base,
    ]  # fmt: skip
    done = subprocess.run(command, capture_output=True, text=True, timeout=seconds + REQUEST_TIMEOUT_S + 60)
    for line in done.stdout.splitlines():
        if line.startswith("BENCHJSON "):
            return json.loads(line[len("BENCHJSON ") :])
    raise RuntimeError(f"wrk gave no result for {endpoint.name}: {done.stdout[-500:]} {done.stderr[-500:]}")


def summarise(endpoint: Endpoint, raw: dict, seconds: int, concurrency: int) -> dict:
    requests = raw["requests"]
    mean_s = raw["mean_us"] / 1e6 if raw["mean_us"] else 0
    rps = requests / (raw["duration_us"] / 1e6) if raw["duration_us"] else 0
    estimated = False
    if endpoint.once and requests >= len(endpoint.paths) and mean_s:
        # The pool ran out before the time did; wrk still counts the whole duration, so use Little's law.
        rps, estimated = concurrency / mean_s, True
    good = sum(v for k, v in raw["codes"].items() if int(k) in endpoint.expect)
    return {
        "requests": requests,
        "rps": round(rps, 1),
        "rps_estimated": estimated,
        "p50_ms": round(raw["p50_us"] / 1000, 1),
        "p95_ms": round(raw["p95_us"] / 1000, 1),
        "p99_ms": round(raw["p99_us"] / 1000, 1),
        "codes": raw["codes"],
        "errors": raw["errors"],
        "timeouts": raw["timeouts"],
        "ok_share": good / (requests + raw["timeouts"]) if requests else 0.0,
        "pool": len(endpoint.paths) if endpoint.once else None,
    }


def warm_up(base: str, endpoint: Endpoint, seconds: float, concurrency: int) -> None:
    """Requests from `concurrency` clients for about `seconds`, each waited for to the end, so that every worker
    has served the page once (imports, templates, connections) and none is still busy when the measure starts."""
    import threading

    deadline = time.monotonic() + seconds

    def client(n: int) -> None:
        i = n
        while True:
            request = urllib.request.Request(base + endpoint.paths[i % len(endpoint.paths)], headers=endpoint.headers)
            with contextlib.suppress(OSError):  # a 404 or 500 is the measure's business
                urllib.request.urlopen(request, timeout=REQUEST_TIMEOUT_S * 4).read()  # noqa: S310
            i += concurrency
            if time.monotonic() >= deadline:
                return

    threads = [threading.Thread(target=client, args=(n,)) for n in range(concurrency)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


# --- the server -----------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_gunicorn(port: int, workers: int, log: Path, extra_env: dict[str, str] | None = None) -> subprocess.Popen:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "vip.settings",
        "DEBUG": "0",
        "LOG_LEVEL": "ERROR",  # a 404 of a route this branch lacks is a result, not noise
        **(extra_env or {}),
    }
    gunicorn = str(Path(sys.executable).with_name("gunicorn"))
    command = [
        gunicorn, "vip.wsgi:application", "--bind", f"127.0.0.1:{port}", "--workers", str(workers),
        "--worker-class", "sync", "--timeout", str(REQUEST_TIMEOUT_S * 4), "--log-level", "warning",
    ]  # fmt: skip
    with open(log, "a") as output:  # Django's request warnings (404s) go to the log, not the report
        server = subprocess.Popen(
            command, cwd=ROOT, env=env, start_new_session=True, stdout=output, stderr=subprocess.STDOUT
        )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as answer:  # noqa: S310
                if answer.status == 200:
                    return server
        except OSError:
            time.sleep(0.3)
        if server.poll() is not None:
            break
    stop(server)
    raise SystemExit(f"gunicorn did not answer on port {port}: see {log}")


def stop(server: subprocess.Popen) -> None:
    """Stop the server we started (its own process group), without waiting for slow requests to finish."""
    if server.poll() is None:
        os.killpg(server.pid, signal.SIGINT)  # gunicorn: quick shutdown
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)


# --- verdicts and the report ----------------------------------------------------------------------------


def verdict(endpoint: Endpoint, floor_p95: float) -> tuple[str, str]:
    """PASS or FAIL and why. Each endpoint is held to the floor measured beside it (`floor_beside`) when there
    is one: this machine's speed moves by a quarter within a minute (other virtual machines on its host), and a
    floor measured minutes before would judge a row by the machine of another moment."""
    r = endpoint.result
    floor_p95 = endpoint.floor_beside or floor_p95
    target = endpoint.target_p95
    if not r:
        return "FAIL", "not measured"
    if not r["requests"] and not r.get("timeouts"):
        alone = f" (one request alone took {endpoint.alone_ms:,.0f} ms)" if endpoint.alone_ms else ""
        return "FAIL", f"no request finished within the run{alone}"
    if r.get("timeouts") and r["ok_share"] < 0.99:
        return "FAIL", f"{r['timeouts']} requests took over {REQUEST_TIMEOUT_S} s, {r['requests']} answered in time"
    if r["ok_share"] < 0.99:
        seen = ", ".join(f"{k}x{v}" for k, v in sorted(r["codes"].items()))
        return "FAIL", f"answered {seen or 'nothing'}, expected {'/'.join(map(str, endpoint.expect))}"
    reasons = []
    if r["p95_ms"] >= target:
        reasons.append(f"p95 >= {target:.0f} ms")
    if floor_p95 and r["p95_ms"] > TARGET_FLOOR_FACTOR * floor_p95:
        reasons.append(f"p95 > {TARGET_FLOOR_FACTOR:.0f}x floor ({TARGET_FLOOR_FACTOR * floor_p95:.1f} ms)")
    return ("FAIL", "; ".join(reasons)) if reasons else ("PASS", "")


def audit_high_water() -> int:
    """The newest audit row's id: the rows an endpoint's run added are the difference before and after it."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT coalesce(max(id), 0) FROM vip_auditevent")
        return cursor.fetchone()[0]


def table(endpoints: list[Endpoint], floor_p95: float) -> str:
    head = (
        f"| {'endpoint':<42} | {'req/s':>7} | {'p50 ms':>7} | {'p95 ms':>7} | {'p99 ms':>7} | {'alone ms':>8} "
        f"| {'fresh ms':>8} | {'queries':>7} | {'audit rows (ms)':>15} | {'rows/req':>8} | {'floor beside':>12} "
        "| verdict |"
    )
    widths = [44, 9, 9, 9, 9, 10, 10, 9, 17, 10, 14, 9]
    lines = [head, "|" + "|".join("-" * w for w in widths) + "|"]
    for e in endpoints:
        r = e.result
        v, why = verdict(e, floor_p95)
        rps = f"{r.get('rps', 0):.1f}{'*' if r.get('rps_estimated') else ''}"
        q = "" if e.queries is None else str(e.queries)
        alone = "" if e.alone_ms is None else f"{e.alone_ms:.0f}"
        fresh = "" if e.fresh_ms is None else f"{e.fresh_ms:.0f}"
        beside = "" if e.floor_beside is None else f"{e.floor_beside:.1f}"
        rows = "" if e.audit_rows is None else f"{e.audit_rows} ({e.audit_ms:.2f})"
        per = "" if e.audit_per_request is None else f"{e.audit_per_request:.2f}"
        lines.append(
            f"| {e.name:<42} | {rps:>7} | {r.get('p50_ms', 0):>7.1f} | {r.get('p95_ms', 0):>7.1f} | "
            f"{r.get('p99_ms', 0):>7.1f} | {alone:>8} | {fresh:>8} | {q:>7} | {rows:>15} | {per:>8} | {beside:>12} | "
            f"{v}{': ' + why if why else ''} |"
        )
    return "\n".join(lines)


def run_mixed_phase(plan, endpoints: list[Endpoint], seconds: int, workers: int, out: Path) -> dict:
    """The mixed phase (bench/mixed.py): a server of its own with VIP_SERVER_TIMING=1, every GET warmed up, then
    one wrk run of the drawn sequence at a concurrency of 8; beside it, when a standby can be started, the
    dashboard served from the replica by a second server (`replica`)."""
    from django.db import connections

    print(f"  mixed phase: {seconds} s at concurrency {mx.THREADS}, {len(plan.kinds)} kinds")
    timing = {"VIP_SERVER_TIMING": "1"}
    port = free_port()
    server = start_gunicorn(port, workers, out / "gunicorn.log", timing)
    base = f"http://127.0.0.1:{port}"
    folder = Path(tempfile.mkdtemp(prefix="vip-wrk-mixed-"))
    replica = {"name": "PM dashboard on the replica /reports/dashboard/", "verdict": "-"}
    why_not = mx.replica_unavailable()
    replica_server = replica_wrk = None
    started_standby = False
    try:
        for endpoint in endpoints:
            if endpoint.method == "GET" and not endpoint.name.startswith("audit viewer"):  # the mix's GETs
                warm_up(base, endpoint, 1, 4)
        script = folder / "mixed.lua"
        script.write_text(mx.lua_script(plan))
        dashboard = next((e for e in endpoints if e.name.startswith("PM dashboard")), None)
        if why_not is None and dashboard is not None:
            try:
                from django.conf import settings

                db = settings.DATABASES["default"]
                primary = os.environ["DATABASE_URL"].rsplit("/", 1)[0] + "/postgres"
                started_standby = True
                standby = mx.replica_start(primary, db["NAME"])
                replica_port = free_port()
                replica_server = start_gunicorn(
                    replica_port, 2, out / "gunicorn-replica.log", {**timing, "DATABASE_REPLICA_URL": standby}
                )
                replica_base = f"http://127.0.0.1:{replica_port}"
                warm_up(replica_base, dashboard, 1, 2)
                replica_wrk = subprocess.Popen(
                    ["wrk", "-t1", "-c2", f"-d{seconds}s", f"--timeout={REQUEST_TIMEOUT_S}s", "-s",
                     str(wrk_script(dashboard, folder)), replica_base],
                    stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                )  # fmt: skip
            except Exception as error:  # the row says why; the mixed phase is measured all the same
                why_not = f"not measured: {error.__class__.__name__}: {str(error)[-300:]}"
        before_rows = audit_high_water()
        connections.close_all()  # the measuring process holds no connection while the server is measured
        raw = mx.run_wrk(base, script, seconds, REQUEST_TIMEOUT_S)
        audit_rows = audit_high_water() - before_rows  # what the trail grew by: reads, exports, change rows
        mx.summarise(plan, raw)
        if replica_wrk is not None:
            stdout, _ = replica_wrk.communicate(timeout=seconds + REQUEST_TIMEOUT_S + 60)
            result = next(
                (
                    json.loads(line[len("BENCHJSON ") :])
                    for line in stdout.splitlines()
                    if line.startswith("BENCHJSON ")
                ),
                None,
            )
            if result is None:
                why_not = "not measured: wrk gave no result for the replica"
            else:
                replica.update(summarise(dashboard, result, seconds, 2))
    finally:
        stop(server)
        if replica_server is not None:
            stop(replica_server)
        if started_standby:
            mx.replica_stop()
        shutil.rmtree(folder, ignore_errors=True)
        connections.close_all()
    floor = next(k for k in plan.kinds if k.group == "floor")
    floor_p95 = floor.result.get("p95_ms", 0.0)
    if why_not:
        replica["not_measured"] = why_not
    elif replica.get("requests") is not None:
        bad = replica["ok_share"] < 0.99
        slow = replica["p95_ms"] >= TARGET_P95_MS or replica["p95_ms"] > TARGET_FLOOR_FACTOR * floor_p95
        replica["verdict"] = "FAIL" if (bad or slow) else "PASS"
    return {
        "plan": plan,
        "concurrency": mx.THREADS,
        "duration_s": seconds,
        "requests": raw["requests"],
        "rps": round(raw["requests"] / seconds, 1),
        "audit_rows_per_s": round(audit_rows / seconds, 1),
        "errors": raw["errors"],
        "timeouts": raw["timeouts"],
        "floor_p95_ms": floor_p95,
        "kinds": mx.results(plan, floor_p95, TARGET_P95_MS, TARGET_FLOOR_FACTOR),
        "replica": replica,
    }


def mixed_report(mixed: dict, seconds: int) -> list[str]:
    plan = mixed["plan"]
    replica = mixed["replica"]
    if replica.get("not_measured"):
        replica_line = f"{replica['name']}: {replica['not_measured']}"
    else:
        replica_line = (
            f"{replica['name']}, beside the mixed phase: {replica.get('rps', 0)} req/s at concurrency 2, "
            f"p50 {replica.get('p50_ms')} ms, p95 {replica.get('p95_ms')} ms, p99 {replica.get('p99_ms')} ms, "
            f"codes {replica.get('codes')}: {replica['verdict']}"
        )
    return [
        "",
        f"Mixed phase: {seconds} s at concurrency {mixed['concurrency']} (wrk -t8 -c8), {mixed['requests']} answers "
        f"({mixed['rps']} req/s; the audit trail grew by {mixed['audit_rows_per_s']} rows/s), "
        f"{mixed['errors']} socket errors, {mixed['timeouts']} timeouts; the floor measured in it: p95 "
        f"{mixed['floor_p95_ms']} ms. Targets: p95 < {TARGET_P95_MS:.0f} ms, <= {TARGET_FLOOR_FACTOR:.0f}x that "
        f"floor, cold p95 < {TARGET_P95_MS:.0f} ms, no unexpected answer.",
        "cold: answered with a kept page computed afresh (Server-Timing kept;desc=miss, right after a write) or "
        "with nothing kept (none: the searches, the candidate page); audit share: the time in INSERTs into the "
        "audit trail over the request's time in Django; 409 races: the answers of the two race kinds' losing "
        "request, counted apart.",
        "",
        mx.table(plan, mixed["floor_p95_ms"], TARGET_P95_MS, TARGET_FLOOR_FACTOR),
        "",
        replica_line,
        "",
    ]


def run_sweep() -> list[dict]:
    """The sweep twice, each in a fresh process: first over the backlog the generated data holds (every
    overdue CN reminded at once), then again at once (the steady state: nothing new is due, every open CN
    is still looked at). Each pass is stopped after BENCH_SWEEP_TIMEOUT seconds."""
    passes = []
    for label in ("first sweep (backlog)", "second sweep (steady state)"):
        try:
            done = subprocess.run(
                [sys.executable, "-m", "bench.sweep"], cwd=ROOT, capture_output=True, text=True, timeout=SWEEP_TIMEOUT_S
            )
        except subprocess.TimeoutExpired:
            passes.append({"available": True, "label": label, "timed_out": True})
            continue
        result = {"available": False, "error": (done.stderr or done.stdout)[-800:]}
        for line in done.stdout.splitlines():
            if line.startswith("SWEEPJSON "):
                result = json.loads(line[len("SWEEPJSON ") :])
        result["label"] = label
        passes.append(result)
        if not result.get("available"):
            break
    return passes


def sweep_lines(passes: list[dict]) -> list[str]:
    lines = []
    for sweep in passes:
        if not sweep.get("available"):
            why = (sweep.get("error") or "notifications.reminders.reminders_sweep is not in this branch").strip()
            lines.append(f"reminder sweep: not available ({why.splitlines()[-1] if why else 'unknown'})")
        elif sweep.get("timed_out"):
            lines.append(
                f"reminder {sweep['label']}: FAIL: did not finish in {SWEEP_TIMEOUT_S} s (target < {SWEEP_TARGET_S:.0f} s)"
            )
        else:
            ok = sweep["seconds"] < SWEEP_TARGET_S
            lines.append(
                f"reminder {sweep['label']} over {sweep['open_cns']:,} open CNs: {sweep['seconds']:.2f} s "
                f"({'PASS' if ok else 'FAIL'}: target < {SWEEP_TARGET_S:.0f} s); peak RSS {sweep['peak_rss_mb']:.0f} MB, "
                f"{sweep['rss_growth_mb']:+.1f} MB during the sweep; {sweep.get('result', '')}"
            )
    return lines


def machine() -> dict:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        pg = cursor.fetchone()[0]
        cursor.execute("SELECT count(*) FROM candidates_candidate")
        candidates = cursor.fetchone()[0]
        cursor.execute("SELECT count(*) FROM notifications_delivery")
        deliveries = cursor.fetchone()[0]
        # the planner's estimate, summed over the trail's monthly partitions (a partitioned parent has none)
        cursor.execute(
            "SELECT coalesce(sum(greatest(c.reltuples, 0)), 0)::bigint FROM pg_inherits i "
            "JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = 'vip_auditevent'::regclass"
        )
        audit = cursor.fetchone()[0]
    memory_kb = 0
    with open("/proc/meminfo") as meminfo:
        for line in meminfo:
            if line.startswith("MemTotal:"):
                memory_kb = int(line.split()[1])
    return {
        "nproc": os.cpu_count(),
        "memory_gb": round(memory_kb / 1024 / 1024, 1),
        "postgresql": pg,
        "python": sys.version.split()[0],
        "load_average": os.getloadavg(),
        "candidates": candidates,
        "deliveries": deliveries,
        "audit_rows": audit,
    }


def main(argv: list[str] | None = None) -> int:
    sys.stdout.reconfigure(line_buffering=True)  # progress lines show as they come, even piped to a file
    parser = argparse.ArgumentParser(description="Measure the product's endpoints on the bench database.")
    parser.add_argument("--duration", type=int, default=int(os.environ.get("BENCH_DURATION", "20")))
    parser.add_argument("--warmup", type=int, default=int(os.environ.get("BENCH_WARMUP", "3")))
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--workers", type=int, default=int(os.environ.get("BENCH_WORKERS", "4")))
    parser.add_argument(
        "--only", default="", help="measure only the endpoints whose name contains one of these (comma-separated)"
    )
    parser.add_argument("--no-sweep", action="store_true")
    parser.add_argument("--no-mixed", action="store_true", help="skip the mixed phase of reads and writes")
    parser.add_argument(
        "--mixed-duration", type=int, default=int(os.environ.get("BENCH_MIXED_DURATION", "0")),
        help="seconds of the mixed phase (default: three times --duration)",
    )  # fmt: skip
    parser.add_argument("--out", default=str(ROOT / "var" / "bench"))
    args = parser.parse_args(argv)
    if not shutil.which("wrk"):
        sys.exit("wrk is not installed: apt-get install -y wrk")
    setup_django()
    from django.db import connections

    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    endpoints = plan(random.Random(2064))
    mixed_duration = args.mixed_duration or 3 * args.duration
    mixed_plan = None if args.no_mixed else plan_mixed(random.Random(2064), endpoints, mixed_duration)
    if args.only:
        wanted = [w.strip() for w in args.only.split(",") if w.strip()]
        endpoints = [e for e in endpoints if e.name.startswith("floor") or any(w in e.name for w in wanted)]
    count_queries(endpoints)
    info = machine()
    connections.close_all()
    print(
        f"bench data: {info['candidates']:,} candidates, {info['deliveries']:,} CNs, ~{info['audit_rows']:,} audit rows; "
        f"{info['nproc']} CPUs, {info['memory_gb']} GB, PostgreSQL {info['postgresql']}"
    )

    port = free_port()
    server = start_gunicorn(port, args.workers, out / "gunicorn.log")
    base = f"http://127.0.0.1:{port}"
    folder = Path(tempfile.mkdtemp(prefix="vip-wrk-"))
    floor, floors_beside = endpoints[0], []
    floor_slice_s = max(5, args.duration // 4)
    try:
        for endpoint in endpoints:
            script = wrk_script(endpoint, folder)
            if args.warmup and not endpoint.once and endpoint.method == "GET":
                warm_up(base, endpoint, args.warmup, args.concurrency)
            before_rows = audit_high_water()
            raw = run_wrk(base, endpoint, script, args.duration, args.concurrency)
            endpoint.result = summarise(endpoint, raw, args.duration, args.concurrency)
            r = endpoint.result
            if r["requests"]:  # other writers (a transition's change rows) count too: what the trail grew by
                endpoint.audit_per_request = (audit_high_water() - before_rows) / r["requests"]
            connections.close_all()  # the measuring process holds no connection while the server is measured
            late = f", {r['timeouts']} timeouts" if r["timeouts"] else ""
            print(
                f"  {endpoint.name}: {r['rps']} req/s, p50 {r['p50_ms']} ms, p95 {r['p95_ms']} ms, "
                f"codes {r['codes']}{late}"
            )
            if r["timeouts"] or r["p99_ms"] > 2000:
                # Slow requests wrk gave up on are still running in the workers: start afresh so they do not
                # slow the next endpoint's measure.
                stop(server)
                server = start_gunicorn(port, args.workers, out / "gunicorn.log")
            if endpoint is not floor:
                # The floor again, right after: the endpoint is held to the mean of the floors either side of it.
                before = floors_beside[-1] if floors_beside else floor.result["p95_ms"]
                raw = run_wrk(base, floor, wrk_script(floor, folder), floor_slice_s, args.concurrency)
                floors_beside.append(summarise(floor, raw, floor_slice_s, args.concurrency)["p95_ms"])
                endpoint.floor_beside = round((before + floors_beside[-1]) / 2, 1)
    finally:
        stop(server)
        shutil.rmtree(folder, ignore_errors=True)

    mixed = run_mixed_phase(mixed_plan, endpoints, mixed_duration, args.workers, out) if mixed_plan else None
    floor_p95 = endpoints[0].result.get("p95_ms", 0.0)
    report = [
        f"Benchmark {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}: concurrency {args.concurrency}, {args.duration} s per endpoint, "
        f"gunicorn {args.workers} sync workers, DEBUG off",
        f"Targets: p95 < {TARGET_P95_MS:.0f} ms and p95 <= {TARGET_FLOOR_FACTOR:.0f}x the floor's p95 ({floor_p95} ms over "
        f"{args.duration} s first; each endpoint is held to the floor beside it, the mean p95 of the {floor_slice_s} s "
        "floors measured right before and right after it: "
        f"{', '.join(f'{p:.1f}' for p in floors_beside) or 'none'} ms).",
        "* = requests/s from Little's law (the pool of CNs ran out before the time).",
        "audit rows (ms): the INSERTs into the audit trail of one fresh request, and their time (issue 17: one "
        "row per answer that shows people); rows/req: the rows the trail grew by per request under load.",
        "",
        table(endpoints, floor_p95),
        "",
    ]
    if mixed:
        report += mixed_report(mixed, mixed_duration)
    sweep = [{"available": False, "error": "skipped (--no-sweep)"}] if args.no_sweep else run_sweep()
    report += sweep_lines(sweep)
    text = "\n".join(report)
    print()
    print(text)
    stamp = time.strftime("%Y%m%d-%H%M%S", time.gmtime())
    results = {
        "machine": info,
        "duration_s": args.duration,
        "concurrency": args.concurrency,
        "workers": args.workers,
        "floor_p95_ms": floor_p95,
        "floors_beside_p95_ms": floors_beside,
        "endpoints": [
            {
                "name": e.name,
                "persona": e.persona,
                "queries": e.queries,
                "alone_ms": e.alone_ms,
                "fresh_ms": e.fresh_ms,
                "floor_beside_p95_ms": e.floor_beside,
                "audit_rows": e.audit_rows,
                "audit_ms": e.audit_ms,
                "audit_rows_per_request": e.audit_per_request,
                **e.result,
                "verdict": verdict(e, floor_p95)[0],
            }
            for e in endpoints
        ],
        "mixed": mixed and {k: v for k, v in mixed.items() if k != "plan"},
        "sweep": sweep,
    }
    (out / f"results-{stamp}.json").write_text(json.dumps(results, indent=2, default=str))
    (out / f"results-{stamp}.md").write_text(text + "\n")
    print(f"\nresults: {out}/results-{stamp}.json")
    failed = [e.name for e in endpoints if verdict(e, floor_p95)[0] != "PASS"]
    if mixed:
        failed += [k["name"] for k in mixed["kinds"] if k["verdict"] == "FAIL"]
        if mixed["replica"].get("verdict") == "FAIL":
            failed.append("replica dashboard")
    return 1 if (failed and os.environ.get("BENCH_STRICT") == "1") else 0


if __name__ == "__main__":
    sys.exit(main())
