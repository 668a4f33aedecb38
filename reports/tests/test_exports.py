"""CSV exports: only what the user may see, filtered as on screen, with a reason that is audited."""

import datetime as dt

import pytest

from reports.tests.builders import offer, person, small_program
from vip.models import AuditEvent

pytestmark = pytest.mark.django_db

TODAY = dt.date.today()
REASON = {"reason": "Quarterly report to the Chief of Police"}


def body(answer) -> str:
    return b"".join(answer.streaming_content).decode()


def test_it_asks_for_a_reason_before_exporting(client, program_manager):
    client.force_login(program_manager)
    page = client.get("/reports/export/candidates.csv")
    assert page.status_code == 200
    assert "Why do you need this export?" in page.content.decode()


def test_a_missing_reason_is_refused_with_what_to_do(client, program_manager):
    client.force_login(program_manager)
    page = client.post("/reports/export/candidates.csv", {"reason": "x"})
    assert "at least 10 characters" in page.content.decode()
    assert not AuditEvent.objects.filter(action="export").exists()


def test_the_export_and_its_reason_are_audited(client, program_manager):
    person("Orla", "Brightwater", dt.date(1998, 4, 4))
    client.force_login(program_manager)
    answer = client.post("/reports/export/candidates.csv", REASON)
    assert "Brightwater" in body(answer)
    event = AuditEvent.objects.get(action="export")
    assert (event.note, event.actor, event.changes["rows"]) == (REASON["reason"], program_manager, 1)


def test_services_are_filtered_as_on_screen(client, program_manager):
    adult = person("Orla", "Brightwater", dt.date(1998, 4, 4))
    offer(adult, "shelter", "offered", TODAY)
    offer(adult, "food_box", "accepted", TODAY)
    client.force_login(program_manager)
    lines = body(client.post("/reports/export/services.csv?status=accepted", REASON)).splitlines()
    assert len(lines) == 2 and "Food box" in lines[1]


def test_social_services_export_only_the_offers_they_may_see(client, social_worker):
    theirs = person("Orla", "Brightwater", dt.date(1998, 4, 4))
    offer(theirs, "shelter", "offered", TODAY, offered_by=social_worker)
    offer(person("Hidden", "Person", dt.date(1990, 1, 1)), "shelter", "offered", TODAY)
    client.force_login(social_worker)
    text = body(client.post("/reports/export/services.csv", REASON))
    assert "Brightwater" in text and "Hidden" not in text


def test_a_figure_exports_the_records_it_counts(client, program_manager, le_lead, officer, second_officer):
    people, _ = small_program(le_lead, officer, second_officer)
    client.force_login(program_manager)
    url = "/reports/export/candidates.csv?figure=juveniles&start=2026-01-01&end=2026-06-30"
    lines = body(client.post(url, REASON)).splitlines()
    assert len(lines) == 2 and "Marrowind" in lines[1]


def test_a_cell_cannot_smuggle_a_spreadsheet_formula(client, program_manager):
    person("=HYPERLINK(1)", "Brightwater", dt.date(1998, 4, 4))
    client.force_login(program_manager)
    assert "'=HYPERLINK(1)" in body(client.post("/reports/export/candidates.csv", REASON))


def test_an_officer_may_not_export_candidates(client, officer):
    client.force_login(officer)
    assert client.get("/reports/export/candidates.csv").status_code == 403


def test_a_figure_of_another_kind_of_record_is_refused_with_the_reason(client, program_manager):
    client.force_login(program_manager)
    answer = client.get("/reports/export/services.csv?figure=contacts")
    assert answer.status_code == 400
    assert "not a figure of services" in answer.content.decode()


# --- the contacts CSV (issue 18: "no delivery date, outcome or team, and its timestamps carry microseconds") ---

CONTACTS = "/reports/export/cns.csv?figure=contacts&start=2026-01-01&end=2026-06-30"
CN_HEADER = "id,candidate_id,candidate,state,state_entered_at,attempt,planned_for,closed_at"


def contacts_csv(client, user, le_lead, officer, second_officer):
    import csv

    people, cns = small_program(le_lead, officer, second_officer)
    client.force_login(user)
    rows = list(csv.DictReader(body(client.post(CONTACTS, REASON)).splitlines()))
    return {int(row["candidate_id"]): row for row in rows}, people


def test_the_contacts_csv_keeps_its_columns_and_appends_delivery_date_outcome_and_team(
    client, program_manager, le_lead, officer, second_officer
):
    small_program(le_lead, officer, second_officer)
    client.force_login(program_manager)
    header = body(client.post(CONTACTS, REASON)).splitlines()[0]
    assert header == CN_HEADER + ",delivery_date,outcome,team"


def test_each_contact_says_when_it_was_delivered_how_and_by_whom(
    client, program_manager, le_lead, officer, second_officer
):
    rows, people = contacts_csv(client, program_manager, le_lead, officer, second_officer)
    cal = rows[people["cal"].pk]
    assert (cal["delivery_date"], cal["outcome"]) == (
        "2026-04-20",
        "Delivered to a family member, influencer or associate",
    )
    name = second_officer.get_full_name() or second_officer.username
    assert cal["team"] == f"{name} (Officer)"


def test_the_contacts_csv_times_are_iso_8601_to_the_second(client, program_manager, le_lead, officer, second_officer):
    import re

    rows, people = contacts_csv(client, program_manager, le_lead, officer, second_officer)
    moment = rows[people["ana"].pk]["state_entered_at"]
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d", moment), moment


def test_the_candidates_csv_times_are_iso_8601_to_the_second(client, program_manager):
    import re

    person("Orla", "Brightwater", dt.date(1998, 4, 4))
    client.force_login(program_manager)
    created = body(client.post("/reports/export/candidates.csv", REASON)).splitlines()[1].split(",")[-1]
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d", created), created


def test_the_contacts_csv_reads_as_many_queries_for_many_cns_as_for_one(client, program_manager, le_lead, officer):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from reports.tests.builders import DELIVERED, OFFICER, cn

    client.force_login(program_manager)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            body(client.post("/reports/export/cns.csv", REASON))
        return len(captured)

    cn(person("P0", "One", dt.date(1990, 1, 1)), "closed", outcome=DELIVERED, on=TODAY, team=[(officer, OFFICER)])
    one = queries()
    for n in range(1, 8):
        cn(person(f"P{n}", "N", dt.date(1990, 1, 1)), "closed", outcome=DELIVERED, on=TODAY, team=[(officer, OFFICER)])
    assert queries() == one
