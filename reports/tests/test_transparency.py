"""The public transparency report (SOP 2-64-2): aggregates only, small counts suppressed, sealed never counted."""

import datetime as dt
import json

import pytest

from reports import transparency as t
from reports.tests.builders import DELIVERED, cn, person, small_program

pytestmark = pytest.mark.django_db


@pytest.fixture
def program(le_lead, officer, second_officer):
    return small_program(le_lead, officer, second_officer)


def periods(client):
    return {
        p["period"]: p for year in client.get("/reports/transparency.json").json()["years"] for p in year["periods"]
    }


def test_anyone_may_read_it_without_signing_in(client, program):
    assert client.get("/reports/transparency/").status_code == 200
    assert client.get("/reports/transparency.json").status_code == 200


def test_no_name_date_of_birth_or_address_appears(client, program):
    people, _ = program
    published = (
        client.get("/reports/transparency/").content.decode()
        + client.get("/reports/transparency.json").content.decode()
    )
    personal = [p.first_name for p in people.values()] + [p.last_name for p in people.values()]
    personal += [p.date_of_birth.isoformat() for p in people.values()] + ["12 Zephyr Row", "Zephyr"]
    assert [word for word in personal if word in published] == []


def test_counts_from_one_to_four_are_published_as_fewer_than_five(client, program):
    q1 = periods(client)["2026-Q1"]
    assert q1["contacts"] == "fewer than 5"


def test_a_total_that_would_reveal_a_suppressed_count_is_withheld(client, le_lead):
    # Q1: 6 contacts, Q2: 2 contacts. The year (8) minus Q1 (6) would give Q2 away.
    for n in range(6):
        cn(person(f"A{n}", "Q1", dt.date(2000, 1, 1)), "closed", outcome=DELIVERED, on=dt.date(2026, 2, 1 + n))
    for n in range(2):
        cn(person(f"B{n}", "Q2", dt.date(2000, 1, 1)), "closed", outcome=DELIVERED, on=dt.date(2026, 5, 1 + n))
    published = periods(client)
    assert published["2026-Q2"]["contacts"] == "fewer than 5"
    assert (published["2026-Q1"]["contacts"], published["2026"]["contacts"]) == ("suppressed", 8)


def test_no_published_sum_has_exactly_one_hidden_cell():
    cells = {"total": 9, "a": 3, "b": 6, "c": 0}
    shown = t.suppress(cells, [("total", ["a", "b", "c"])])
    assert shown == {"total": 9, "a": "fewer than 5", "b": "suppressed", "c": 0}


def test_a_rate_is_not_published_when_its_count_is_suppressed(client, program):
    q2 = periods(client)["2026-Q2"]
    assert q2["reoffended"] == "fewer than 5"
    assert q2["reoffence_rate"] == "suppressed"


def test_sealed_records_are_never_counted(client, le_lead):
    for n in range(5):
        cn(
            person(f"S{n}", "Sealed", dt.date(2000, 1, 1), sealed=True),
            "closed",
            outcome=DELIVERED,
            on=dt.date(2026, 2, 2),
        )
    assert periods(client)["2026-Q1"]["contacts"] == 0


def test_five_or_more_are_published_as_counts(client, le_lead):
    for n in range(5):
        cn(person(f"C{n}", "Open", dt.date(2000, 1, 1)), "closed", outcome=DELIVERED, on=dt.date(2026, 2, 2))
    q1 = periods(client)["2026-Q1"]
    assert (q1["contacts"], q1["age.25_to_29"], q1["age.18_to_24"]) == (5, 5, 0)


def test_the_json_is_plain_aggregates(client, program):
    document = client.get("/reports/transparency.json").json()
    values = [
        v
        for year in document["years"]
        for p in year["periods"]
        for k, v in p.items()
        if k not in ("period", "start", "end", "quarter")
    ]
    assert {type(v) for v in values} <= {int, str}
    assert {v for v in values if isinstance(v, str) and not v.endswith("%")} <= {"fewer than 5", "suppressed", "n/a"}
    assert json.dumps(document)


# --- a page for the public (issue 18: "carries the 'Restricted system' footer, and its columns don't line up") ---


def test_the_public_report_does_not_carry_the_restricted_system_footer(client, program):
    html = client.get("/reports/transparency/").content.decode()
    assert "Restricted system" not in html
    assert "public figures, aggregates only" in html


def test_the_staff_pages_still_carry_the_restricted_system_footer(client, program_manager):
    client.force_login(program_manager)
    assert "Restricted system. Use is monitored" in client.get("/reports/dashboard/").content.decode()


def test_every_table_of_a_year_declares_the_same_columns(client, program):
    import re

    html = client.get("/reports/transparency/").content.decode()
    colgroups = re.findall(r"<colgroup>.*?</colgroup>", html)
    assert colgroups and len(set(colgroups)) == 1
    assert html.count('<table class="report-table">') == len(colgroups)
