"""Fill an empty PostgreSQL database with made-up data at a city's scale, quickly (COPY, not the ORM).

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/vip_benchdata python -m bench.generate --scale 0.01

Scale 1.0 is 100,000 candidates, 300,000 CNs spread over every state with the step records each state
needs, and 5,000,000 audit rows (the trail of every CN, then the read audit's rows and sign-ins over five
years); scale 4 is 400,000 candidates, 1.2 M CNs and 20 M audit rows. Migrations are applied first; the
database must hold no candidates yet. The audit table is partitioned by month (`vip.audit.partitions`): the
months of the generated period are created before its rows are loaded.

How it is fast: one pass in Python writes one CSV file per table (ids are allocated here, so rows can point
at each other before anything is inserted), then each file is streamed with `COPY ... FROM STDIN`
(psycopg2 `copy_expert`); a big table is loaded without its secondary indexes, rebuilt afterwards; from
scale 0.1 the foreign-key triggers are skipped during the load (the small scales check every key, which
proves the generator's rows consistent). Sequences are reset past the ids used, and `VACUUM ANALYZE` gives
the planner real statistics. Columns the generator does not name (added by later migrations) get the model field's
default, so a new nullable or defaulted column does not break it; a new required column without a default
stops it with the table and column named.

Not loaded: django-simple-history's historical tables (the pages read the audit trail, not history) and
photos. Nobody here is a real person: names are drawn from common New Mexico first and last names.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import os
import random
import sys
import tempfile
import time
from array import array
from pathlib import Path

BASE_CANDIDATES = 100_000
BASE_DELIVERIES = 300_000
BASE_AUDIT = 5_000_000  # the trail of every CN, then the read audit's rows and sign-ins
BULK_ROWS = 20_000  # tables with more rows than this are loaded with their secondary indexes dropped
NULL = r"\N"  # the NULL marker in the CSV streams (COPY ... NULL '\N'); an empty field is an empty string
BENCH_PASSWORD = "bench-only-password-not-secret"  # noqa: S105  (made-up personas in a throw-away database)


def words(text: str, sep: str | None = None) -> list[str]:
    return text.split(sep)


FIRST_MALE = words(
    "Jose Juan Luis Carlos Jesus Antonio Miguel Manuel Francisco David Daniel Anthony Michael Joshua "
    "Andrew Christopher Matthew Adrian Angel Diego Gabriel Isaiah Jacob Jonathan Joseph Julian Mateo "
    "Nathan Noah Ruben Santiago Tomas Victor Xavier Marcus Andre Dominic Elijah Ezekiel Felix Isaac "
    "Javier Jordan Kevin Leonardo Lorenzo Marco Nicholas Omar Pablo Rafael Ricardo Roberto Samuel Sergio "
    "Steven Tyler Vincent"
)
FIRST_FEMALE = words(
    "Maria Ana Sofia Isabella Camila Valeria Gabriela Daniela Andrea Alejandra Brianna Kayla Jasmine "
    "Elena Lucia Monica Veronica Angelica Destiny Alyssa Vanessa Priscilla Marisol Yesenia Crystal Tiana "
    "Nadia"
)
LAST = words(
    "Garcia Martinez Chavez Sanchez Lopez Montoya Romero Lucero Gonzales Baca Trujillo Vigil Archuleta "
    "Sandoval Gallegos Padilla Aragon Otero Maestas Jaramillo Armijo Salazar Griego Mares Ortiz Torres "
    "Apodaca Tafoya Valdez Herrera Duran Mondragon Candelaria Benavidez Quintana Ulibarri Madrid Abeyta "
    "Gurule Lovato Tapia Castillo Esquibel Vallejos Rael Sisneros Atencio Begay Yazzie Tsosie Benally Nez"
    " Etsitty Chee Smith Johnson Williams Brown Jones Miller Davis Wilson Anderson Thomas Taylor Moore "
    "Jackson White Harris Martin Thompson Young Allen King Wright Scott Green Baker Adams Nelson Hill "
    "Campbell Mitchell Roberts Carter Phillips Evans Turner Parker Collins Edwards Stewart Morris Murphy "
    "Cook Rogers Morgan Peterson Cooper Reed Bailey Bell Kelly Howard Ward Cox Richardson Wood Watson "
    "Brooks Bennett Gray James Hughes Price Sanders Myers Long Ross Foster Ridgeway Pettibone Whitehorse "
    "Castellano Okafor Aldana Marquez"
)
NICKNAMES = words(
    "Lil Smoke Chato Flaco Gordo Junior Tiny Shorty Loco Spider Ghost Cuz Bandit Chino Nene Guero Payaso "
    "Sleepy Trigger Boogie Scrappy Youngin Blue Dre Zay Teo Kay Pett Bird Mono Pelon Huero Capone"
)
STREETS = words(
    "Central Ave SW|Coors Blvd NW|Isleta Blvd SW|Bridge Blvd SW|Zuni Rd SE|Lomas Blvd NE|Menaul Blvd NE|"
    "San Mateo Blvd SE|Louisiana Blvd NE|Wyoming Blvd NE|Gibson Blvd SE|Atrisco Dr SW|98th St SW|"
    "Unser Blvd SW|Rio Grande Blvd NW|4th St NW|2nd St SW|Broadway Blvd SE|Montgomery Blvd NE|"
    "Eubank Blvd NE",
    sep="|",
)
GROUP_WORDS = words("Westside Eastside Southside Northside Barelas Crestview Kirtland Trumbull Wells Park Duranes")
GROUP_SUFFIX = words("Boys Crew Locos 13 Family Mob Gang Clique Kings Set")
PARTNERS = words(
    "Casa Esperanza Services|Duke City Workforce Center|Albuquerque Job Corps|Centro de Salud|"
    "NM Legal Aid|First Nations Community HealthSource|Healing Addiction in Our Community|"
    "Roadrunner Food Bank|Youth Development Inc|New Day Youth and Family Services|Catholic Charities|"
    "Goodwill Industries of NM",
    sep="|",
)

# The share of CNs in each state (sums to 1): most are closed, every state is present.
STATE_MIX = {
    "closed": 0.50,
    "cancelled": 0.10,
    "identified": 0.06,
    "eligible": 0.04,
    "in_preparation": 0.06,
    "ready": 0.04,
    "ecc_advised": 0.04,
    "delivered": 0.03,
    "delivered_to_influencer": 0.02,
    "refused": 0.03,
    "not_located": 0.03,
    "after_action": 0.05,
}
PATH = ["identified", "eligible", "in_preparation", "ready", "ecc_advised", "outcome", "after_action", "closed"]
OUTCOMES = ["delivered", "delivered_to_influencer", "refused", "not_located"]
OPEN_STATES = [s for s in STATE_MIX if s not in ("closed", "cancelled")]


def setup_django(database_url: str | None = None) -> None:
    if database_url:
        os.environ["DATABASE_URL"] = database_url
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        sys.exit("bench.generate needs DATABASE_URL pointing at a PostgreSQL database (it loads with COPY).")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vip.settings")
    root = str(Path(__file__).resolve().parent.parent)
    if root not in sys.path:
        sys.path.insert(0, root)
    import django

    django.setup()


# --- CSV sinks ------------------------------------------------------------------------------------------


def _fmt(value):
    import json

    if value is None:
        return NULL
    if isinstance(value, dict | list):
        return json.dumps(value)
    if isinstance(value, bool):
        return "t" if value else "f"
    return value


def _fmt_for(field, value):
    """A column's value in COPY's text format: a PostgreSQL array (an ArrayField, such as a partner's service
    types) is written {a,b}, not as JSON."""
    from django.contrib.postgres.fields import ArrayField

    if isinstance(field, ArrayField) and isinstance(value, list | tuple):
        return "{" + ",".join(f'"{item}"' for item in value) + "}"
    return _fmt(value)


def _default_for(field, now):
    if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
        return now.date() if field.get_internal_type() == "DateField" else now
    if field.has_default():
        return field.get_default()
    if field.null:
        return None
    if field.get_internal_type() in ("CharField", "TextField", "SlugField", "EmailField", "URLField", "FileField"):
        return ""
    raise SystemExit(
        f"bench.generate does not know how to fill {field.model._meta.db_table}.{field.column} "
        "(required, no default): add it to the generator."
    )


class Sink:
    """One table's rows as a CSV file: the generator's columns first, then every other column's default."""

    def __init__(self, model, columns: list[str], folder: Path, now: dt.datetime):
        self.model = model
        self.table = model._meta.db_table
        by_column = {f.column: f for f in model._meta.concrete_fields}
        unknown = [c for c in columns if c not in by_column]
        if unknown:
            raise SystemExit(f"{self.table} has no column {unknown}: the generator is out of date.")
        # The primary key, when not given, comes from its sequence.
        rest = [c for c, f in by_column.items() if c not in columns and not f.primary_key]
        self.columns = list(columns) + rest
        self.suffix = tuple(_fmt_for(by_column[c], _default_for(by_column[c], now)) for c in rest)
        self.path = folder / f"{self.table}.csv"
        self.file = open(self.path, "w", newline="")  # noqa: SIM115  (closed in close())
        self.writer = csv.writer(self.file)
        self.count = 0
        self.next_id = 1

    def new_id(self) -> int:
        value = self.next_id
        self.next_id += 1
        return value

    def add(self, *values) -> None:
        self.writer.writerow(values + self.suffix)
        self.count += 1

    def close(self) -> None:
        self.file.close()

    def copy(self, cursor) -> None:
        columns = ", ".join(f'"{c}"' for c in self.columns)
        with open(self.path, newline="") as stream:
            cursor.copy_expert(f"COPY {self.table} ({columns}) FROM STDIN WITH (FORMAT csv, NULL '{NULL}')", stream)


# --- the people who use it ------------------------------------------------------------------------------


def make_personas(scale: float) -> dict:
    """The benchmark's users, through the ORM (a few dozen): LE Leads, the Program Manager, officers, social
    workers, a records custodian. `bench_lead`, `bench_manager` and `bench_officer` are the ones signed in."""
    from django.contrib.auth.hashers import make_password
    from django.contrib.auth.models import Group, User

    from notifications.models import Personnel, TrainingRecord
    from vip import roles

    password = make_password(BENCH_PASSWORD)
    groups = {g.name: g for g in Group.objects.all()}
    made: dict[str, list] = {"leads": [], "officers": [], "trainees": [], "social": [], "manager": [], "custodian": []}

    def user(username, role, key, first, last, sworn=False, command=False, trained=False):
        person = User.objects.create(
            username=username,
            password=password,
            first_name=first,
            last_name=last,
            email=f"{username}@bench.invalid",
        )
        person.groups.add(groups[role])
        Personnel.objects.create(user=person, is_sworn=sworn, is_command_level=command, badge_number=str(person.pk))
        if trained:
            TrainingRecord.objects.create(user=person, course="CN workshop", attended_on=dt.date(2024, 3, 1))
        made[key].append(person)
        return person

    user("bench_lead", roles.LE_LEAD, "leads", "Dana", "Okafor", sworn=True, command=True, trained=True)
    for n in (2, 3):
        user(f"bench_lead{n}", roles.LE_LEAD, "leads", "Lead", f"Designee{n}", sworn=True, command=True, trained=True)
    user("bench_manager", roles.PROGRAM_MANAGER, "manager", "Renee", "Aldana")
    officers = max(6, round(50 * scale**0.5))
    user("bench_officer", roles.OFFICER, "officers", "Marco", "Benavidez", sworn=True, trained=True)
    for n in range(2, officers + 1):
        user(f"bench_officer{n:03d}", roles.OFFICER, "officers", "Officer", f"No{n:03d}", sworn=True, trained=True)
    for n in range(1, max(2, round(officers / 10)) + 1):
        user(f"bench_trainee{n:02d}", roles.OFFICER, "trainees", "Trainee", f"No{n:02d}", sworn=True, trained=True)
    for n in range(1, max(3, round(officers / 6)) + 1):
        user(f"bench_social{n:02d}", roles.SOCIAL_SERVICES, "social", "Social", f"Worker{n:02d}")
    user("bench_custodian", roles.RECORDS_CUSTODIAN, "custodian", "Ines", "Marquez")
    return {key: [u.pk for u in people] for key, people in made.items()} | {
        "usernames": {u.pk: u.username for people in made.values() for u in people}
    }


# --- the generator --------------------------------------------------------------------------------------


def _log(*parts) -> None:
    print(*parts, flush=True)


def generate(
    scale: float,
    seed: int = 2064,
    log=_log,
    check_foreign_keys: bool | None = None,
    vacuum: bool = True,
    migrate: bool = True,
) -> dict:
    from django.core.management import call_command
    from django.core.management.color import no_style
    from django.db import DatabaseError, connection, transaction
    from django.utils import timezone

    from candidates import models as c
    from notifications import models as n
    from vip.models import AuditEvent

    started = time.monotonic()
    if migrate:
        call_command("migrate", verbosity=0, interactive=False)
    if c.Candidate.objects.exists() or n.Delivery.objects.exists():
        raise SystemExit("The bench database already holds candidates: drop and re-create it first.")
    log(f"migrated in {time.monotonic() - started:.1f}s")

    if check_foreign_keys is None:
        check_foreign_keys = scale < 0.1
    rnd = random.Random(seed)
    now = timezone.now()
    today = timezone.localdate()
    n_candidates = max(50, int(BASE_CANDIDATES * scale))
    n_deliveries = max(150, int(BASE_DELIVERIES * scale))
    n_audit = max(1000, int(BASE_AUDIT * scale))

    people = make_personas(scale)
    leads, officers, trainees, socials = people["leads"], people["officers"], people["trainees"], people["social"]
    usernames = people["usernames"]
    bench_lead, bench_officer = leads[0], officers[0]
    custodian = people["custodian"][0]
    template_id = n.LetterTemplate.objects.values_list("pk", flat=True).first()

    def days_ago(low: float, high: float) -> dt.datetime:
        return now - dt.timedelta(days=rnd.uniform(low, high))

    folder = Path(tempfile.mkdtemp(prefix="vip-bench-"))
    EDB = n.EligibilityDetermination.bases.through
    GVISShoot = c.GVISMeeting.shootings_reviewed.through
    GVISGroup = c.GVISMeeting.groups_identified.through
    sinks = {}

    def sink(model, columns):
        sinks[model] = Sink(model, columns, folder, now)
        return sinks[model]

    # Reference data: groups, partners, shootings, GVIS meetings, referrals come with candidates.
    groups = sink(c.Group, ["id", "name", "description", "created_at"])
    partners = sink(c.PartnerOrganization, ["id", "name", "contact", "active"])
    shootings = sink(c.Shooting, ["id", "incident_number", "occurred_on", "location", "summary", "created_at"])
    meetings = sink(c.GVISMeeting, ["id", "held_on", "partners_present", "notes", "created_at"])
    meeting_shootings = sink(GVISShoot, ["id", "gvismeeting_id", "shooting_id"])
    meeting_groups = sink(GVISGroup, ["id", "gvismeeting_id", "group_id"])
    candidates = sink(
        c.Candidate,
        [
            "id", "first_name", "middle_name", "last_name", "date_of_birth", "sex", "search_text",
            "created_by_id", "created_at", "updated_at", "sealed_at", "sealed_by_id", "sealing_order_reference",
        ],
    )  # fmt: skip
    aliases = sink(c.Alias, ["id", "candidate_id", "name"])
    addresses = sink(
        c.Address, ["id", "candidate_id", "line1", "city", "state", "postal_code", "valid_from", "valid_to"]
    )
    phones = sink(c.Phone, ["id", "candidate_id", "number", "label"])
    influencers = sink(
        c.Influencer, ["id", "candidate_id", "name", "relationship", "is_legal_guardian", "phone", "address"]
    )
    memberships = sink(
        c.GroupMembership,
        [
            "id", "candidate_id", "group_id", "source", "gvis_meeting_id", "link_analysis_reference",
            "identified_on", "added_by_id", "added_at", "approved_by_id", "approved_at", "review_due_on",
        ],
    )  # fmt: skip
    participants = sink(c.ShootingParticipant, ["id", "shooting_id", "candidate_id", "name", "role"])
    referrals = sink(
        c.Referral,
        ["id", "candidate_id", "source", "referred_by", "referred_on", "reason", "created_by_id", "created_at"],
    )
    bases = sink(
        c.EligibilityBasis,
        [
            "id", "candidate_id", "kind", "shooting_id", "related_person_name", "information", "gvis_meeting_id",
            "link_analysis_reference", "referral_id", "entered_by_id", "entered_at", "review_due_on",
        ],
    )  # fmt: skip
    outcomes = sink(
        c.OutcomeEvent,
        ["id", "candidate_id", "kind", "category", "occurred_on", "source_reference", "recorded_by_id", "recorded_at"],
    )
    services = sink(
        c.ServiceOffer,
        [
            "id", "candidate_id", "delivery_id", "service_type", "partner_id", "offered_by_id", "offered_on",
            "status", "status_changed_on",
        ],
    )  # fmt: skip
    deliveries = sink(
        n.Delivery,
        [
            "id", "candidate_id", "state", "state_entered_at", "attempt", "le_lead_id", "planned_for", "location",
            "cancellation_reason", "closed_at", "created_by_id", "created_at", "updated_at",
        ],
    )  # fmt: skip
    determinations = sink(n.EligibilityDetermination, ["id", "delivery_id", "recorded_by_id", "recorded_at", "note"])
    determination_bases = sink(EDB, ["id", "eligibilitydetermination_id", "eligibilitybasis_id"])
    checks = sink(
        n.Check,
        ["id", "delivery_id", "kind", "completed_on", "completed_by_id", "result", "recorded_by_id", "recorded_at"],
    )
    letters = sink(
        n.Letter,
        [
            "id", "delivery_id", "status", "template_id", "penalties", "body", "not_warranted_reason",
            "presented_at", "recorded_by_id", "recorded_at",
        ],
    )  # fmt: skip
    team = sink(n.TeamMember, ["id", "delivery_id", "user_id", "role", "added_by_id", "added_at"])
    social = sink(
        n.SocialServicesCoordination,
        ["id", "delivery_id", "coordinator_id", "coordinated_on", "plan", "recorded_by_id", "recorded_at"],
    )
    jpo = sink(
        n.JPOCheck,
        [
            "id", "delivery_id", "contacted_on", "on_probation", "probation_officer", "services_status",
            "relationship_status", "decision", "reasons", "recorded_by_id", "recorded_at",
        ],
    )  # fmt: skip
    guardian_contacts = sink(
        n.GuardianContactAttempt,
        [
            "id", "delivery_id", "influencer_id", "guardian_name", "attempted_at", "method", "reached",
            "will_be_present", "recorded_by_id", "recorded_at",
        ],
    )  # fmt: skip
    ecc = sink(
        n.ECCAdvisement,
        [
            "id", "delivery_id", "attempt", "advised_at", "location", "team_members", "candidate_identity",
            "ecc_reference", "recorded_by_id", "recorded_at",
        ],
    )  # fmt: skip
    encounters = sink(
        n.Encounter,
        [
            "id", "delivery_id", "attempt", "outcome", "occurred_at", "letter_presented", "gvi_message_delivered",
            "message_partially_given", "recipient_influencer_id", "recipient_name", "recipient_relationship",
            "recipient_reason", "social_services_stayed", "social_services_not_feasible_reason",
            "candidate_ended_encounter", "guardian_present", "guardian_influencer_id", "guardian_name",
            "recorded_by_id", "recorded_at",
        ],
    )  # fmt: skip
    after_actions = sink(
        n.AfterAction,
        [
            "id", "delivery_id", "ecc_advised_of_outcome", "ecc_outcome_advised_at", "cad_report_number",
            "confirmed_by_id", "confirmed_at", "recorded_by_id", "recorded_at",
        ],
    )  # fmt: skip
    audit = sink(
        AuditEvent,
        [
            "at", "actor_id", "actor_username", "action", "object_type", "object_id", "object_repr",
            "from_state", "to_state", "note", "changes", "ip_address", "user_agent",
        ],
    )  # fmt: skip

    log(f"scale {scale}: {n_candidates:,} candidates, {n_deliveries:,} CNs, {n_audit:,} audit rows -> {folder}")

    # --- reference data
    n_groups = max(10, int(400 * scale**0.5))
    for i in range(n_groups):
        name = f"{rnd.choice(GROUP_WORDS)} {rnd.choice(GROUP_SUFFIX)} #{i + 1}"
        groups.add(groups.new_id(), name, "", days_ago(300, 2000))
    for name in PARTNERS:
        partners.add(partners.new_id(), name, "505-555-0100", True)
    n_shootings = max(20, int(20_000 * scale))
    for i in range(n_shootings):
        on = (now - dt.timedelta(days=rnd.uniform(1, 5 * 365))).date()
        shootings.add(
            shootings.new_id(),
            f"APD-{on.year}-{i + 1:06d}",
            on,
            f"{rnd.randint(100, 9900)} block of {rnd.choice(STREETS)}",
            "Shooting with injury.",
            days_ago(0, 5 * 365),
        )
    n_meetings = max(10, int(260 * scale**0.5))  # weekly for five years at full scale
    for _ in range(n_meetings):
        mid = meetings.new_id()
        meetings.add(mid, (now - dt.timedelta(days=rnd.uniform(1, 5 * 365))).date(), "APD\nDistrict Attorney", "", now)
        for sid in rnd.sample(range(1, n_shootings + 1), 3):
            meeting_shootings.add(meeting_shootings.new_id(), mid, sid)
        for gid in rnd.sample(range(1, n_groups + 1), 2):
            meeting_groups.add(meeting_groups.new_id(), mid, gid)

    # --- candidates, with what makes each one a candidate
    juvenile_of: list[bool] = [False]
    guardian_of: list = [None]
    basis_of: list[int] = [0]
    name_of: list[str] = [""]
    address_of: list[str] = [""]
    by_surname: dict[str, array] = {}  # the first surname -> its candidates: what a search by name shows
    for cid in range(1, n_candidates + 1):
        sex = rnd.choices("MFX", weights=(80, 18, 2))[0]
        juvenile = rnd.random() < 0.15
        age = rnd.randint(14, 17) if juvenile else min(60, 18 + int(rnd.expovariate(1 / 7)))
        dob = today - dt.timedelta(days=age * 365 + rnd.randint(30, 330))
        first = rnd.choice(FIRST_FEMALE if sex == "F" else FIRST_MALE)
        middle = rnd.choice(FIRST_MALE + FIRST_FEMALE) if rnd.random() < 0.3 else ""
        last = rnd.choice(LAST)
        if rnd.random() < 0.2:
            last = f"{last}-{rnd.choice(LAST)}"
        full = " ".join(p for p in (first, middle, last) if p)
        alias_names: list[str] = []
        for _ in range(rnd.choices((0, 1, 2), weights=(45, 40, 15))[0]):
            alias = rnd.choice((rnd.choice(NICKNAMES), f"Lil {first}", f"{first[0]}-{last[:4]}"))
            if alias not in alias_names:
                alias_names.append(alias)
        created = days_ago(30, 5 * 365)
        sealed = rnd.random() < 0.003
        candidates.add(
            cid, first, middle, last, dob, sex, " ".join([full, *alias_names]).lower(), rnd.choice(leads),
            created, created, days_ago(0, 30) if sealed else NULL, custodian if sealed else NULL,
            f"D-202-CV-{cid:07d}" if sealed else "",
        )  # fmt: skip
        for alias in alias_names:
            aliases.add(aliases.new_id(), cid, alias)
        street = f"{rnd.randint(100, 12999)} {rnd.choice(STREETS)}"
        addresses.add(addresses.new_id(), cid, street, "Albuquerque", "NM", f"871{rnd.randint(0, 99):02d}",
                      (created - dt.timedelta(days=200)).date(), NULL)  # fmt: skip
        if rnd.random() < 0.3:
            addresses.add(addresses.new_id(), cid, f"{rnd.randint(100, 12999)} {rnd.choice(STREETS)}",
                          "Albuquerque", "NM", "87105", (created - dt.timedelta(days=900)).date(),
                          (created - dt.timedelta(days=200)).date())  # fmt: skip
        if rnd.random() < 0.7:
            phones.add(phones.new_id(), cid, f"505-555-{rnd.randint(0, 9999):04d}", "mobile")
        guardian = NULL
        if juvenile or rnd.random() < 0.5:
            guardian = influencers.new_id()
            influencers.add(guardian, cid, f"{rnd.choice(FIRST_FEMALE)} {last}", "parent", juvenile,
                            f"505-555-{rnd.randint(0, 9999):04d}", street)  # fmt: skip
        if rnd.random() < 0.3:
            gid = rnd.randint(1, n_groups)
            from_gvis = rnd.random() < 0.6
            identified = (created - dt.timedelta(days=rnd.randint(0, 60))).date()
            memberships.add(
                memberships.new_id(), cid, gid, "gvis" if from_gvis else "link_analysis",
                rnd.randint(1, n_meetings) if from_gvis else NULL, "" if from_gvis else f"LA-{cid:06d}",
                identified, rnd.choice(leads), created, rnd.choice(leads), created, identified + dt.timedelta(days=1826),
            )  # fmt: skip
        first_basis = 0
        for _ in range(rnd.choices((1, 2), weights=(70, 30))[0]):
            kind = rnd.choices(
                ("shooting_victim", "associate", "driver", "gvis", "referral"), weights=(30, 25, 15, 20, 10)
            )[0]
            bid = bases.new_id()
            first_basis = first_basis or bid
            shooting = rnd.randint(1, n_shootings) if kind in ("shooting_victim", "associate") else NULL
            referral = NULL
            if kind == "referral":
                referral = referrals.new_id()
                referrals.add(referral, cid, "department", "Southwest Area Command", created.date(),
                              "Repeated contacts with armed group members.", rnd.choice(leads), created)  # fmt: skip
            bases.add(
                bid, cid, kind, shooting, f"{rnd.choice(FIRST_MALE)} {rnd.choice(LAST)}" if kind == "associate" else "",
                "Named in two CIs as supplying firearms." if kind == "driver" else "",
                rnd.randint(1, n_meetings) if kind == "gvis" else NULL, "", referral, rnd.choice(leads), created,
                (created + dt.timedelta(days=1826)).date(),
            )  # fmt: skip
            if shooting is not NULL:
                participants.add(participants.new_id(), shooting, cid, "",
                                 "victim" if kind == "shooting_victim" else "involved")  # fmt: skip
        if rnd.random() < 0.2:
            arrest = rnd.random() < 0.8
            outcomes.add(
                outcomes.new_id(), cid, "arrest" if arrest else "revictimization",
                rnd.choice(("gun_violence", "other_violence", "drug", "property", "other")) if arrest else "",
                (now - dt.timedelta(days=rnd.uniform(1, 700))).date(), f"RMS-{cid:08d}", rnd.choice(leads), now,
            )  # fmt: skip
        juvenile_of.append(juvenile)
        guardian_of.append(guardian)
        basis_of.append(first_basis)
        name_of.append(full)
        address_of.append(street)
        by_surname.setdefault(last.split("-")[0], array("I")).append(cid)
    log(f"candidates written ({time.monotonic() - started:.1f}s)")

    # --- CNs and their step records, with the audit row of every transition
    mix_states, mix_weights = zip(*STATE_MIX.items(), strict=True)
    # One CN in each state first, so even the smallest scale has every state; then the mix.
    states = list(mix_states) + rnd.choices(mix_states, weights=mix_weights, k=n_deliveries - len(mix_states))
    transitions_expected = sum(_reached(s) + 2 for s in states)
    audit_share = min(1.0, 0.8 * n_audit / max(1, transitions_expected))
    others = [o for o in officers if o != bench_officer]
    bench_officer_share = 0.02  # "officers on many CNs": bench_officer is on 2% of all CNs, 6,000 at full scale

    period = [now, now]  # the first and last `at` of the audit rows: the months the trail's partitions cover

    def audit_row(at, actor, action, object_type, object_id, obj_repr, from_state="", to_state="", note="",
                  changes="{}"):  # fmt: skip
        period[0], period[1] = min(period[0], at), max(period[1], at)
        audit.add(at, actor, usernames.get(actor, ""), action, object_type, str(object_id), obj_repr[:200],
                  from_state, to_state, note, changes, ip_of(actor), "Mozilla/5.0 (bench)")  # fmt: skip

    def ip_of(actor) -> str:
        return f"10.20.{actor // 250 % 256}.{actor % 250 + 1}"

    # Each CN's candidate and the days it was worked on: the read audit reads a CN and its person then.
    cn_candidate = array("I", [0])
    cn_first, cn_last = array("d", [0.0]), array("d", [0.0])

    for did in range(1, n_deliveries + 1):
        state = states[did - 1]
        cid = rnd.randint(1, n_candidates)
        juvenile = juvenile_of[cid]
        guardian = guardian_of[cid]
        is_open = state in OPEN_STATES
        created = days_ago(1, 60) if is_open else days_ago(60, 5 * 365)
        lead = bench_lead if rnd.random() < 0.6 else rnd.choice(leads)
        reached = rnd.randint(0, 3) if state == "cancelled" else _reached(state)
        outcome = state if state in OUTCOMES else (rnd.choices(OUTCOMES, (60, 15, 15, 10))[0] if reached >= 5 else "")
        steps = max(reached, 0) + (1 if state == "cancelled" else 0)
        # Time moves on a step at a time; an open CN's last step is recent, so some are overdue for reminders.
        span = (now - created) if is_open else min(now - created, dt.timedelta(days=45))
        step_at = [created + span * (k / (steps + 1)) for k in range(steps + 1)]
        entered = step_at[-1]
        location = address_of[cid]
        drafted = rnd.random() < 0.8
        deliveries.add(
            did, cid, state, entered, 2 if (state == "not_located" and rnd.random() < 0.3) else 1, lead,
            (created + dt.timedelta(days=10)).date(), location,
            "Candidate moved out of state." if state == "cancelled" else "", entered if state == "closed" else NULL,
            lead, created, entered,
        )  # fmt: skip
        repr_ = f"CN #{did} for {name_of[cid]}"
        cn_candidate.append(cid)
        cn_first.append(created.timestamp())
        cn_last.append((entered if not is_open else now).timestamp())
        if rnd.random() < audit_share:
            audit_row(created, lead, "create", "notifications.Delivery", did, repr_)
            previous = "identified"
            for k in range(1, steps + 1):
                target = "cancelled" if (state == "cancelled" and k == steps) else PATH[k]
                target = outcome if target == "outcome" else target
                audit_row(step_at[k], lead, "transition", "notifications.Delivery", did, repr_,
                          previous, target)  # fmt: skip
                previous = target
        if reached >= 1:
            eid = determinations.new_id()
            determinations.add(eid, did, lead, step_at[1], "")
            determination_bases.add(determination_bases.new_id(), eid, basis_of[cid])
        team_officers: list[int] = []
        if reached >= 2:
            at = step_at[2]
            team.add(team.new_id(), did, lead, "le_lead", lead, at)
            team_officers.append(bench_officer if rnd.random() < bench_officer_share else rnd.choice(others))
            if rnd.random() < 0.4:
                second = rnd.choice(others)
                if second not in team_officers:
                    team_officers.append(second)
            for officer in team_officers:
                team.add(team.new_id(), did, officer, "officer", lead, at)
            if rnd.random() < 0.1:
                team.add(team.new_id(), did, rnd.choice(trainees), "trainee", lead, at)
            if rnd.random() < 0.3:
                team.add(team.new_id(), did, rnd.choice(socials), "social_services", lead, at)
            checks.add(checks.new_id(), did, "threat_assessment", at.date(), lead, "no_concerns", lead, at)
        if reached >= 3 or (reached == 2 and rnd.random() < 0.5):
            at = step_at[min(reached, 3)]
            checks.add(checks.new_id(), did, "background_check", at.date(), lead,
                       rnd.choice(("no_concerns", "concerns_noted", "high_risk")), lead, at)  # fmt: skip
            letters.add(
                letters.new_id(), did, "drafted" if drafted else "not_warranted", template_id if drafted else NULL,
                "Felon in possession: up to 10 years federal." if drafted else "",
                f"Dear {name_of[cid]}, ..." if drafted else "",
                "" if drafted else "No prior convictions to cite.",
                step_at[5] if (drafted and reached >= 5 and outcome in ("delivered", "delivered_to_influencer"))
                else NULL,
                lead, at,
            )  # fmt: skip
            social.add(social.new_id(), did, rnd.choice(socials), at.date(), "Job training and food box.", lead, at)
            if juvenile:
                jpo.add(jpo.new_id(), did, at.date(), False, "", "None active.", "No assigned officer.", "deliver",
                        "No open probation.", lead, at)  # fmt: skip
                guardian_contacts.add(guardian_contacts.new_id(), did, guardian, "", at, "phone", True, True, lead,
                                      at)  # fmt: skip
        officer = team_officers[0] if team_officers else lead
        if reached >= 4:
            at = step_at[4]
            ecc.add(ecc.new_id(), did, 1, at, location, "Team of the CN", name_of[cid], f"ECC-{did:07d}", officer, at)
        if reached >= 5:
            at = step_at[5]
            contact = outcome in ("delivered", "delivered_to_influencer")
            encounters.add(
                encounters.new_id(), did, 1, outcome, at, drafted and contact, contact, outcome == "refused",
                guardian if outcome == "delivered_to_influencer" else NULL,
                "Family member" if outcome == "delivered_to_influencer" else "",
                "parent" if outcome == "delivered_to_influencer" else "",
                "Candidate not home; parent agreed to pass it on." if outcome == "delivered_to_influencer" else "",
                True if outcome == "delivered" else NULL, "", outcome == "refused",
                bool(juvenile and outcome == "delivered"), guardian if (juvenile and outcome == "delivered") else NULL,
                "", officer, at,
            )  # fmt: skip
            if contact and rnd.random() < 0.7:
                for _ in range(rnd.randint(1, 2)):
                    services.add(
                        services.new_id(), cid, did,
                        rnd.choice(("shelter", "rental_assistance", "job_training", "mental_health", "food_box",
                                    "substance_use", "education", "relocation")),
                        rnd.randint(1, len(PARTNERS)), rnd.choice(socials), at.date(),
                        rnd.choice(("offered", "accepted", "declined", "referred", "completed")), at.date(),
                    )  # fmt: skip
        if reached >= 6:
            at = step_at[6]
            closed = state == "closed"
            after_actions.add(
                after_actions.new_id(), did, True, at, f"CAD-{at.year}-{did:06d}",
                lead if closed else NULL, step_at[7] if closed else NULL, officer, at,
            )  # fmt: skip
    log(f"CNs written ({time.monotonic() - started:.1f}s)")

    # --- the rest of the audit trail: the read audit's rows (vip/audit/middleware.py writes one for every
    # request that shows people's records) and sign-ins, over five years: many rows per user, per person and
    # per month, of the shapes the middleware writes, so the audit viewer's searches meet real data.
    everyone = list(usernames)
    readers = leads + officers + trainees + socials + people["manager"]
    period_start = (now - dt.timedelta(days=5 * 365)).timestamp()
    span = now.timestamp() - period_start
    tz = now.tzinfo

    def read_row(at, actor, path, query, shown, object_type, object_id="", obj_repr=""):
        full_path = path + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")
        changes = json.dumps({"asked": {"method": "GET", "path": path, "query": query}, "shown": shown})
        audit_row(at, actor, "read", object_type, object_id, obj_repr, note=f"GET {full_path}", changes=changes)

    def when_worked(did) -> dt.datetime:
        """A moment the CN was worked on, or up to a year after it closed (a person's record read again)."""
        first, last = cn_first[did], min(now.timestamp(), cn_last[did] + rnd.uniform(0, 365 * 86400))
        return dt.datetime.fromtimestamp(rnd.uniform(first, max(first, last)), tz)

    surnames = list(by_surname)
    while audit.count < n_audit:
        actor = rnd.choice(readers)
        kind = rnd.random()
        if kind < 0.08:  # a sign-in
            actor = rnd.choice(everyone)
            at = dt.datetime.fromtimestamp(period_start + rnd.random() * span, tz)
            audit_row(at, actor, "login", "auth.User", actor, usernames[actor])
        elif kind < 0.55:  # a person's page, or their CN's: mostly people on a CN, while it is worked on
            did = rnd.randint(1, n_deliveries)
            cid = cn_candidate[did]
            at = when_worked(did)
            guardian = guardian_of[cid]
            if kind < 0.25:
                shown = {"candidates.Candidate": [str(cid)]}
                if guardian is not NULL:
                    shown["candidates.Influencer"] = [str(guardian)]
                shown["notifications.Delivery"] = [str(did)]
                path = f"/candidates/{cid}/" if kind < 0.2 else f"/api/candidates/{cid}/"
                read_row(at, actor, path, {}, shown, "candidates.Candidate", cid, name_of[cid])
            else:
                shown = {"candidates.Candidate": [str(cid)], "notifications.Delivery": [str(did)]}
                path = f"/cn/{did}/" if kind < 0.45 else f"/api/deliveries/{did}/"
                read_row(at, actor, path, {}, shown, "notifications.Delivery", did, f"CN #{did} for {name_of[cid]}")
        elif kind < 0.62:  # a person's page, anyone's
            cid = rnd.randint(1, n_candidates)
            at = dt.datetime.fromtimestamp(period_start + rnd.random() * span, tz)
            read_row(at, actor, f"/candidates/{cid}/", {}, {"candidates.Candidate": [str(cid)]},
                     "candidates.Candidate", cid, name_of[cid])  # fmt: skip
        elif kind < 0.85:  # a search by name: one row naming every person the page showed (25 at most)
            surname = rnd.choice(surnames)
            found = by_surname[surname]
            ids = sorted(rnd.sample(found, 25) if len(found) > 25 else found)
            at = dt.datetime.fromtimestamp(period_start + rnd.random() * span, tz)
            path = "/candidates/" if kind < 0.78 else "/api/candidates/"
            query = {"q": surname.lower()}
            one = str(ids[0]) if len(ids) == 1 else ""
            read_row(at, actor, path, query, {"candidates.Candidate": [str(i) for i in ids]},
                     "candidates.Candidate", one)  # fmt: skip
        else:  # a list of CNs (the board, an officer's CNs, the tablet, the API's pages) and their people
            at = dt.datetime.fromtimestamp(period_start + rnd.random() * span, tz)
            dids = sorted(rnd.sample(range(1, n_deliveries + 1), min(20, n_deliveries)))
            path, query = rnd.choice(
                (("/cn/board/", {}), ("/cn/mine/", {}), ("/tablet/", {}), ("/api/deliveries/", {"page": "2"}))
            )
            shown = {
                "candidates.Candidate": sorted({str(cn_candidate[d]) for d in dids}, key=lambda i: (len(i), i)),
                "notifications.Delivery": [str(d) for d in dids],
            }
            read_row(at, actor, path, query, shown, "notifications.Delivery")

    for s in sinks.values():
        s.close()
    log(f"CSV written ({time.monotonic() - started:.1f}s); loading with COPY")

    # Foreign keys are checked row by row: load the tables a row points at first (services point at CNs).
    # At scale 0.1 and above the checks are switched off for the load (session_replication_role = replica,
    # which skips the constraint triggers): the small scales, run with every check, prove the rows consistent.
    order = sorted(sinks.values(), key=lambda s: s.model is c.ServiceOffer)
    with connection.cursor() as cursor:
        cursor.execute("SET maintenance_work_mem = '256MB'")
        cursor.execute("SET synchronous_commit = off")
        if not check_foreign_keys:
            cursor.execute("SET session_replication_role = replica")
        for s in order:
            t0 = time.monotonic()
            if s.model is AuditEvent:
                _ensure_audit_months(period[0], period[1], log)
            # A big table loads faster without its secondary indexes, built once afterwards from sorted data.
            indexes = _secondary_indexes(cursor, s.table) if s.count > BULK_ROWS else []
            for name, _definition in indexes:
                cursor.execute(f'DROP INDEX "{name}"')
            s.copy(cursor)
            for _name, definition in indexes:
                cursor.execute(definition)
            if s.count > BULK_ROWS:
                log(f"  {s.table}: {s.count:,} rows in {time.monotonic() - t0:.1f}s ({len(indexes)} indexes rebuilt)")
        cursor.execute("SET session_replication_role = DEFAULT")
        for statement in connection.ops.sequence_reset_sql(no_style(), list(sinks)):
            cursor.execute(statement)
    for s in sinks.values():
        s.path.unlink()
    folder.rmdir()
    if vacuum:  # not inside a transaction (tests)
        log(f"loaded ({time.monotonic() - started:.1f}s); VACUUM ANALYZE")
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
            # The load and the vacuum leave a gigabyte of pages to write; written now, not by the checkpointer
            # while the first endpoints are measured (the run right after a load measured the searches and the
            # POST a third slower than runs minutes later). It needs a superuser or pg_checkpoint: without, the
            # checkpointer writes them later, as before.
            try:
                with transaction.atomic():
                    cursor.execute("CHECKPOINT")
            except DatabaseError as exc:
                log(f"CHECKPOINT skipped ({str(exc).strip()}): the first endpoints may measure a busier disk")
        os.sync()
    counts = {s.table: s.count for s in sinks.values()}
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_size_pretty(pg_database_size(current_database()))")
        size = cursor.fetchone()[0]
    log(f"done in {time.monotonic() - started:.1f}s: {sum(counts.values()):,} rows, database {size}")
    log("  " + ", ".join(f"{table} {count:,}" for table, count in sorted(counts.items())))
    return counts


def _ensure_audit_months(first: dt.datetime, last: dt.datetime, log) -> None:
    """The audit table is partitioned by month (vip migration 0012): create the partitions of the generated
    period before its rows are copied (COPY into the parent routes each row to its month's)."""
    from vip.audit.partitions import ensure_months

    # a day either side: the months are whole whatever time zone their bounds are drawn in
    first_day, last_day = (first - dt.timedelta(days=1)).date(), (last + dt.timedelta(days=1)).date()
    ensure_months(first_day, last_day)
    log(f"  audit partitions ensured for {first_day:%Y-%m} to {last_day:%Y-%m}")


def _secondary_indexes(cursor, table: str) -> list[tuple[str, str]]:
    """(name, CREATE INDEX statement) of the table's indexes that back no constraint (not the primary key,
    not a unique constraint), which may be dropped and rebuilt around a bulk load. A partitioned table's (the
    audit trail's) is given as `ON ONLY`, which would make an index of the parent alone, invalid and on no
    partition: the statement rebuilds it on every partition."""
    cursor.execute(
        """
        SELECT ic.relname, pg_get_indexdef(i.indexrelid)
        FROM pg_index i
        JOIN pg_class tc ON tc.oid = i.indrelid
        JOIN pg_class ic ON ic.oid = i.indexrelid
        WHERE tc.relname = %s AND tc.relnamespace = 'public'::regnamespace
          AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid)
        """,
        [table],
    )
    return [(name, definition.replace(" ON ONLY ", " ON ", 1)) for name, definition in cursor.fetchall()]


def _reached(state: str) -> int:
    """How far along PATH a CN in `state` has gone (cancelled CNs are decided separately)."""
    if state in OUTCOMES:
        return PATH.index("outcome")
    if state == "cancelled":
        return 0
    return PATH.index(state)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--scale", type=float, default=float(os.environ.get("BENCH_SCALE", "1.0")))
    parser.add_argument("--seed", type=int, default=2064)
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL"))
    parser.add_argument(
        "--check-foreign-keys",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="check every foreign key while loading (default: below scale 0.1 only)",
    )
    args = parser.parse_args(argv)
    setup_django(args.database_url)
    generate(args.scale, args.seed, check_foreign_keys=args.check_foreign_keys)


if __name__ == "__main__":
    main()
