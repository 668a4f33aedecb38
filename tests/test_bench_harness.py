"""The benchmark's own parts (issue #9): the signed-in floor, the session it signs in with, and the generator.

The generator is run at its smallest size against the test database, so a migration that adds a column it
cannot fill, or a change that makes its rows inconsistent, fails here instead of at `make bench`.
"""

from __future__ import annotations

import random

import pytest
from django.conf import settings

from bench.auth import make_session
from bench.generate import generate
from bench.run import plan
from candidates.models import Candidate
from notifications.models import Delivery, State
from vip.db_roles import as_owner


@pytest.mark.django_db
def test_it_sends_a_visitor_who_is_not_signed_in_from_the_floor_to_the_sign_in_page(client):
    response = client.get("/healthz/auth")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


@pytest.mark.django_db
def test_it_signs_a_persona_in_with_the_session_the_bench_makes(client, le_lead):
    client.cookies[settings.SESSION_COOKIE_NAME] = make_session(le_lead)
    response = client.get("/healthz/auth")
    assert response.status_code == 200
    assert response.content == b"ok"


@pytest.fixture
def generated(transactional_db):
    """The load runs as the database owner, as `make bench` does (COPY, sequences reset): the app role the
    tests connect as may not reset a sequence. Each COPY commits, with every foreign key checked."""
    with as_owner():
        return generate(0.0001, log=lambda *parts: None, vacuum=False, migrate=False, check_foreign_keys=True)


def test_it_generates_cns_in_every_state(generated):
    assert set(Delivery.objects.values_list("state", flat=True).distinct()) == set(State.values)


def test_it_fills_the_search_text_with_lower_cased_names_and_aliases(generated):
    person = Candidate.objects.filter(aliases__isnull=False).first()
    aliases = list(person.aliases.values_list("name", flat=True))
    assert person.search_text == " ".join([person.full_name, *aliases]).lower()


def test_it_resets_the_sequences_so_the_product_can_add_rows_after_the_load(generated, le_lead):
    person = Candidate.objects.create(first_name="After", last_name="Load", date_of_birth="2000-01-01")
    assert person.pk > generated["candidates_candidate"]


def test_two_runs_on_the_same_data_search_for_the_same_misspelt_names(generated):
    def searched(endpoints):
        return next(e.paths for e in endpoints if e.name.startswith("search (misspelt)"))

    first, again = plan(random.Random(2064)), plan(random.Random(2064))
    assert searched(first) == searched(again)
    assert len(set(searched(first))) == Candidate.objects.unsealed().count()  # every person of the small data


def test_an_endpoint_is_held_to_the_floor_measured_beside_it_when_there_is_one():
    from bench.run import Endpoint, verdict

    measured = {"requests": 900, "timeouts": 0, "ok_share": 1.0, "p95_ms": 60.0, "codes": {"200": 900}}
    endpoint = Endpoint("search", "GET", ["/candidates/?q=ana"], {}, result=measured)
    assert verdict(endpoint, floor_p95=10.0) == ("FAIL", "p95 > 5x floor (50.0 ms)")  # the run's first floor
    endpoint.floor_beside = 13.0  # the machine was slower around this endpoint
    assert verdict(endpoint, floor_p95=10.0) == ("PASS", "")


def _read_row_of(client, user, path):
    """The read row the audit middleware writes for `user` asking `path` (vip/audit/middleware.py)."""
    from vip.models import AuditEvent

    client.cookies[settings.SESSION_COOKIE_NAME] = make_session(user)
    last = AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first()
    assert client.get(path).status_code == 200
    return AuditEvent.objects.filter(pk__gt=last, action=AuditEvent.Action.READ).get()


@pytest.mark.parametrize("kind", ["detail", "search"])
def test_the_generated_read_rows_have_the_shape_the_read_audit_writes(generated, client, kind):
    """The audit viewer's searches must meet, at scale, rows like those the middleware writes: the generated
    read of a person's page or of a search says what was asked and who was shown, as a real request's row."""
    from django.contrib.auth.models import User

    from vip.models import AuditEvent

    prefix = "GET /candidates/?q=" if kind == "search" else "GET /candidates/"
    made = (
        AuditEvent.objects.filter(action=AuditEvent.Action.READ, note__startswith=prefix)
        .exclude(note__contains="?" if kind == "detail" else "\n")
        .filter(object_type="candidates.Candidate")
        .order_by("pk")
    )
    made = next(row for row in made if kind == "search" or not Candidate.objects.get(pk=row.object_id).sealed_at)
    real = _read_row_of(client, User.objects.get(username="bench_lead"), made.note.removeprefix("GET "))

    fields = ("object_type", "object_id", "object_repr", "note")
    assert [getattr(made, f) for f in fields] == [getattr(real, f) for f in fields]
    assert made.changes["asked"] == real.changes["asked"]
    assert set(made.changes["shown"]) <= set(real.changes["shown"])  # the real page may name more records
    for label, ids in made.changes["shown"].items():
        assert set(ids) <= set(real.changes["shown"][label])


def test_it_makes_the_audit_months_of_the_generated_period_before_loading_them(transactional_db, monkeypatch):
    """The audit table is partitioned by month (vip.audit.partitions): the generator creates the months its rows
    fall in before the COPY."""
    import datetime as dt

    from vip.audit import partitions
    from vip.models import AuditEvent

    asked = []
    real = partitions.ensure_months

    def ensure_months(first: dt.date, last: dt.date, **kwargs):
        asked.append((first, last, AuditEvent.objects.filter(action=AuditEvent.Action.READ).count()))
        return real(first, last, **kwargs)

    monkeypatch.setattr(partitions, "ensure_months", ensure_months)
    with as_owner():
        generate(0.0001, log=lambda *parts: None, vacuum=False, migrate=False, check_foreign_keys=True)
    [(first, last, reads_before)] = asked
    oldest, newest = (
        AuditEvent.objects.filter(action=AuditEvent.Action.READ).order_by(f).values_list("at", flat=True)[0]
        for f in ("at", "-at")
    )
    assert first <= oldest.date() and newest.date() <= last
    assert reads_before == 0  # called before the COPY


def test_the_audit_trails_indexes_are_rebuilt_on_every_partition_after_a_bulk_load(transactional_db):
    """The generator drops a big table's indexes around its COPY and rebuilds them from their definitions: the
    audit trail's, a partitioned table's, must come back valid and on every monthly partition (an `ON ONLY`
    definition made an empty, invalid index of the parent, and every search of the trail read whole months)."""
    from bench.generate import _secondary_indexes

    with as_owner() as connection, connection.cursor() as cursor:
        indexes = _secondary_indexes(cursor, "vip_auditevent")
        assert indexes
        for name, _definition in indexes:
            cursor.execute(f'DROP INDEX "{name}"')
        for _name, definition in indexes:
            cursor.execute(definition)
        cursor.execute(
            "SELECT count(*) FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
            "WHERE c.relname = 'audit_candidate_records' AND i.indisvalid"
        )
        assert cursor.fetchone()[0] == 1
        cursor.execute(
            "SELECT count(*) FROM pg_inherits p JOIN pg_class c ON c.oid = p.inhrelid "
            "WHERE p.inhparent = 'vip_auditevent'::regclass AND c.relkind = 'r' AND NOT EXISTS ("
            "  SELECT 1 FROM pg_index i JOIN pg_inherits ip ON ip.inhrelid = i.indexrelid "
            "  WHERE i.indrelid = c.oid AND ip.inhparent = 'audit_candidate_records'::regclass)"
        )
        assert cursor.fetchone()[0] == 0  # no month without it
