"""The mixed phase of `make bench` (bench/mixed.py) and the Server-Timing it reads (vip/server_timing.py)."""

from __future__ import annotations

import random
import shutil
import subprocess
import threading
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.test import override_settings

from bench import mixed as mx
from vip.kept import cn_data_changed
from vip.testing import verified_client


def kinds_for_shares(pool: int) -> list[mx.Kind]:
    read = [mx.Call("GET", f"/r{n}", 0) for n in range(5)]
    return [
        mx.Kind("floor", "floor", mx.FLOOR_SHARE, (200,), [mx.Call("GET", "/floor", 0)]),
        mx.Kind("read a", "read", mx.READ_SHARE / 2, (200,), read),
        mx.Kind("read b", "read", mx.READ_SHARE / 2, (200,), read),
        mx.Kind("write a", "write", mx.WRITE_SHARE / 2, (200,), [mx.Call("POST", f"/w{n}", 1, "{}", f"k{n}") for n in range(pool)], once=True),
        mx.Kind("write b", "write", mx.WRITE_SHARE / 2, (201,), [mx.Call("POST", f"/c{n}", 1, "{}", f"c{n}") for n in range(10**5)], once=True),
        mx.Kind("race", "race", mx.RACE_PAIRS_SHARE * 2, (200,), [mx.Call("POST", f"/x{n // 2}", 1, "{}", f"x{n}") for n in range(400)], once=True, race_codes=(409,)),
    ]  # fmt: skip


def test_the_mixed_sequence_holds_85_percent_reads_and_sends_each_write_once():
    kinds = kinds_for_shares(pool=10**5)
    sequences, drawn = mx.draw_sequences(random.Random(2064), kinds, threads=8, length=2000)
    groups = Counter(kinds[i].group for seq in sequences for i, _ in seq)
    total = sum(groups.values())
    assert total == 16000 == sum(drawn.values())
    assert abs((groups["read"] + groups["floor"]) / total - 0.85) < 0.015
    assert abs(groups["floor"] / total - mx.FLOOR_SHARE) < 0.01
    assert abs(groups["write"] / total - mx.WRITE_SHARE) < 0.015
    sent = Counter((i, c) for seq in sequences for i, c in seq if kinds[i].once)
    assert max(sent.values()) == 1  # no write twice
    # Each race pair is sent by two threads on the same slot.
    race = kinds.index(next(k for k in kinds if k.group == "race"))
    slots = {}
    for t, seq in enumerate(sequences):
        for slot, (i, c) in enumerate(seq):
            if i == race:
                slots.setdefault(c // 2, []).append((t, slot))
    assert slots and all(len(p) == 2 and p[0][0] != p[1][0] and p[0][1] == p[1][1] for p in slots.values())
    # The same draw every run.
    assert mx.draw_sequences(random.Random(2064), kinds, threads=8, length=2000)[0] == sequences


def test_a_write_whose_pool_is_short_is_drawn_less_often_evenly_and_reads_take_its_place():
    kinds = kinds_for_shares(pool=40)
    sequences, _ = mx.draw_sequences(random.Random(2064), kinds, threads=8, length=2000)
    first_half = [kinds[i].name for seq in sequences for i, _ in seq[:1000]]
    assert 5 <= first_half.count("write a") <= 35  # spread over the run, not all at its start
    groups = Counter(kinds[i].group for seq in sequences for i, _ in seq)
    for seed in range(20):  # never more than its pool, whatever the draw: reads take the slots it cannot fill
        tiny = kinds_for_shares(pool=3)
        assert mx.draw_sequences(random.Random(seed), tiny, threads=8, length=500)[1]["write a"] <= 3
    assert abs((groups["read"] + groups["floor"]) / 16000 - (1 - mx.WRITE_SHARE / 2 - 40 / 16000 - 0.01)) < 0.02


def measured(kind: mx.Kind, codes: dict[str, int]) -> dict:
    plan = mx.MixedPlan([kind], [{}], [[]])
    lat = [10.0] * sum(codes.values())
    raw = {"kinds": {"1": {"lat": lat, "cold": [], "codes": codes, "audit_ms": 0, "app_ms": 0, "timed": 0, "hit": 0, "miss": 0, "none": 0}}}  # fmt: skip
    mx.summarise(plan, raw)
    return kind.result


def test_a_409_from_a_race_is_counted_apart_never_as_ok_and_anywhere_else_it_is_unexpected():
    race = mx.Kind("race", "race", 0.01, (200,), [], race_codes=(409,))
    r = measured(race, {"200": 10, "409": 10})
    assert (r["ok"], r["races_409"], r["unexpected"]) == (10, 10, 0)
    assert mx.verdict(race, 10.0, 150.0, 5.0) == ("PASS", "")
    write = mx.Kind("write", "write", 0.01, (200,), [])
    r = measured(write, {"200": 10, "409": 1})
    assert (r["ok"], r["races_409"], r["unexpected"]) == (10, 0, 1)
    assert mx.verdict(write, 10.0, 150.0, 5.0)[0] == "FAIL"


# --- the Lua script, driven by wrk against a small server -----------------------------------------------


class Answers(BaseHTTPRequestHandler):
    """/hit and /miss answer as a kept page served kept or computed; /race answers 409; /plain, no header."""

    protocol_version = "HTTP/1.1"  # keep-alive, as gunicorn answers wrk
    seen: list[tuple[str, str, str | None, str]] = []

    def _answer(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length).decode() if length else ""
        Answers.seen.append((self.command, self.path, self.headers.get("Idempotency-Key"), body))
        status = 409 if self.path.startswith("/race") else 200
        self.send_response(status)
        if self.path.startswith(("/hit", "/miss")):
            kept = "hit" if self.path.startswith("/hit") else "miss"
            self.send_header("Server-Timing", f"app;dur=10.00, audit;dur=2.50, kept;desc={kept}")
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")

    do_GET = do_POST = _answer

    def log_message(self, *args):
        pass


class Listening(ThreadingHTTPServer):
    request_queue_size = 64  # wrk's 8 connections at once: the default 5 would refuse some


@pytest.mark.skipif(shutil.which("wrk") is None, reason="wrk is not installed (apt-get install -y wrk)")
def test_the_lua_script_times_each_kind_and_tells_cold_answers_and_races_apart(tmp_path):
    kinds = [
        mx.Kind("floor", "floor", 0.0, (200,), [mx.Call("GET", "/plain", 0)]),
        mx.Kind("kept", "read", 0.0, (200,), [mx.Call("GET", "/hit", 0), mx.Call("GET", "/miss", 0)]),
        mx.Kind("race", "race", 0.0, (200,), [mx.Call("POST", f"/race/{n}", 1, '{"a": 1}', f"key-{n}") for n in range(16)], once=True, race_codes=(409,)),
    ]  # fmt: skip
    # Each of the 8 threads: the floor, a kept page served kept twice then computed, and two race calls.
    sequences = [[(0, 0), (1, 0), (1, 0), (1, 1), (2, 2 * t), (2, 2 * t + 1)] for t in range(8)]
    plan = mx.MixedPlan(kinds, [{"X-Who": "bench"}, {"Content-Type": "application/json"}], sequences)
    script = tmp_path / "mixed.lua"
    script.write_text(mx.lua_script(plan))
    server = Listening(("127.0.0.1", 0), Answers)
    Answers.seen = []
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        done = subprocess.run(  # noqa: S603 - wrk, our own script
            [shutil.which("wrk"), "-t8", "-c8", "-d2s", "-s", str(script), f"http://127.0.0.1:{server.server_port}"],
            capture_output=True, text=True, timeout=60,
        )  # fmt: skip
    finally:
        server.shutdown()
    raw = mx.parse_output(done.stdout, done.stderr)
    mx.summarise(plan, raw)
    floor, kept, race = (k.result for k in kinds)
    # Each thread stops at the end of its sequence: at most what was drawn (wrk may skip a thread's first call).
    assert 7 <= floor["requests"] <= 8 and 23 <= kept["requests"] <= 24 and 15 <= race["requests"] <= 16
    assert floor["requests"] + kept["requests"] + race["requests"] == len(Answers.seen)  # every answer counted once
    hits = sum(1 for s in Answers.seen if s[1] == "/hit")
    assert hits >= 15 and kept["kept"] == {"hit": hits, "miss": kept["requests"] - hits, "none": 0}
    assert kept["cold"] == kept["requests"] - hits  # cold: computed, not served kept
    assert kept["audit_share"] == 0.25
    assert floor["kept"] == {"hit": 0, "miss": 0, "none": 0} and floor["audit_share"] is None  # no Server-Timing
    assert (race["ok"], race["races_409"], race["unexpected"]) == (0, race["requests"], 0)
    assert 0 < floor["p50_ms"] < 1000
    posts = [s for s in Answers.seen if s[0] == "POST"]
    assert {key for _, path, key, _ in posts} <= {f"key-{n}" for n in range(16)}  # the Idempotency-Key
    assert all(key == f"key-{path.rsplit('/', 1)[1]}" for _, path, key, _ in posts)
    assert all(body == '{"a": 1}' for *_, body in posts)


# --- the plan on the bench's data -----------------------------------------------------------------------


@pytest.fixture
def generated(transactional_db):
    from bench.generate import generate
    from vip.db_roles import as_owner

    with as_owner():
        return generate(0.0002, log=lambda *parts: None, vacuum=False, migrate=False, check_foreign_keys=True)


def test_the_mixed_plan_sends_every_write_with_an_idempotency_key_and_the_tablet_its_form_key(generated):
    from bench.run import plan

    mixed = mx.plan_mixed(random.Random(2064), plan(random.Random(2064)), duration=2)
    writes = [k for k in mixed.kinds if k.group in ("write", "race")]
    assert {k.name for k in writes} >= {
        "write: step API threat-assessment", "write: API start-preparation", "write: API record-refusal",
        "write: tablet refused (form)", "write: service offer PATCH accepted", "write: candidate created (API)",
    }  # fmt: skip
    for kind in writes:
        for call in kind.calls:
            assert call.method in ("POST", "PATCH") and call.key
    tablet = next(k for k in writes if k.name.startswith("write: tablet"))
    for call in tablet.calls:
        assert f"idempotency_key={call.key}" in call.body and "csrfmiddlewaretoken=" in call.body
    keys = [c.key for k in writes if k.group == "write" for c in k.calls]
    assert len(keys) == len(set(keys))
    assert mx.plan_mixed(random.Random(2064), plan(random.Random(2064)), duration=2).sequences == mixed.sequences
    script = mx.lua_script(mixed)
    assert all(f'"{call.key}"' in script for k in writes for i, c in {*(x for seq in mixed.sequences for x in seq)}
               if mixed.kinds[i] is k for call in (k.calls[c],))  # fmt: skip


# --- Server-Timing ------------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)  # in a test's transaction nothing is kept (vip.kept): commit as served
def test_server_timing_says_whether_a_kept_page_was_computed_or_served_kept(officer):
    with override_settings(VIP_SERVER_TIMING=True):
        client = verified_client()
        client.force_login(officer)
        cn_data_changed()
        cold = client.get("/tablet/")
        warm = client.get("/tablet/")
        cn_data_changed()
        again = client.get("/tablet/")
        floor = client.get("/healthz/auth")
    assert "kept;desc=miss" in cold["Server-Timing"] and "app;dur=" in cold["Server-Timing"]
    assert "kept;desc=hit" in warm["Server-Timing"]
    assert "kept;desc=miss" in again["Server-Timing"]
    assert "kept;desc=none" in floor["Server-Timing"]
    assert cold.status_code == warm.status_code == again.status_code == 200


@pytest.mark.django_db
def test_server_timing_times_the_audit_inserts_and_is_off_by_default(le_lead):
    from candidates.models import Candidate

    person = Candidate.objects.create(first_name="Read", last_name="Audited", date_of_birth="2000-01-01")
    with override_settings(VIP_SERVER_TIMING=True):
        client = verified_client()
        client.force_login(le_lead)
        answer = client.get(f"/candidates/{person.pk}/")
    assert answer.status_code == 200
    timing = dict(part.strip().split(";", 1) for part in answer["Server-Timing"].split(","))
    assert float(timing["audit"].removeprefix("dur=")) > 0  # the read's audit row was written and timed
    assert float(timing["app"].removeprefix("dur=")) >= float(timing["audit"].removeprefix("dur="))
    client = verified_client()
    client.force_login(le_lead)
    assert "Server-Timing" not in client.get("/tablet/")
