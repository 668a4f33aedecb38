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
