"""The evaluation extract (issue 19, part 5): the program's records for an outside evaluator, without the people.

The Program Manager releases it (page) or an operator at the server (command); it holds no direct identifier,
its ids cannot be joined across extracts, each person's dates move together, ages are banded, a group of fewer
than 5 people stops it unless a data-use agreement is recorded, and every extract is audited with its reason.
"""

import base64
import csv
import datetime as dt
import io
import json
import re
import zipfile

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from candidates.models import Address, Candidate, Influencer, Phone
from notifications.models import Delivery, TeamMember
from reports import extract as research
from reports.tests.builders import DELIVERED, LEAD, arrest, at_noon, cn, offer, person, shot_again, small_program
from vip.audit import audit
from vip.models import AuditEvent

pytestmark = pytest.mark.django_db

REASON = "Outcome evaluation by the university criminology department"
DUA = "DUA-2026-014"
MARCH = dt.date(2026, 3, 10)
TODAY = timezone.localdate()


def five_alike(*, zip_code="87102", born=dt.date(1996, 5, 1), on=MARCH, sex="M", surname="Alike"):
    """Five men of the same age band, area and month of delivery: a group the check lets through."""
    people = []
    for n in range(5):
        someone = person(f"Person{n}", f"{surname}{n}", born, address=f"{n} Juniper Lane")
        someone.sex = sex
        someone.save()
        Address.objects.filter(candidate=someone).update(postal_code=zip_code)
        cn(someone, "closed", outcome=DELIVERED, on=on)
        people.append(someone)
    return people


def tables(extract) -> dict[str, list[dict]]:
    return {
        name.removesuffix(".csv"): list(csv.DictReader(io.StringIO(content.decode())))
        for name, content in extract.files.items()
        if name.endswith(".csv")
    }


def released(**kwargs):
    return research.evaluation_extract(reason=REASON, **kwargs)


# --- what it holds, and what it does not -----------------------------------------------------------------------


def test_it_holds_no_name_alias_address_phone_or_note(le_lead, officer, second_officer):
    people, _ = small_program(le_lead, officer, second_officer)
    ana = people["ana"]
    Phone.objects.create(candidate=ana, number="505-555-0142")
    Influencer.objects.create(candidate=ana, name="Mirabel Quillfeather", relationship="parent", phone="505-555-0199")
    ana.notes = "Talks about moving to Tucumcari"
    ana.save()
    files = b"".join(released(dua=DUA).files.values()).decode()
    identifiers = ["Anabel", "Quillfeather", "Marrowind", "Zephyr Row", "505-555-0142", "505-555-0199", "Tucumcari"]
    assert [word for word in identifiers if word in files] == []
    assert "2000-03-01" not in files  # Ana's date of birth


def test_a_sealed_persons_record_never_leaves(le_lead, officer, second_officer):
    people, _ = small_program(le_lead, officer, second_officer)
    extract = released(dua=DUA)
    assert len(tables(extract)["people"]) == Candidate.objects.count() - 1  # everyone but Sam, sealed
    shown = AuditEvent.objects.get(action="export").changes["shown"]["candidates.Candidate"]
    assert str(people["sam"].pk) not in shown


def test_the_same_person_has_another_id_in_each_extract(db):
    five_alike()
    first, second = tables(released())["people"], tables(released())["people"]
    assert {row["person_id"] for row in first}.isdisjoint({row["person_id"] for row in second})


def test_a_persons_cns_and_outcomes_carry_their_id(db):
    ana = five_alike()[0]
    arrest(ana, dt.date(2026, 5, 1))
    extract = tables(released())
    event = extract["outcome_events"][0]
    assert [cn["person_id"] for cn in extract["cns"]].count(event["person_id"]) == 1


def test_the_intervals_between_a_persons_dates_are_kept_and_the_dates_are_not(db):
    people = five_alike()
    ana = people[0]
    Delivery.objects.filter(candidate__in=people).update(created_at=at_noon(dt.date(2026, 1, 5)))  # all 29 then
    arrest(ana, dt.date(2026, 5, 1))
    extract = tables(released())
    events = extract["outcome_events"]
    cn_row = next(row for row in extract["cns"] if row["person_id"] == events[0]["person_id"])
    opened, door, arrested = (
        dt.date.fromisoformat(d) for d in (cn_row["identified_on"], cn_row["door_on"], events[0]["occurred_on"])
    )
    assert ((door - opened).days, (arrested - door).days) == (64, 52)  # 5 Jan -> 10 Mar -> 1 May, as recorded
    assert door != MARCH


def test_each_person_says_how_long_the_records_could_see_them_so_a_window_is_counted_only_once_elapsed(db):
    people = five_alike()
    Delivery.objects.filter(candidate__in=people).update(created_at=at_noon(dt.date(2026, 1, 5)))
    row = tables(released())["people"][0]
    assert int(row["days_observed"]) == (TODAY - dt.date(2026, 1, 5)).days  # an interval: the shift leaves it true


def test_the_stage_dates_come_from_the_trail_and_keep_their_interval(db):
    ana = five_alike()[0]
    delivery = Delivery.objects.get(candidate=ana)
    Delivery.objects.filter(pk=delivery.pk).update(created_at=at_noon(TODAY - dt.timedelta(days=9)))
    audit(actor=None, action="transition", obj=delivery, from_state="identified", to_state="eligible")
    rows = [row for row in tables(released())["cns"] if row["eligible_on"]]
    opened, eligible = (dt.date.fromisoformat(rows[0][name]) for name in ("identified_on", "eligible_on"))
    assert (len(rows), (eligible - opened).days) == (1, 9)


def test_the_rows_are_in_the_order_of_their_pseudonyms_not_of_the_records(db):
    five_alike()
    people = tables(released())["people"]
    assert [row["person_id"] for row in people] == sorted(row["person_id"] for row in people)


def test_each_persons_dates_move_by_their_own_offset(db):
    keying = research.Keying()
    offsets = {keying.shift_days(pk) for pk in range(1, 200)}
    assert 0 not in offsets and len(offsets) > 50
    assert all(abs(days) <= research.DATE_SHIFT_DAYS for days in offsets)


def test_ages_are_given_in_bands_on_the_day_the_person_was_identified(db):
    for n, born in enumerate([dt.date(2009, 6, 1), dt.date(2004, 1, 1), dt.date(1999, 1, 1), dt.date(1980, 1, 1)]):
        someone = person(f"Aged{n}", "Person", born)
        cn(someone, "identified", created_at=at_noon(dt.date(2026, 3, 1)))
    bands = sorted(row["age_band"] for row in tables(released(dua=DUA))["people"])
    assert bands == ["17 or younger", "18 to 24", "25 to 29", "30 or older"]


def test_a_17_year_old_is_a_juvenile_band_and_an_18_year_old_is_not():
    assert (research.age_band(17), research.age_band(18)) == ("17 or younger", "18 to 24")


def test_the_area_is_the_zip_code_and_nothing_else(db):
    assert [research.area_of(code) for code in ("87102-1234", "=cmd", "", "871")] == [
        "87102",
        "unknown",
        "unknown",
        "unknown",
    ]


# --- the k-anonymity check --------------------------------------------------------------------------------------


def test_a_group_of_fewer_than_five_people_refuses_the_extract(db):
    five_alike()
    loner = person("Lonely", "Onlyone", dt.date(1970, 1, 1), address="1 Far Away Rd")
    cn(loner, "refused", outcome="refused", on=dt.date(2026, 4, 2))
    with pytest.raises(research.ExtractRefused) as refused:
        released()
    assert "30 or older, sex X, area unknown, 2026-04: 1 person" in refused.value.message
    assert not AuditEvent.objects.filter(action="export").exists()


def test_the_refusal_says_what_to_do(db):
    person("Lonely", "Onlyone", dt.date(1970, 1, 1))
    with pytest.raises(research.ExtractRefused) as refused:
        released()
    assert "record the reference of the data-use agreement" in refused.value.reasons["data_use_agreement"]


def test_five_people_alike_pass_without_an_agreement(db):
    five_alike()
    assert len(tables(released())["people"]) == 5


def test_a_persons_other_cn_in_another_month_is_a_group_of_its_own(db):
    someone = five_alike()[0]
    cn(someone, "refused", outcome="refused", on=dt.date(2026, 6, 1))
    with pytest.raises(research.ExtractRefused, match="2026-06: 1 person"):
        released()


def test_a_data_use_agreement_releases_an_extract_with_small_groups(db):
    person("Lonely", "Onlyone", dt.date(1970, 1, 1))
    extract = released(dua=DUA)
    package = json.loads(extract.files["datapackage.json"])
    assert package["vip_provenance"]["data_use_agreement"] == DUA
    assert package["vip_provenance"]["k_anonymity"]["released_under_data_use_agreement"] is True


# --- the audit -------------------------------------------------------------------------------------------------


def test_the_extract_is_audited_with_its_reason_agreement_and_records(program_manager):
    people = five_alike()
    extract = research.evaluation_extract(reason=REASON, dua=DUA, user=program_manager)
    event = AuditEvent.objects.get(action="export")
    assert (event.actor, event.note, event.object_id) == (program_manager, REASON, extract.extract_id)
    assert event.changes["data_use_agreement"] == DUA
    assert event.changes["shown"]["candidates.Candidate"] == sorted(str(p.pk) for p in people)


def test_the_key_is_kept_nowhere(program_manager, monkeypatch):
    key = bytes(range(32))
    monkeypatch.setattr(research.secrets, "token_bytes", lambda size: key)
    five_alike()
    extract = research.evaluation_extract(reason=REASON, user=program_manager)
    kept = json.dumps(AuditEvent.objects.get(action="export").changes).encode() + b"".join(extract.files.values())
    assert [form for form in (key, key.hex().encode(), base64.b64encode(key)) if form in kept] == []


def test_only_the_program_manager_releases_it(le_lead):
    five_alike()
    with pytest.raises(research.DomainError, match="Only the Program Manager"):
        research.evaluation_extract(reason=REASON, user=le_lead)


# --- the data dictionary (Frictionless Data Package v1) ---------------------------------------------------------

TABLE_SCHEMA_TYPES = {"string", "number", "integer", "boolean", "object", "array", "date", "time", "datetime",
                      "year", "yearmonth", "duration", "geopoint", "geojson", "any"}  # fmt: skip
NAME = re.compile(r"^[-a-z0-9._/]+$")


def test_the_data_package_describes_every_file_column_by_column(db):
    five_alike()
    extract = released()
    package = json.loads(extract.files["datapackage.json"])
    for resource in package["resources"]:
        header = next(csv.reader(io.StringIO(extract.files[resource["path"]].decode())))
        assert [field["name"] for field in resource["schema"]["fields"]] == header


def test_the_data_package_has_the_shape_the_specification_requires(db):
    five_alike()
    package = json.loads(released().files["datapackage.json"])
    resources = {resource["name"]: resource for resource in package["resources"]}
    assert (package["profile"], bool(NAME.match(package["name"]))) == ("tabular-data-package", True)
    assert dt.datetime.fromisoformat(package["created"]).tzinfo is not None
    for name, resource in resources.items():
        fields = resource["schema"]["fields"]
        names = {field["name"] for field in fields}
        assert NAME.match(name) and resource["profile"] == "tabular-data-resource" and resource["path"] == f"{name}.csv"
        assert all(field["type"] in TABLE_SCHEMA_TYPES and field["description"] for field in fields)
        assert resource["schema"].get("primaryKey", "person_id") in names
        for key in resource["schema"].get("foreignKeys", []):
            assert key["fields"] in names and key["reference"]["fields"] in {
                f["name"] for f in resources[key["reference"]["resource"]]["schema"]["fields"]
            }


def test_every_value_fits_its_declared_type_and_choices(le_lead, officer, second_officer):
    small_program(le_lead, officer, second_officer)
    extract = released(dua=DUA)
    package = json.loads(extract.files["datapackage.json"])
    patterns = {"date": r"\d{4}-\d{2}-\d{2}", "yearmonth": r"\d{4}-\d{2}", "integer": r"\d+", "boolean": "true|false"}
    for resource in package["resources"]:
        for row in csv.DictReader(io.StringIO(extract.files[resource["path"]].decode())):
            for field in resource["schema"]["fields"]:
                value = row[field["name"]]
                constraints = field.get("constraints", {})
                assert value or not constraints.get("required"), field["name"]
                if value and field["type"] in patterns:
                    assert re.fullmatch(patterns[field["type"]], value), (field["name"], value)
                if value and constraints.get("enum"):
                    assert value in constraints["enum"], (field["name"], value)


def test_a_cn_row_counts_its_team_and_services(le_lead, social_worker):
    ana = five_alike()[0]
    delivery = Delivery.objects.get(candidate=ana)
    TeamMember.objects.create(delivery=delivery, user=le_lead, role=LEAD)
    TeamMember.objects.create(delivery=delivery, user=social_worker, role="social_services")
    offer(ana, "job_training", "accepted", MARCH, delivery=delivery)
    offer(ana, "shelter", "declined", MARCH, delivery=delivery)
    rows = tables(released())["cns"]
    counted = sorted(
        (row["team_size"], row["command_level_on_team"], row["services_offered"], row["services_accepted"])
        for row in rows
    )
    assert counted[-1] == ("2", "true", "2", "1") and counted[0] == ("0", "false", "0", "0")


def test_the_outcome_events_are_all_there(le_lead, officer, second_officer):
    small_program(le_lead, officer, second_officer)
    events = tables(released(dua=DUA))["outcome_events"]
    assert sorted((e["kind"], e["category"]) for e in events) == sorted(
        [("arrest", "other_violence"), ("arrest", "other_violence"), ("arrest", "gun_violence"),
         ("revictimization", ""), ("revictimization", "")]
    )  # fmt: skip


# --- the page --------------------------------------------------------------------------------------------------

FORM = {"reason": REASON, "data_use_agreement": ""}


def test_the_program_manager_downloads_the_extract_as_a_zip(client, program_manager):
    five_alike()
    client.force_login(program_manager)
    answer = client.post("/reports/evaluation-extract/", FORM)
    names = zipfile.ZipFile(io.BytesIO(answer.content)).namelist()
    assert answer["Content-Type"] == "application/zip"
    assert sorted(names) == ["cns.csv", "datapackage.json", "outcome_events.csv", "people.csv"]


def test_the_page_says_before_anything_is_made_which_groups_are_too_small(client, program_manager):
    person("Lonely", "Onlyone", dt.date(1970, 1, 1))
    client.force_login(program_manager)
    page = client.get("/reports/evaluation-extract/").content.decode()
    assert "fewer than 5 people today" in page and "Onlyone" not in page


def test_a_refused_extract_keeps_what_was_typed_and_says_why(client, program_manager):
    person("Lonely", "Onlyone", dt.date(1970, 1, 1))
    client.force_login(program_manager)
    answer = client.post("/reports/evaluation-extract/", FORM)
    page = answer.content.decode()
    assert answer.status_code == 409 and REASON in page
    assert "record the reference of the data-use agreement" in page


def test_a_missing_reason_is_refused_next_to_the_field(client, program_manager):
    client.force_login(program_manager)
    answer = client.post("/reports/evaluation-extract/", {"reason": "", "data_use_agreement": DUA})
    assert answer.status_code == 400 and "Give the reason" in answer.content.decode()
    assert not AuditEvent.objects.filter(action="export").exists()


@pytest.mark.parametrize("persona", ["le_lead", "officer", "social_worker", "administrator", "custodian"])
def test_no_one_else_may_open_the_page(client, persona, request):
    client.force_login(request.getfixturevalue(persona))
    assert client.get("/reports/evaluation-extract/").status_code == 403


def test_the_dashboard_links_the_program_manager_to_it(client, program_manager):
    client.force_login(program_manager)
    assert "/reports/evaluation-extract/" in client.get("/reports/dashboard/").content.decode()


# --- the command (an operator at the server) --------------------------------------------------------------------


def test_the_command_writes_the_files_and_audits_them(tmp_path):
    five_alike()
    call_command("evaluation_extract", out=str(tmp_path / "x"), reason=REASON, stdout=io.StringIO())
    event = AuditEvent.objects.get(action="export")
    assert sorted(p.name for p in (tmp_path / "x").iterdir())[1] == "datapackage.json"
    assert (event.actor, event.note, event.changes["by"].startswith("manage.py evaluation_extract")) == (
        None,
        REASON,
        True,
    )


def test_the_command_refuses_small_groups_unless_given_an_agreement(tmp_path):
    person("Lonely", "Onlyone", dt.date(1970, 1, 1))
    with pytest.raises(CommandError, match="fewer than 5 people"):
        call_command("evaluation_extract", out=str(tmp_path / "x"), reason=REASON)
    call_command("evaluation_extract", out=str(tmp_path / "y"), reason=REASON, dua=DUA, stdout=io.StringIO())
    assert (tmp_path / "y" / "people.csv").exists()


def test_the_files_written_at_the_server_are_readable_by_the_operator_only(tmp_path):
    five_alike()
    call_command("evaluation_extract", out=str(tmp_path / "x"), reason=REASON, stdout=io.StringIO())
    modes = {oct(path.stat().st_mode & 0o777) for path in (tmp_path / "x").iterdir()}
    assert (modes, oct((tmp_path / "x").stat().st_mode & 0o777)) == ({"0o600"}, "0o700")


def test_the_command_asks_for_a_real_reason(tmp_path):
    five_alike()
    with pytest.raises(CommandError, match="at least 10 characters"):
        call_command("evaluation_extract", out=str(tmp_path / "x"), reason="eval")
    assert not AuditEvent.objects.filter(action="export").exists()


def test_the_command_does_not_write_into_a_folder_with_files(tmp_path):
    (tmp_path / "old.csv").write_text("x")
    with pytest.raises(CommandError, match="not empty"):
        call_command("evaluation_extract", out=str(tmp_path), reason=REASON)


def test_re_victimisation_dates_move_with_the_persons_other_dates(db):
    ana = five_alike()[0]
    shot_again(ana, dt.date(2026, 4, 10))
    extract = tables(released())
    event = extract["outcome_events"][0]
    door = next(r["door_on"] for r in extract["cns"] if r["person_id"] == event["person_id"])
    assert (dt.date.fromisoformat(event["occurred_on"]) - dt.date.fromisoformat(door)).days == 31
