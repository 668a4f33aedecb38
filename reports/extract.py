"""The evaluation extract (issue 19, part 5): the program's records for an outside evaluator, without the people.

One row per person, one per CN and one per outcome event, as CSV files described by a Frictionless Data
Package (`datapackage.json`: a table schema per file, and where the extract came from). What protects the
people in it (docs/evaluation-extract.md says it at length, with the limits):

- **Pseudonyms keyed per extract.** Each id is HMAC-SHA256 of the record's number under a random key made for
  this extract and then forgotten: it is in no file, no table and no audit row. Two extracts give the same
  person different ids, so they cannot be joined, and no one (the program included) can turn an id back into
  a person.
- **Dates shifted per person.** Every date of a person (their CNs' and their outcome events' too) moves by
  the same number of days, drawn from the key (at most DATE_SHIFT_DAYS either way, never 0): intervals
  between a person's dates are kept, the calendar dates are not. The month of the door (`delivery_month`) is
  given unshifted, since an evaluation compares periods: it is one of the quasi-identifiers checked below.
- **Ages in bands** (AGE_BANDS, on the day the person was identified); no date of birth.
- **No names, aliases, addresses, phone numbers, notes, free text or staff names.** The area is the
  5-digit ZIP code of the person's latest address (the records have no district or area command: the ZIP
  is the nearest field), or "unknown".
- **k-anonymity before release.** Each combination of the quasi-identifiers (age band, sex, area, month of
  delivery) must describe at least K_ANONYMITY people, or the extract is refused, saying which combinations
  are too small (counts, not people), unless the Program Manager records a data-use agreement's reference.
- **Sealed records never leave** (NMSA 32A-2-26): the scope is every unsealed record.

Every extract is audited before it leaves (`_audit`), the way the other exports are (reports/exports.py):
an `export` row with the reason, the agreement, and every record that left.
"""

from __future__ import annotations

import csv
import datetime as dt
import getpass
import hashlib
import hmac
import io
import json
import re
import secrets
import uuid
import zipfile
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from django.db.models import F, Min
from django.utils import timezone

from candidates.models import Address, Candidate, OutcomeEvent, ServiceOffer, age_on
from notifications.models import Delivery, Encounter, State, TeamMember
from reports import figures as f
from reports.transparency import AGE_BANDS, SMALLEST_PUBLISHED
from vip import roles
from vip.audit import audit
from vip.audit.middleware import asked
from vip.errors import DomainError
from vip.exports import REASON_MIN_LENGTH
from vip.models import AuditEvent

K_ANONYMITY = SMALLEST_PUBLISHED  # the smallest group the program lets out, as in its public report
DATE_SHIFT_DAYS = 182  # at most half a year either way
PSEUDONYM_HEX = 20  # 80 bits of the HMAC: no two records of one extract share an id in practice
UNKNOWN_AREA = "unknown"
QUASI_IDENTIFIERS = ("age_band", "sex", "area", "delivery_month")
DUA_MAX_LENGTH = 100
SHOWN_CELLS = 20  # the refusal names this many small combinations, then says how many more
AUDIT_TYPE = "reports.evaluation_extract"
# The CN's stage dates, from the trail's transition rows (the first time the CN entered the state).
STAGES = {"eligible_on": State.ELIGIBLE, "ready_on": State.READY, "cancelled_on": State.CANCELLED}


def may_extract(user) -> bool:
    """The Program Manager alone releases the program's records to an evaluator (issue 19)."""
    return roles.is_program_manager(user)


def age_band(age: int) -> str:
    """The program's age bands (reports/transparency.py, whose edge at 17 is SOP 2-64-5's juvenile line)."""
    return next(label for _, label, youngest, oldest in AGE_BANDS if youngest <= max(age, 0) <= oldest)


def area_of(postal_code: str) -> str:
    """The 5-digit ZIP code, or "unknown": a ZIP+4 is cut, anything else (a typo, text) is not released."""
    match = re.match(r"\s*(\d{5})", postal_code or "")
    return match.group(1) if match else UNKNOWN_AREA


# --- the key: pseudonyms and date shifts -----------------------------------------------------------------


class Keying:
    """This extract's secret. Made fresh for each extract, held only while it is written, never stored."""

    def __init__(self, key: bytes | None = None):
        self._key = key or secrets.token_bytes(32)

    def _mac(self, text: str) -> bytes:
        return hmac.new(self._key, text.encode(), hashlib.sha256).digest()

    def pseudonym(self, kind: str, pk: int) -> str:
        return self._mac(f"{kind}:{pk}").hex()[:PSEUDONYM_HEX]

    def shift_days(self, person_pk: int) -> int:
        """The person's offset: the same for all their dates, between -DATE_SHIFT_DAYS and +DATE_SHIFT_DAYS, not 0."""
        drawn = int.from_bytes(self._mac(f"shift:{person_pk}")[:8], "big") % (2 * DATE_SHIFT_DAYS)
        return drawn - DATE_SHIFT_DAYS if drawn < DATE_SHIFT_DAYS else drawn - DATE_SHIFT_DAYS + 1

    def shifted(self, person_pk: int, day: dt.date | None) -> str:
        return (day + dt.timedelta(days=self.shift_days(person_pk))).isoformat() if day else ""


# --- the data dictionary: each file's columns, their types and meaning ---------------------------------------


@dataclass(frozen=True)
class Column:
    name: str
    type: str  # a Table Schema type: string, integer, boolean, date, yearmonth
    description: str
    enum: tuple[str, ...] = ()
    required: bool = False


def _choices(choices) -> tuple[str, ...]:
    return tuple(value for value, _ in choices)


BANDS = tuple(label for _, label, _, _ in AGE_BANDS)
SHIFTED = " Shifted by the person's offset (the same for all their dates in this extract)."
PEOPLE = (
    Column(
        "person_id", "string", "The person's pseudonym in this extract (it differs in every extract).", required=True
    ),
    Column("age_band", "string", "Age on the day the person was first identified, in bands.", BANDS, True),
    Column("sex", "string", "F female, M male, X other or not stated.", _choices(Candidate.Sex.choices), True),
    Column(
        "area",
        "string",
        "The 5-digit ZIP code of the person's latest recorded address, or 'unknown' (the records hold no district).",
        required=True,
    ),
    Column(
        "identified_on", "date", "The day the person was first identified (their first CN, or the record)." + SHIFTED
    ),
    Column("cns", "integer", "How many CNs the person has had.", required=True),
    Column(
        "first_contact_on", "date", "The day of their first contact (delivered to them or an influencer)." + SHIFTED
    ),
    Column(
        "outcome_events", "integer", "How many outcome events (arrests, re-victimisations) are recorded.", required=True
    ),
    Column(
        "days_observed",
        "integer",
        "Days from identified_on to the day the extract was made: how long the records could see this person (an "
        "interval, so the date shift leaves it true). A follow-up window is complete only if it ends by "
        "identified_on + days_observed.",
    ),
)
CNS = (
    Column("cn_id", "string", "The CN's pseudonym in this extract.", required=True),
    Column("person_id", "string", "The person the CN is for (people.person_id).", required=True),
    Column("age_band", "string", "The person's age on the day the CN was opened, in bands.", BANDS, True),
    Column("state", "string", "The CN's state now (docs/workflow.md).", _choices(State.choices), True),
    Column("identified_on", "date", "The day the CN was opened (the person identified for it)." + SHIFTED),
    Column("eligible_on", "date", "The day eligibility was determined, from the audit trail." + SHIFTED),
    Column("ready_on", "date", "The day the CN was approved as ready to deliver, from the audit trail." + SHIFTED),
    Column("first_attempt_on", "date", "The day of the first encounter at the door." + SHIFTED),
    Column("door_on", "date", "The day of the latest encounter at the door, whose outcome follows." + SHIFTED),
    Column("outcome", "string", "What happened at the latest encounter.", _choices(Encounter.Outcome.choices)),
    Column(
        "delivery_month",
        "yearmonth",
        "The calendar month of the latest encounter at the door, NOT shifted (a quasi-identifier checked for k >= 5).",
    ),
    Column("attempts", "integer", "Delivery attempts (a not-located CN is tried again).", required=True),
    Column("closed_on", "date", "The day the LE Lead closed the CN." + SHIFTED),
    Column("cancelled_on", "date", "The day the CN was cancelled, from the audit trail." + SHIFTED),
    Column(
        "team_size",
        "integer",
        "The members of the CN's team (LE Lead, officers, trainees, social services).",
        required=True,
    ),
    Column("command_level_on_team", "boolean", "A command-level officer was on the team (SOP 2-64-6)."),
    Column("letter_presented", "boolean", "The personalised letter was presented at the latest encounter."),
    Column("gvi_message_delivered", "boolean", "The GVI message was delivered at the latest encounter."),
    Column("social_services_stayed", "boolean", "Social services stayed for their component; empty if not recorded."),
    Column("services_offered", "integer", "Service offers recorded against this CN.", required=True),
    Column("services_accepted", "integer", "Of those, accepted or completed.", required=True),
)
OUTCOMES = (
    Column("person_id", "string", "The person (people.person_id).", required=True),
    Column(
        "kind", "string", "A new arrest or offence, or a re-victimisation.", _choices(OutcomeEvent.Kind.choices), True
    ),
    Column("category", "string", "The offence's category (arrests).", _choices(OutcomeEvent.Category.choices)),
    Column("occurred_on", "date", "The day it happened." + SHIFTED, required=True),
)


@dataclass(frozen=True)
class Table:
    name: str
    title: str
    columns: tuple[Column, ...]
    primary_key: str = ""

    @property
    def path(self) -> str:
        return f"{self.name}.csv"

    @property
    def header(self) -> list[str]:
        return [column.name for column in self.columns]


TABLES = (
    Table("people", "One row per person identified", PEOPLE, "person_id"),
    Table("cns", "One row per Custom Notification", CNS, "cn_id"),
    Table("outcome_events", "One row per outcome event after identification", OUTCOMES),
)


# --- the records, read as values (no person's record is made into an object) ---------------------------------


@dataclass
class Records:
    people: dict[int, dict]
    cns: list[dict]
    outcomes: list[dict]


def _first_per(rows, key: str, value: str) -> dict:
    found: dict = {}
    for row in rows:
        found.setdefault(row[key], row[value])
    return found


def read_records(*, whole: bool = True) -> Records:
    """Every unsealed person and CN, with what the files need (`whole`) or what the privacy check needs, in a
    fixed number of queries."""
    scope = f.all_unsealed_scope()
    people = {row["pk"]: row for row in scope.candidates.values("pk", "date_of_birth", "sex", "created_at")}
    areas = _first_per(
        Address.objects.filter(candidate_id__in=scope.candidates.values("pk"))
        .order_by("candidate_id", F("valid_from").desc(nulls_last=True), "-id")
        .values("candidate_id", "postal_code"),
        "candidate_id",
        "postal_code",
    )
    cns = list(
        scope.deliveries.order_by("pk").values("pk", "candidate_id", "state", "attempt", "created_at", "closed_at")
    )
    cn_ids = scope.deliveries.values("pk")
    encounters: dict[int, list[dict]] = defaultdict(list)
    for row in (
        Encounter.objects.filter(delivery_id__in=cn_ids)
        .order_by("occurred_at", "id")
        .values(
            "delivery_id",
            "outcome",
            "occurred_at",
            "letter_presented",
            "gvi_message_delivered",
            "social_services_stayed",
        )
    ):
        encounters[row["delivery_id"]].append(row)
    team, offers, entered = _cn_details(cn_ids) if whole else ({}, {}, {})
    for cn in cns:
        cn["encounters"] = encounters.get(cn["pk"], [])
        cn["team"] = team.get(cn["pk"], [])
        cn["offers"] = offers.get(cn["pk"], [])
        cn["entered"] = {name: entered.get((str(cn["pk"]), state)) for name, state in STAGES.items()}
    for pk, person in people.items():
        person["area"] = area_of(areas.get(pk, ""))
        person["cns"] = []
    for cn in cns:
        people[cn["candidate_id"]]["cns"].append(cn)
    outcomes = list(
        OutcomeEvent.objects.filter(candidate_id__in=scope.candidates.values("pk"))
        .order_by("candidate_id", "occurred_on", "pk")
        .values("pk", "candidate_id", "kind", "category", "occurred_on")
    )
    return Records(people=people, cns=cns, outcomes=outcomes)


def _cn_details(cn_ids) -> tuple[dict, dict, dict]:
    """What only the files need (the privacy check does not): each CN's team, service offers and stage dates."""
    team: dict[int, list[bool]] = defaultdict(list)
    for delivery_id, command in TeamMember.objects.filter(delivery_id__in=cn_ids).values_list(
        "delivery_id", "user__personnel__is_command_level"
    ):
        team[delivery_id].append(bool(command))
    offers: dict[int, list[str]] = defaultdict(list)
    for delivery_id, status in ServiceOffer.objects.filter(delivery_id__in=cn_ids).values_list("delivery_id", "status"):
        offers[delivery_id].append(status)
    entered: dict[tuple[str, str], dt.datetime] = {
        (row["object_id"], row["to_state"]): row["first"]
        for row in AuditEvent.objects.filter(
            action=AuditEvent.Action.TRANSITION,
            object_type=Delivery._meta.label,
            to_state__in=list(STAGES.values()),
        )
        .values("object_id", "to_state")
        .annotate(first=Min("at"))
    }
    return team, offers, entered


def _day(moment: dt.datetime | None) -> dt.date | None:
    return timezone.localdate(moment) if moment else None


def _identified_on(person: dict) -> dt.date:
    """The day the person was first identified: their first CN's opening, or their record's creation."""
    return _day(person["cns"][0]["created_at"]) if person["cns"] else _day(person["created_at"])


def _person_band(person: dict) -> str:
    return age_band(age_on(person["date_of_birth"], _identified_on(person)))


def _cn_band(person: dict, cn: dict) -> str:
    return age_band(age_on(person["date_of_birth"], _day(cn["created_at"])))


def _delivery_month(cn: dict) -> str:
    return f"{_day(cn['encounters'][-1]['occurred_at']):%Y-%m}" if cn["encounters"] else ""


# --- k-anonymity ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Cell:
    """One combination of the quasi-identifiers, and how many people in the extract have it."""

    age_band: str
    sex: str
    area: str
    delivery_month: str
    people: int

    @property
    def sex_label(self) -> str:
        return Candidate.Sex(self.sex).label if self.sex in Candidate.Sex.values else self.sex

    def __str__(self) -> str:
        month = self.delivery_month or "no delivery"
        noun = "person" if self.people == 1 else "people"
        return f"{self.age_band}, sex {self.sex}, area {self.area}, {month}: {self.people} {noun}"


def cells(records: Records) -> list[Cell]:
    """Each combination of the quasi-identifiers (QUASI_IDENTIFIERS) with the number of distinct people it
    describes: a CN gives its person's combination with its month of delivery; a person without a CN, theirs
    with none. The smallest first."""
    people_in: dict[tuple, set[int]] = defaultdict(set)
    for pk, person in records.people.items():
        if not person["cns"]:
            people_in[(_person_band(person), person["sex"], person["area"], "")].add(pk)
        for cn in person["cns"]:
            people_in[(_cn_band(person, cn), person["sex"], person["area"], _delivery_month(cn))].add(pk)
    found = [Cell(*combination, people=len(pks)) for combination, pks in people_in.items()]
    return sorted(found, key=lambda cell: (cell.people, cell.age_band, cell.sex, cell.area, cell.delivery_month))


def small_cells(records: Records) -> list[Cell]:
    return [cell for cell in cells(records) if cell.people < K_ANONYMITY]


class ExtractRefused(DomainError):
    """The k-anonymity check found combinations describing fewer than K_ANONYMITY people and no agreement was
    recorded. Says which (counts, not people) and what to do."""

    status_code = 409

    def __init__(self, small: list[Cell]):
        listed = "; ".join(str(cell) for cell in small[:SHOWN_CELLS])
        more = f"; and {len(small) - SHOWN_CELLS} more" if len(small) > SHOWN_CELLS else ""
        what_to_do = (
            f"Nothing was released. To release it, record the reference of the data-use agreement signed with the "
            f"evaluator (it must forbid re-identifying anyone and sharing the files further); or release it later, "
            f"when every combination describes at least {K_ANONYMITY} people."
        )
        self.summary = (
            f"The extract was refused: {len(small)} combination(s) of age band, sex, area and month of delivery "
            f"describe fewer than {K_ANONYMITY} people, so someone who knows them could pick those people out."
        )
        super().__init__(
            f"{self.summary} {listed}{more}. {what_to_do}",
            reasons={"data_use_agreement": what_to_do},
            code="k_anonymity",
        )
        self.small = small


# --- the extract --------------------------------------------------------------------------------------------


@dataclass
class Extract:
    extract_id: str
    created_at: dt.datetime
    files: dict[str, bytes] = field(default_factory=dict)
    rows: dict[str, int] = field(default_factory=dict)

    def zip_bytes(self) -> bytes:
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            for name, content in self.files.items():
                archive.writestr(name, content)
        return buffer.getvalue()

    def write_to(self, folder: Path) -> list[Path]:
        """The files, readable by the account that wrote them only (they are about people, pseudonymised)."""
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        written = []
        for name, content in self.files.items():
            path = folder / name
            path.touch(mode=0o600)
            path.chmod(0o600)
            path.write_bytes(content)
            written.append(path)
        return written


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _csv(table: Table, rows: list[list]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(table.header)
    writer.writerows([[_cell(value) for value in row] for row in rows])
    return out.getvalue().encode()


def _days_observed(person: dict) -> int | None:
    identified = _identified_on(person)
    return (timezone.localdate() - identified).days if identified else None


def _rows(records: Records, keying: Keying) -> dict[str, list[list]]:
    person_id = {pk: keying.pseudonym("person", pk) for pk in records.people}
    contacts = f.CONTACT_OUTCOMES
    people_rows, cn_rows = [], []
    events = defaultdict(int)
    for event in records.outcomes:
        events[event["candidate_id"]] += 1
    for pk, person in records.people.items():
        contacted = [
            _day(e["occurred_at"]) for cn in person["cns"] for e in cn["encounters"] if e["outcome"] in contacts
        ]
        people_rows.append(
            [
                person_id[pk],
                _person_band(person),
                person["sex"],
                person["area"],
                keying.shifted(pk, _identified_on(person)),
                len(person["cns"]),
                keying.shifted(pk, min(contacted) if contacted else None),
                events[pk],
                _days_observed(person),
            ]
        )
    for cn in records.cns:
        pk, person = cn["candidate_id"], records.people[cn["candidate_id"]]
        first, last = (cn["encounters"][0], cn["encounters"][-1]) if cn["encounters"] else (None, None)
        cn_rows.append(
            [
                keying.pseudonym("cn", cn["pk"]),
                person_id[pk],
                _cn_band(person, cn),
                cn["state"],
                keying.shifted(pk, _day(cn["created_at"])),
                keying.shifted(pk, _day(cn["entered"]["eligible_on"])),
                keying.shifted(pk, _day(cn["entered"]["ready_on"])),
                keying.shifted(pk, _day(first["occurred_at"]) if first else None),
                keying.shifted(pk, _day(last["occurred_at"]) if last else None),
                last["outcome"] if last else "",
                _delivery_month(cn),
                cn["attempt"],
                keying.shifted(pk, _day(cn["closed_at"])),
                keying.shifted(pk, _day(cn["entered"]["cancelled_on"])),
                len(cn["team"]),
                any(cn["team"]),
                last["letter_presented"] if last else None,
                last["gvi_message_delivered"] if last else None,
                last["social_services_stayed"] if last else None,
                len(cn["offers"]),
                sum(1 for status in cn["offers"] if status in f.ACCEPTED_STATUSES),
            ]
        )
    outcome_rows = [
        [person_id[e["candidate_id"]], e["kind"], e["category"], keying.shifted(e["candidate_id"], e["occurred_on"])]
        for e in records.outcomes
    ]
    # In the order of the pseudonyms, not of the records: the records' order (their numbers) is the order in which
    # people were identified, and would let a reader bound each person's date shift.
    return {
        name: sorted(rows)
        for name, rows in (("people", people_rows), ("cns", cn_rows), ("outcome_events", outcome_rows))
    }


def _field(column: Column) -> dict:
    described = {"name": column.name, "type": column.type, "description": column.description}
    constraints = {}
    if column.required:
        constraints["required"] = True
    if column.enum:
        constraints["enum"] = list(column.enum)
    if constraints:
        described["constraints"] = constraints
    return described


def _schema(table: Table) -> dict:
    schema: dict = {"fields": [_field(column) for column in table.columns], "missingValues": [""]}
    if table.primary_key:
        schema["primaryKey"] = table.primary_key
    if "person_id" in table.header and table.name != "people":
        schema["foreignKeys"] = [{"fields": "person_id", "reference": {"resource": "people", "fields": "person_id"}}]
    return schema


def datapackage(extract: Extract, *, reason: str, dua: str, released_by: str, smallest: int) -> dict:
    """The data dictionary (Frictionless Data Package v1, `tabular-data-package`) with the extract's provenance."""
    return {
        "profile": "tabular-data-package",
        "name": "vip-evaluation-extract",
        "id": extract.extract_id,
        "title": "VIP Custom Notification program: evaluation extract",
        "description": (
            "Pseudonymised records of the Violence Intervention Program's Custom Notifications (SOP 2-64), for an "
            "outside evaluation. Ids are keyed to this extract only; each person's dates are shifted by their own "
            "offset; ages are in bands; there are no names, addresses, phone numbers or notes. See "
            "docs/evaluation-extract.md in the product."
        ),
        "created": extract.created_at.isoformat(timespec="seconds"),
        "licenses": [
            {
                "name": "other-closed",
                "title": "Restricted: only for the evaluation named in the data-use agreement; do not re-identify "
                "anyone, link with other data, or share further.",
            }
        ],
        "sources": [{"title": "VIP record management database (SOP 2-64), unsealed records only"}],
        "contributors": [{"title": released_by, "role": "publisher"}],
        "vip_provenance": {
            "extract_id": extract.extract_id,
            "created": extract.created_at.isoformat(timespec="seconds"),
            "reason": reason,
            "data_use_agreement": dua,
            "released_by": released_by,
            "rows": extract.rows,
            "pseudonyms": "HMAC-SHA256 under a random key made for this extract and not kept",
            "date_shift": f"per person, the same offset for all their dates, within {DATE_SHIFT_DAYS} days, never 0",
            "age_bands": list(BANDS),
            "k_anonymity": {
                "k": K_ANONYMITY,
                "quasi_identifiers": list(QUASI_IDENTIFIERS),
                "smallest_group": smallest,
                "released_under_data_use_agreement": smallest < K_ANONYMITY,
            },
        },
        "resources": [
            {
                "profile": "tabular-data-resource",
                "name": table.name,
                "title": table.title,
                "path": table.path,
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8",
                "schema": _schema(table),
            }
            for table in TABLES
        ],
    }


def dua_errors(dua: str) -> dict[str, str]:
    if len(dua) > DUA_MAX_LENGTH:
        return {"data_use_agreement": f"The agreement's reference is at most {DUA_MAX_LENGTH} characters."}
    return {}


def evaluation_extract(*, reason: str, dua: str = "", user=None, request=None) -> Extract:
    """Build the extract, refuse it (ExtractRefused) if a combination of the quasi-identifiers describes fewer
    than K_ANONYMITY people and no data-use agreement is recorded, audit it, and return its files. `user`
    None is the operator at the server (manage.py evaluation_extract)."""
    reason, dua = (reason or "").strip(), (dua or "").strip()
    if user is not None and not may_extract(user):
        raise DomainError("Only the Program Manager releases an evaluation extract.", code="not_permitted")
    if len(reason) < REASON_MIN_LENGTH:  # the rule of every export (vip/exports.py)
        raise DomainError(
            f"Say why the extract is made, in at least {REASON_MIN_LENGTH} characters: who asked for it and for what "
            "evaluation.",
            code="reason",
        )
    if dua_errors(dua):
        raise DomainError(" ".join(dua_errors(dua).values()), code="data_use_agreement")
    records = read_records()
    found = cells(records)
    small = [cell for cell in found if cell.people < K_ANONYMITY]
    if small and not dua:
        raise ExtractRefused(small)
    keying = Keying()
    rows = _rows(records, keying)
    del keying  # the key is not kept anywhere: two extracts cannot be joined, nor an id turned back into a person
    extract = Extract(extract_id=str(uuid.uuid4()), created_at=timezone.localtime())
    extract.rows = {name: len(table_rows) for name, table_rows in rows.items()}
    released_by = "VIP Program Manager" if user is not None else "operator at the server"
    smallest = found[0].people if found else 0
    extract.files = {table.path: _csv(table, rows[table.name]) for table in TABLES}
    package = datapackage(extract, reason=reason, dua=dua, released_by=released_by, smallest=smallest)
    extract.files["datapackage.json"] = json.dumps(package, indent=2).encode()
    _audit(extract, records, reason=reason, dua=dua, user=user, request=request, smallest=smallest)
    return extract


def _audit(extract: Extract, records: Records, *, reason, dua, user, request, smallest) -> None:
    """The extract's export row, written before a file leaves, shaped as the other exports' (reports/exports.py
    `record_export`): the reason in `note`, and in `changes` the agreement, the check's result and every record
    that left by its number (the pseudonyms are not recorded: their key is gone)."""
    changes: dict = {
        "kind": "evaluation_extract",
        "extract_id": extract.extract_id,
        "params": {"data_use_agreement": dua},
        "data_use_agreement": dua,
        "rows": extract.rows,
        "k_anonymity": {"k": K_ANONYMITY, "smallest_group": smallest, "released_under_dua": smallest < K_ANONYMITY},
        "shown": {
            Candidate._meta.label: [str(pk) for pk in sorted(records.people)],
            Delivery._meta.label: [str(cn["pk"]) for cn in records.cns],
            OutcomeEvent._meta.label: [str(event["pk"]) for event in records.outcomes],
        },
    }
    if request is not None:
        changes["asked"] = asked(request)
    else:
        changes["by"] = f"manage.py evaluation_extract, run by {getpass.getuser()}"
    audit(
        actor=user,
        action=AuditEvent.Action.EXPORT,
        object_type=AUDIT_TYPE,
        object_id=extract.extract_id,
        note=reason,
        changes=changes,
        request=request,
    )
