"""The mixed phase of `make bench` (issue 21, parts 2 and 3): reads and writes together, at a concurrency of 8.

A program's day mixes reads with writes, and every write makes the kept pages (`vip.kept`) be computed again.
So, after the per-endpoint rows, one wrk run sends a sequence drawn by the seeded generator
(`random.Random(2064)`): 85% reads across the pages and API calls the bench knows (the GETs of
`bench.run.plan`, the floor among them at a small share), 15% writes (a step recorded, transitions through the
API and the tablet, each with its idempotency key, a service offer updated, a candidate taken in). Each write
goes to a target of its own, drawn from the bench database as `plan()` draws its pools, and used once.

Per-kind timing: wrk runs `-t8 -c8`, one connection per thread, so each thread's `request()` and `response()`
alternate; LuaJIT's ffi reads `clock_gettime(CLOCK_MONOTONIC)` in both, and each thread keeps its latencies by
kind in Lua tables, merged in `done()` (`LUA`). wrk is one C process: a Python driver would take the CPU the
server needs on this 2-core machine.

Warm or cold: the bench's gunicorn runs with VIP_SERVER_TIMING=1, so each answer carries a `Server-Timing`
header (`vip/server_timing.py`): `kept;desc=hit` when every kept page it asked for was served from the cache,
`miss` when one was computed (the "fresh" path, right after a write changed the data), `none` when the request
keeps nothing (computed every time: the searches, the candidate page). Cold = `miss` or `none`. The header's
`audit;dur` over `app;dur` is the share of each request spent in INSERTs into the audit trail.

Races are sent on purpose, and counted apart: a few CNs get two refusals from two threads at the same point of
their sequences (two writers on one CN: one is applied, the other answers 409), and a few refusals are sent
twice with the same `Idempotency-Key` (a retry while the first is in flight: a replay, or 409 "in progress").
Only those kinds may answer 409; a 409 anywhere else is an unexpected answer.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import random
import secrets
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

THREADS = 8  # the mixed phase's concurrency: one connection per wrk thread
FLOOR_SHARE = 0.05
READ_SHARE = 0.80  # with the floor: 85% reads
WRITE_SHARE = 0.15
RACE_PAIRS_SHARE = 0.005  # of all requests, for each of the two race kinds (each pair is two requests)
# Requests/s the sequences are sized for, twice over: more than this machine serves in the mix (about 150 at
# scale 1). Writes and race pairs are spread over the whole sequence, so a run that gets through a small part
# of it sends few of the short pools' writes and few races; should a thread reach the end, it stops early.
GUESSED_RATE = 200


@dataclass
class Call:
    """One request of the sequence."""

    method: str
    path: str
    headers: int  # index into MixedPlan.headers
    body: str | None = None
    key: str | None = None  # the Idempotency-Key header


@dataclass
class Kind:
    name: str
    group: str  # "floor", "read", "write", "race"
    share: float  # planned share of all requests
    expect: tuple[int, ...]
    calls: list[Call]
    once: bool = False  # each call is sent once (a write that cannot repeat)
    race_codes: tuple[int, ...] = ()  # answers from an honest race: counted apart, never as OK
    result: dict = field(default_factory=dict)


@dataclass
class MixedPlan:
    kinds: list[Kind]
    headers: list[dict[str, str]]
    sequences: list[list[tuple[int, int]]]  # per thread: (kind index, call index)
    drawn: dict[str, int] = field(default_factory=dict)  # requests drawn per kind, over all sequences


# --- the plan -------------------------------------------------------------------------------------------


def plan_mixed(rnd: random.Random, endpoints, duration: int) -> MixedPlan:
    """The kinds (reads from `endpoints`, the GETs of `bench.run.plan`; writes from the bench database) and each
    thread's sequence, drawn by `rnd`."""
    headers: list[dict[str, str]] = []
    index: dict[str, int] = {}

    def header(h: dict[str, str]) -> int:
        text = json.dumps(h, sort_keys=True)
        if text not in index:
            index[text] = len(headers)
            headers.append(dict(h))
        return index[text]

    kinds: list[Kind] = []
    gets = [e for e in endpoints if e.method == "GET"]
    floor = next(e for e in gets if e.name.startswith("floor"))
    reads = [e for e in gets if e is not floor and not e.name.startswith("audit viewer")]
    kinds.append(
        Kind(
            floor.name, "floor", FLOOR_SHARE, floor.expect, [Call("GET", p, header(floor.headers)) for p in floor.paths]
        )
    )
    for e in reads:
        kinds.append(
            Kind(
                e.name, "read", READ_SHARE / len(reads), e.expect, [Call("GET", p, header(e.headers)) for p in e.paths]
            )
        )
    writes = write_kinds(rnd, header)
    per_write = WRITE_SHARE / len([k for k in writes if k.group == "write"])
    for k in writes:
        k.share = per_write if k.group == "write" else RACE_PAIRS_SHARE * 2
    kinds += writes
    length = max(200, math.ceil(GUESSED_RATE * duration * 2 / THREADS))
    sequences, drawn = draw_sequences(rnd, kinds, THREADS, length)
    return MixedPlan(kinds, headers, sequences, drawn)


def write_kinds(rnd: random.Random, header) -> list[Kind]:
    """The writes, each on targets of its own (the pools do not overlap), signed in as the LE Lead."""
    from django.conf import settings
    from django.contrib.auth.models import User

    from bench.auth import make_session, make_token
    from candidates.models import ServiceOffer
    from notifications.models import Check, Delivery
    from notifications.tablet.views import QUEUE_HEADER

    lead = User.objects.get(username="bench_lead")
    token = {"Authorization": f"Token {make_token(lead)}", "Accept": "application/json"}
    api = header({**token, "Content-Type": "application/json"})
    csrf = secrets.token_hex(16)  # a 32-character secret: the cookie and the form's field carry the same one
    # The tablet's form as its offline queue sends it (static/tablet/tablet.js, X-VIP-Queue): a 200 with JSON
    # when applied, so a 302 (to the sign-in page) is an unexpected answer, not a success.
    tablet = header(
        {
            "Cookie": f"{settings.SESSION_COOKIE_NAME}={make_session(lead)}; {settings.CSRF_COOKIE_NAME}={csrf}",
            "Content-Type": "application/x-www-form-urlencoded",
            QUEUE_HEADER: "1",
        }
    )
    today = dt.date.today().isoformat()

    def pool(qs, half: bool = False) -> list[int]:
        ids = list(qs.filter(candidate__sealed_at__isnull=True).order_by("pk").values_list("pk", flat=True))
        if half:  # the first half is the per-endpoint refusal row's (bench.run.plan)
            ids = ids[len(ids) // 2 :]
        rnd.shuffle(ids)
        return ids

    def key() -> str:
        return f"bench-{rnd.getrandbits(64):016x}"

    deliveries = Delivery.objects.all()
    # The step on CNs just identified (a preparation state; the generated CNs in preparation have their checks).
    prepared = pool(deliveries.filter(state="identified").exclude(checks__kind=Check.Kind.THREAT_ASSESSMENT))
    eligible = pool(deliveries.filter(state="eligible"))
    at_door = pool(deliveries.filter(state="ecc_advised"), half=True)
    offers = pool(ServiceOffer.objects.filter(status=ServiceOffer.Status.OFFERED))
    # The CNs at the door are shared out: a tenth to the races, the rest half to the API, half to the tablet.
    races, at_door = at_door[: len(at_door) // 10], at_door[len(at_door) // 10 :]
    api_door, tablet_door = at_door[::2], at_door[1::2]
    refusal = json.dumps({"note": "Asked the team to leave (bench mixed)."})

    def refuse(pk: int, k: str) -> Call:
        return Call("POST", f"/api/deliveries/{pk}/record-refusal/", api, refusal, k)

    def tablet_refusal(pk: int) -> Call:
        k = key()
        body = f"note=Asked+us+to+leave+%28bench+tablet%29&idempotency_key={k}&csrfmiddlewaretoken={csrf}"
        return Call("POST", f"/tablet/{pk}/refused/", tablet, body, k)

    def new_person(n: int) -> Call:
        letters = "".join(rnd.choice("bcdfghjklmnpqrstvwxz") for _ in range(6)).title()
        body = {
            "first_name": f"Benchmix{letters}",
            "last_name": f"Intake{n}",
            "date_of_birth": f"{rnd.randint(1975, 2006)}-{rnd.randint(1, 12):02d}-{rnd.randint(1, 28):02d}",
            "sex": "M",
        }
        return Call("POST", "/api/candidates/", api, json.dumps(body), key())

    check = json.dumps({"completed_on": today, "result": "no_concerns", "notes": "bench mixed"})
    half = len(races) // 2
    return [
        Kind(
            "write: step API threat-assessment", "write", 0, (200,),
            [Call("POST", f"/api/deliveries/{pk}/threat-assessment/", api, check, key()) for pk in prepared], once=True,
        ),
        Kind(
            "write: API start-preparation", "write", 0, (200,),
            [Call("POST", f"/api/deliveries/{pk}/start-preparation/", api, json.dumps({"note": "bench"}), key())
             for pk in eligible], once=True,
        ),
        Kind("write: API record-refusal", "write", 0, (200,), [refuse(pk, key()) for pk in api_door], once=True),
        Kind("write: tablet refused (form)", "write", 0, (200,), [tablet_refusal(pk) for pk in tablet_door], once=True),
        Kind(
            "write: service offer PATCH accepted", "write", 0, (200,),
            [Call("PATCH", f"/api/services/{pk}/", api, json.dumps({"status": "accepted"}), key()) for pk in offers],
            once=True,
        ),
        Kind("write: candidate created (API)", "write", 0, (201,), [new_person(n) for n in range(20_000)], once=True),
        # Each pair's two calls are sent by two threads at the same point of their sequences (draw_sequences).
        Kind(
            "race: two writers on one CN (2 keys)", "race", 0, (200,),
            [c for pk in races[:half] for c in (refuse(pk, key()), refuse(pk, key()))], once=True, race_codes=(409,),
        ),
        Kind(
            "race: a retry, key in flight (1 key)", "race", 0, (200,),
            [c for pk in races[half:] for k in (key(),) for c in (refuse(pk, k), refuse(pk, k))], once=True,
            race_codes=(409,),
        ),
    ]  # fmt: skip


def draw_sequences(
    rnd: random.Random, kinds: list[Kind], threads: int, length: int
) -> tuple[list[list[tuple[int, int]]], dict[str, int]]:
    """Each thread's sequence of (kind, call). Each slot is drawn by the kinds' shares; a write's calls are
    dealt once each, and when a write's pool is shorter than its share of the whole sequence, the write is drawn
    less often (evenly over the run, its pool / the slots) and reads take its place, so that whatever part of the
    sequence the run gets through holds the same mix. Race pairs are then placed on the same slot of two
    threads, so their two calls are sent at about the same moment."""
    total = threads * length
    singles = [(i, k) for i, k in enumerate(kinds) if k.group != "race"]
    weights = []
    for _, k in singles:
        share = k.share
        if k.once:
            share = min(share, len(k.calls) / total)
        weights.append(share)
    spare = 1.0 - sum(weights) - sum(k.share for k in kinds if k.group == "race")
    reads = [n for n, (_, k) in enumerate(singles) if k.group == "read"]
    for n in reads:  # what the short pools leave goes to the reads, evenly
        weights[n] += spare / len(reads)
    next_call = dict.fromkeys(range(len(kinds)), 0)
    drawn: dict[str, int] = {k.name: 0 for k in kinds}
    sequences: list[list[tuple[int, int]]] = [[] for _ in range(threads)]
    choices = [i for i, _ in singles]
    for _ in range(length):
        for t in range(threads):
            i = rnd.choices(choices, weights)[0]
            if kinds[i].once and next_call[i] >= len(kinds[i].calls):  # its pool ran out: a read instead
                i = choices[rnd.choice(reads)]
            k = kinds[i]
            if k.once:
                c = next_call[i]
                next_call[i] += 1
            else:
                c = rnd.randrange(len(k.calls))
            sequences[t].append((i, c))
            drawn[k.name] += 1
    # The race pairs, on read slots, the pair's two calls on two threads.
    for i, k in enumerate(kinds):
        if k.group != "race" or threads < 2:
            continue
        pairs = min(len(k.calls) // 2, round(k.share * total / 2))
        for p in range(pairs):
            for _ in range(100):  # on two read slots: no write is displaced
                slot = rnd.randrange(length)
                a, b = rnd.sample(range(threads), 2)
                if all(kinds[sequences[t][slot][0]].group in ("read", "floor") for t in (a, b)):
                    break
            else:
                break
            for t, c in ((a, 2 * p), (b, 2 * p + 1)):
                drawn[kinds[sequences[t][slot][0]].name] -= 1
                sequences[t][slot] = (i, c)
                drawn[k.name] += 1
    return sequences, drawn


# --- wrk's script ---------------------------------------------------------------------------------------

LUA = r"""
local ffi = require("ffi")
ffi.cdef[[
typedef struct { long tv_sec; long tv_nsec; } vip_timespec;
int clock_gettime(int clk_id, vip_timespec *tp);
]]
local CLOCK_MONOTONIC = 1
local ts = ffi.new("vip_timespec")
local function now_ms()
  ffi.C.clock_gettime(CLOCK_MONOTONIC, ts)
  return tonumber(ts.tv_sec) * 1000 + tonumber(ts.tv_nsec) / 1e6
end

local H = %(headers)s
local R = %(calls)s
local S = %(sequences)s

local threads = {}
local counter = 0
function setup(thread)
  counter = counter + 1
  thread:set("tid", counter)
  table.insert(threads, thread)
end

pos = 0
current = nil
started = 0
-- One flat array of numbers per thread, six per answer: kind, status, class, ms, app ms, audit ms. Flat,
-- because wrk 4.1's thread:get() crashes copying a table nested in a table.
samples = {}
local CLASS = {hit = 1, miss = 2, none = 3}  -- 0: no Server-Timing

function request()
  local seq = S[tid]
  pos = pos + 1
  if pos > #seq then pos = 1 end
  local r = R[seq[pos]]
  current = r
  local h = {}
  for k, v in pairs(H[r[4]]) do h[k] = v end
  if r[6] then h["Idempotency-Key"] = r[6] end
  started = now_ms()
  return wrk.format(r[2], r[3], h, r[5])
end

function timing(st)
  -- Server-Timing: app;dur=41.2, audit;dur=1.3, kept;desc=miss (vip/server_timing.py)
  if not st then return 0, -1, -1 end
  local app = tonumber(st:match("app;dur=([%%d%%.]+)")) or -1
  local audit = tonumber(st:match("audit;dur=([%%d%%.]+)")) or -1
  return CLASS[st:match("kept;desc=(%%a+)") or ""] or 0, app, audit
end

function response(status, headers, body)
  local ms = now_ms() - started
  local class, app, audit = timing(headers["Server-Timing"] or headers["server-timing"])
  local n = #samples
  samples[n + 1] = current[1]
  samples[n + 2] = status
  samples[n + 3] = class
  samples[n + 4] = ms
  samples[n + 5] = app
  samples[n + 6] = audit
  if pos >= #S[tid] then
    wrk.thread:stop()
  end
end

local function numbers(list)
  local parts = {}
  for n, v in ipairs(list) do parts[n] = string.format("%%.3f", v) end
  return "[" .. table.concat(parts, ",") .. "]"
end

function aggregate(merged, samples)
  -- Each kind's latencies, cold latencies, codes and Server-Timing sums, from one thread's samples.
  for n = 1, #samples, 6 do
    local kind, status, class, ms, app, audit = unpack(samples, n, n + 5)
    local m = merged[kind]
    if not m then
      m = {lat = {}, cold = {}, codes = {}, audit_ms = 0, app_ms = 0, timed = 0, hit = 0, miss = 0, none = 0}
      merged[kind] = m
    end
    table.insert(m.lat, ms)
    local key = tostring(status)
    m.codes[key] = (m.codes[key] or 0) + 1
    if app >= 0 then
      m.timed = m.timed + 1
      m.app_ms = m.app_ms + app
      m.audit_ms = m.audit_ms + math.max(audit, 0)
    end
    if class == 1 then
      m.hit = m.hit + 1
    elseif class == 2 or class == 3 then
      if class == 2 then m.miss = m.miss + 1 else m.none = m.none + 1 end
      table.insert(m.cold, ms)
    end
  end
end

function report(merged, summary)
  local kinds = {}
  for kind, m in pairs(merged) do
    local codes = {}
    for k, v in pairs(m.codes) do table.insert(codes, string.format('"%%s": %%d', k, v)) end
    table.insert(kinds, string.format(
      '"%%d": {"lat": %%s, "cold": %%s, "codes": {%%s}, "audit_ms": %%.3f, "app_ms": %%.3f, "timed": %%d, ' ..
      '"hit": %%d, "miss": %%d, "none": %%d}',
      kind, numbers(m.lat), numbers(m.cold), table.concat(codes, ", "), m.audit_ms, m.app_ms, m.timed,
      m.hit, m.miss, m.none))
  end
  local e = summary.errors
  return string.format(
    'MIXEDJSON {"requests": %%d, "duration_us": %%d, "errors": %%d, "timeouts": %%d, "kinds": {%%s}}\n',
    summary.requests, summary.duration, e.connect + e.read + e.write, e.timeout, table.concat(kinds, ", "))
end

function done(summary, latency, requests)
  local merged = {}
  for _, thread in ipairs(threads) do
    aggregate(merged, thread:get("samples"))
  end
  io.write(report(merged, summary))
end
"""


def lua_string(value: str) -> str:
    return json.dumps(value)  # a JSON string literal is a valid Lua string literal for this ASCII content


def lua_script(plan: MixedPlan) -> str:
    """The wrk script: H the header sets, R the calls used ({kind, method, path, headers, body, key}, 1-based
    indices), S each thread's sequence of indices into R."""
    used: dict[tuple[int, int], int] = {}
    rows = []
    sequences = []
    for seq in plan.sequences:
        out = []
        for i, c in seq:
            if (i, c) not in used:
                call = plan.kinds[i].calls[c]
                used[(i, c)] = len(rows) + 1
                body = lua_string(call.body) if call.body is not None else "nil"
                key = lua_string(call.key) if call.key else "nil"
                rows.append(
                    f"{{{i + 1}, {lua_string(call.method)}, {lua_string(call.path)}, {call.headers + 1}, {body}, {key}}}"
                )
            out.append(str(used[(i, c)]))
        sequences.append("{" + ",".join(out) + "}")
    headers = ",\n".join(
        "{" + ", ".join(f"[{lua_string(k)}] = {lua_string(v)}" for k, v in h.items()) + "}" for h in plan.headers
    )
    return LUA % {
        "headers": "{\n" + headers + "\n}",
        "calls": "{\n" + ",\n".join(rows) + "\n}",
        "sequences": "{\n" + ",\n".join(sequences) + "\n}",
    }


def run_wrk(base: str, script: Path, seconds: int, timeout_s: int) -> dict:
    done = subprocess.run(
        ["wrk", f"-t{THREADS}", f"-c{THREADS}", f"-d{seconds}s", f"--timeout={timeout_s}s", "-s", str(script), base],
        capture_output=True, text=True, timeout=seconds + timeout_s + 120,
    )  # fmt: skip
    return parse_output(done.stdout, done.stderr)


def parse_output(stdout: str, stderr: str = "") -> dict:
    for line in stdout.splitlines():
        if line.startswith("MIXEDJSON "):
            return json.loads(line[len("MIXEDJSON ") :])
    raise RuntimeError(f"wrk gave no result for the mixed phase: {stdout[-500:]} {stderr[-500:]}")


# --- the figures ----------------------------------------------------------------------------------------


def percentile(values: list[float], p: float) -> float:
    """The nearest-rank percentile (p in 0-100) of `values`, 0 for none."""
    if not values:
        return 0.0
    ordered = sorted(values)
    rank = max(1, math.ceil(p / 100 * len(ordered)))
    return ordered[rank - 1]


def summarise(plan: MixedPlan, raw: dict) -> None:
    """Each kind's figures from the merged Lua tables, into `kind.result`."""
    answered = sum(len(s["lat"]) for s in raw["kinds"].values()) or 1
    for n, kind in enumerate(plan.kinds, start=1):
        s = raw["kinds"].get(str(n), {"lat": [], "cold": [], "codes": {}, "audit_ms": 0, "app_ms": 0, "timed": 0,
                                      "hit": 0, "miss": 0, "none": 0})  # fmt: skip
        codes = dict(s["codes"])
        ok = sum(v for k, v in codes.items() if int(k) in kind.expect)
        races = sum(v for k, v in codes.items() if int(k) in kind.race_codes)
        lat = s["lat"]
        kind.result = {
            "requests": len(lat),
            "share": round(len(lat) / answered, 4),
            "planned_share": round(kind.share, 4),
            "drawn": plan.drawn.get(kind.name, 0),
            "pool": len(kind.calls) if kind.once else None,
            "p50_ms": round(percentile(lat, 50), 1),
            "p95_ms": round(percentile(lat, 95), 1),
            "p99_ms": round(percentile(lat, 99), 1),
            # Cold is a read's (a page computed afresh): the floor keeps nothing, and a write is not kept.
            "cold": len(s["cold"]) if kind.group == "read" else None,
            "cold_p95_ms": round(percentile(s["cold"], 95), 1) if s["cold"] and kind.group == "read" else None,
            "kept": {"hit": s["hit"], "miss": s["miss"], "none": s["none"]},
            "audit_share": round(s["audit_ms"] / s["app_ms"], 4) if s["app_ms"] else None,
            "audit_ms_mean": round(s["audit_ms"] / s["timed"], 2) if s["timed"] else None,
            "codes": codes,
            "ok": ok,
            "races_409": races,
            "unexpected": len(lat) - ok - races,
        }


def verdict(kind: Kind, floor_p95: float, target_ms: float, factor: float) -> tuple[str, str]:
    r = kind.result
    if not r or not r["requests"]:
        if kind.group == "race":
            return "-", "no pair sent"
        if kind.once and not kind.calls:
            return "FAIL", "not measured: no target for it in the bench data"
        return "FAIL", f"not measured: none answered ({r.get('drawn', 0)} drawn)"
    reasons = []
    if r["unexpected"]:
        seen = ", ".join(f"{k}x{v}" for k, v in sorted(r["codes"].items()))
        allowed = "/".join(map(str, kind.expect + kind.race_codes))
        reasons.append(f"{r['unexpected']} unexpected ({seen}; expected {allowed})")
    if r["p95_ms"] >= target_ms:
        reasons.append(f"p95 >= {target_ms:.0f} ms")
    if floor_p95 and kind.group != "floor" and r["p95_ms"] > factor * floor_p95:
        reasons.append(f"p95 > {factor:.0f}x floor ({factor * floor_p95:.1f} ms)")
    if r["cold_p95_ms"] is not None and r["cold_p95_ms"] >= target_ms:
        reasons.append(f"cold p95 >= {target_ms:.0f} ms")
    return ("FAIL", "; ".join(reasons)) if reasons else ("PASS", "")


def table(plan: MixedPlan, floor_p95: float, target_ms: float, factor: float) -> str:
    head = (
        f"| {'kind':<42} | {'share':>6} | {'requests':>8} | {'p50 ms':>7} | {'p95 ms':>7} | {'p99 ms':>7} "
        f"| {'cold p95 (n)':>14} | {'audit share':>11} | {'unexpected':>10} | {'409 races':>9} | verdict |"
    )
    widths = [44, 8, 10, 9, 9, 9, 16, 13, 12, 11, 9]
    lines = [head, "|" + "|".join("-" * w for w in widths) + "|"]
    for kind in plan.kinds:
        r = kind.result or {}
        v, why = verdict(kind, floor_p95, target_ms, factor)
        cold = "" if r.get("cold_p95_ms") is None else f"{r['cold_p95_ms']:.1f} ({r['cold']})"
        audit = "" if r.get("audit_share") is None else f"{r['audit_share'] * 100:.1f}%"
        races = str(r.get("races_409", 0)) if kind.race_codes else ""
        lines.append(
            f"| {kind.name:<42} | {r.get('share', 0) * 100:>5.1f}% | {r.get('requests', 0):>8} | "
            f"{r.get('p50_ms', 0):>7.1f} | {r.get('p95_ms', 0):>7.1f} | {r.get('p99_ms', 0):>7.1f} | {cold:>14} | "
            f"{audit:>11} | {r.get('unexpected', 0):>10} | {races:>9} | {v}{': ' + why if why else ''} |"
        )
    return "\n".join(lines)


def results(plan: MixedPlan, floor_p95: float, target_ms: float, factor: float) -> list[dict]:
    return [
        {"name": k.name, "group": k.group, "expect": list(k.expect), "race_codes": list(k.race_codes), **k.result,
         "verdict": verdict(k, floor_p95, target_ms, factor)[0]}
        for k in plan.kinds
    ]  # fmt: skip


# --- the dashboard on a replica, beside the mixed phase (issue 21 part 5) -------------------------------

REPLICA_PORT = 5433


def replica_script() -> Path:
    return Path(__file__).resolve().parent.parent / "scripts" / "replica.py"


def replica_unavailable() -> str | None:
    """Why the replica row is not measured, or None. Measured when BENCH_REPLICA=1 and scripts/replica.py
    (which starts a streaming standby of the bench's server) is in this branch."""
    import os

    if not replica_script().exists():
        return "not measured: scripts/replica.py missing"
    if os.environ.get("BENCH_REPLICA") != "1":
        return "not measured: BENCH_REPLICA is not 1"
    return None


def replica_start(primary_server_url: str, database: str) -> str:
    """Start the standby; the URL of the bench database on it. `scripts/replica.py start` prints the standby
    server's URL on its last line of output and leaves it running."""
    import sys

    done = subprocess.run(
        [sys.executable, str(replica_script()), "start", "--primary", primary_server_url, "--port", str(REPLICA_PORT)],
        capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    lines = done.stdout.strip().splitlines()
    if done.returncode != 0 or not lines:
        raise RuntimeError(f"scripts/replica.py start failed: {(done.stderr or done.stdout)[-400:]}")
    server = lines[-1].strip()
    return f"{server.rsplit('/', 1)[0]}/{database}" if server.count("/") >= 3 else f"{server.rstrip('/')}/{database}"


def replica_stop() -> None:
    import sys

    subprocess.run(
        [sys.executable, str(replica_script()), "stop", "--port", str(REPLICA_PORT)],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
