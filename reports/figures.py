"""The program's figures: what the Program Manager answers for, computed from the records a user may see.

Every figure starts from a `Scope` (the deliveries and candidates a user may see, or the public scope of
the transparency report) and keeps the ids of the records behind it, so each number on the dashboard
links to exactly the records it counts (`drill_ids`).

The queries are few and fixed whatever the data size (rows are fetched in one query per kind and folded
in Python): the dashboard's query count is asserted constant in the tests. At a city's scale folding a
year of encounters takes seconds, so the dashboard shows the numbers (`FigureCounts`) of a stored snapshot
recomputed every few minutes (reports/snapshots.py); its lists (the longest late, this week's) read a few
rows live, and the drill-downs list the records live. A figure's number is the length of its drill-down's
records (`ProgramFigures.ids`, declared in `FIGURES`), and a drill-down that finds the records changed since
the snapshot brings the snapshot to its moment (`snapshots.agree`): the two never disagree.

Definitions (shown on the dashboard too):
- a *contact* is a CN whose encounter, dated in the period, recorded a delivery to the candidate or to a
  family member, influencer or associate (SOP 2-64-4 C.1); a *refusal* an encounter that recorded
  a refusal or being asked to leave. Each CN counts once.
- the *contact date* of a candidate is the date of their first contact in the period.
- *re-offence within N days*: the share of candidates contacted in the period with a new arrest or offence
  (OutcomeEvent "arrest") dated after their contact date and no later than N days after it.
- a *re-victimisation* is a re-victimisation OutcomeEvent dated in the period, of a candidate contacted
  before that date.
- ages are taken on the contact date; juvenile is 17 or younger (SOP 2-64-5).
- services *offered* are the offers dated in the period; *accepted* those whose status is accepted or
  completed.
- a contact *by command-level personnel* had a command-level officer (Personnel.is_command_level) on its
  delivering team (SOP 2-64-6: command-level personnel are encouraged to deliver).
Sealed records (Candidate.sealed_at) are never counted.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.db import connections
from django.db.models import (
    Count,
    Min,
    Q,
    QuerySet,
)
from django.utils import timezone

from candidates.models import Candidate, OutcomeEvent, ServiceOffer, add_years, age_on
from candidates.selectors import candidates_visible_to
from notifications import rules
from notifications.models import Delivery, Encounter, State, TeamMember
from notifications.selectors import deliveries_visible_to
from reports import follow_up, funnel
from reports.recorded import ACCEPTED_STATUSES, CONTACT_OUTCOMES, STATES_AFTER, recorded  # noqa: F401 (read as f.*)
from vip.audit import reads
from vip.errors import DomainError

DEFAULT_WINDOW_DAYS = 365
MAX_WINDOW_DAYS = 3650
PIPELINE_STATES = list(State)


# --- what is counted, and over which records ------------------------------------------------------------


@dataclass(frozen=True)
class Scope:
    deliveries: QuerySet
    candidates: QuerySet


def _not_sealed(deliveries: QuerySet) -> QuerySet:
    """Leave out the CNs of sealed candidates: NOT IN the few sealed ids (a hashed lookup on the partial
    index), not a join of every CN with its candidate."""
    return deliveries.exclude(candidate_id__in=Candidate.objects.sealed().values("pk"))


def scope_for(user) -> Scope:
    """What this user may see, never a sealed record (the figures describe the program, not one file)."""
    return Scope(
        deliveries=_not_sealed(deliveries_visible_to(user)),
        candidates=candidates_visible_to(user).unsealed(),
    )


def all_unsealed_scope() -> Scope:
    """Every unsealed record: the scope of every role that sees all of them (reports/snapshots.py), and of
    the transparency report (only aggregates ever leave it)."""
    return Scope(deliveries=_not_sealed(Delivery.objects.all()), candidates=Candidate.objects.unsealed())


def public_scope() -> Scope:
    """The transparency report's scope: every unsealed record (only aggregates ever leave it)."""
    return all_unsealed_scope()


@dataclass(frozen=True)
class Period:
    start: dt.date
    end: dt.date

    @classmethod
    def last_twelve_months(cls, today: dt.date | None = None) -> Period:
        end = today or timezone.localdate()
        return cls(start=add_years(end, -1) + dt.timedelta(days=1), end=end)

    @property
    def bounds(self) -> tuple[dt.datetime, dt.datetime]:
        """Aware datetimes [start 00:00, day after end 00:00) in the program's time zone."""
        tz = timezone.get_current_timezone()
        first = dt.datetime.combine(self.start, dt.time.min, tzinfo=tz)
        after = dt.datetime.combine(self.end + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
        return first, after

    def months(self) -> list[tuple[int, int]]:
        months, year, month = [], self.start.year, self.start.month
        while (year, month) <= (self.end.year, self.end.month):
            months.append((year, month))
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)
        return months

    def __contains__(self, day: dt.date) -> bool:
        return self.start <= day <= self.end


def parse_period(params, *, today: dt.date | None = None) -> tuple[Period, int, dict[str, str]]:
    """The period and re-offence window from GET parameters, with a message per field that is wrong."""
    default = Period.last_twelve_months(today)
    errors: dict[str, str] = {}

    def day(name: str, fallback: dt.date) -> dt.date:
        raw = (params.get(name) or "").strip()
        if not raw:
            return fallback
        try:
            day = dt.date.fromisoformat(raw)
        except ValueError:
            errors[name] = f"“{raw}” is not a date: use the form YYYY-MM-DD."
            return fallback
        if not 1900 <= day.year <= 2100:
            errors[name] = f"{day.year} is out of range: pick a year between 1900 and 2100."
            return fallback
        return day

    start, end = day("start", default.start), day("end", default.end)
    if start > end:
        errors["end"] = "The end of the period is before its start: swap the dates."
        start, end = default.start, default.end
    window = DEFAULT_WINDOW_DAYS
    raw_window = (params.get("window") or "").strip()
    if raw_window:
        try:
            window = int(raw_window)
            if not 1 <= window <= MAX_WINDOW_DAYS:
                raise ValueError
        except ValueError:
            errors["window"] = f"The re-offence window is a number of days from 1 to {MAX_WINDOW_DAYS}."
            window = DEFAULT_WINDOW_DAYS
    return Period(start, end), window, errors


# --- the facts the figures are folded from ----------------------------------------------------------------


@dataclass(frozen=True)
class EncounterFact:
    delivery_id: int
    candidate_id: int
    outcome: str
    on: dt.date
    date_of_birth: dt.date

    @property
    def age(self) -> int:
        return age_on(self.date_of_birth, self.on)


def encounter_facts(scope: Scope, period: Period, outcomes=(*CONTACT_OUTCOMES, Encounter.Outcome.REFUSED)):
    """One fact per CN and outcome: its first encounter with that outcome in the period (one query)."""
    first, after = period.bounds
    rows = (
        Encounter.objects.filter(recorded(outcomes), delivery__in=scope.deliveries.values("pk"))
        .filter(occurred_at__gte=first, occurred_at__lt=after)
        .order_by("occurred_at", "id")
        .values_list(
            "delivery_id", "delivery__candidate_id", "outcome", "occurred_at", "delivery__candidate__date_of_birth"
        )
    )
    facts, seen = [], set()
    for delivery_id, candidate_id, outcome, occurred_at, dob in rows:
        if (delivery_id, outcome) in seen:
            continue
        seen.add((delivery_id, outcome))
        facts.append(EncounterFact(delivery_id, candidate_id, outcome, timezone.localdate(occurred_at), dob))
    return facts


def first_contact_dates(scope: Scope, candidate_ids) -> dict[int, dt.date]:
    """Each candidate's first contact ever (any period), for re-victimisation (one query)."""
    rows = (
        Encounter.objects.filter(
            recorded(CONTACT_OUTCOMES),
            delivery__in=scope.deliveries.values("pk"),
            delivery__candidate_id__in=candidate_ids,
        )
        .values("delivery__candidate_id")
        .annotate(first=Min("occurred_at"))
        .order_by()
    )
    return {row["delivery__candidate_id"]: timezone.localdate(row["first"]) for row in rows}


# --- the figures ----------------------------------------------------------------------------------------


@dataclass
class ServiceLine:
    service_type: str
    label: str
    offered: int = 0
    accepted: int = 0


@dataclass
class MonthLine:
    year: int
    month: int
    contacts: int = 0
    refusals: int = 0
    offered: int = 0
    accepted: int = 0

    @property
    def label(self) -> str:
        return dt.date(self.year, self.month, 1).strftime("%b %Y")


def share(part: int, whole: int) -> float | None:
    return None if not whole else round(100 * part / whole, 1)


@dataclass
class ProgramFigures:
    period: Period
    window: int
    contacts: list[EncounterFact] = field(default_factory=list)
    refusals: list[EncounterFact] = field(default_factory=list)
    # candidate id -> the fact of their first contact in the period
    contacted: dict[int, EncounterFact] = field(default_factory=dict)
    reoffended: set[int] = field(default_factory=set)
    revictimizations: list[tuple[int, dt.date]] = field(default_factory=list)  # (event id, date)
    aged_18_29: set[int] = field(default_factory=set)
    juveniles: set[int] = field(default_factory=set)
    command_level: set[int] = field(default_factory=set)
    offer_rows: list[tuple[int, str, str, dt.date]] = field(default_factory=list)
    services: list[ServiceLine] = field(default_factory=list)
    months: list[MonthLine] = field(default_factory=list)

    @property
    def to_candidate(self) -> list[EncounterFact]:
        return [f for f in self.contacts if f.outcome == Encounter.Outcome.DELIVERED]

    @property
    def to_influencer(self) -> list[EncounterFact]:
        return [f for f in self.contacts if f.outcome == Encounter.Outcome.DELIVERED_TO_INFLUENCER]

    @property
    def offered_total(self) -> int:
        return len(self.offer_rows)

    @property
    def accepted_total(self) -> int:
        return sum(1 for row in self.offer_rows if row[2] in ACCEPTED_STATUSES)

    share = staticmethod(share)

    @property
    def reoffence_rate(self) -> float | None:
        return self.share(len(self.reoffended), len(self.contacted))

    @property
    def aged_18_29_share(self) -> float | None:
        return self.share(len(self.aged_18_29), len(self.contacted))

    @property
    def command_level_share(self) -> float | None:
        return self.share(len(self.command_level), len(self.contacts))

    def ids(self, figure: str, service_type: str = "") -> list[int]:
        """The records behind one of the period's figures (`FIGURES`), in the order the drill-down lists them:
        the one home of each figure's records. Its number on the dashboard is how many there are (`counts`)."""
        offers = [row for row in self.offer_rows if not service_type or row[1] == service_type]
        return {
            "contacts": lambda: [x.delivery_id for x in self.contacts],
            "to_candidate": lambda: [x.delivery_id for x in self.to_candidate],
            "to_influencer": lambda: [x.delivery_id for x in self.to_influencer],
            "refusals": lambda: [x.delivery_id for x in self.refusals],
            "contacted": lambda: list(self.contacted),
            "reoffended": lambda: sorted(self.reoffended),
            "revictimizations": lambda: [pk for pk, _ in self.revictimizations],
            "aged_18_29": lambda: sorted(self.aged_18_29),
            "juveniles": lambda: sorted(self.juveniles),
            "command_level": lambda: sorted(self.command_level),
            "services_offered": lambda: [row[0] for row in offers],
            "services_accepted": lambda: [row[0] for row in offers if row[2] in ACCEPTED_STATUSES],
        }[figure]()

    def counts(self) -> FigureCounts:
        """The numbers the dashboard shows, without the records behind them: each is how many records its
        drill-down lists (`ids`), so a figure and its records cannot be defined apart."""
        return FigureCounts(
            period=self.period,
            window=self.window,
            **{FIGURES[name].number: len(self.ids(name)) for name in PERIOD_FIGURES},
            services=self.services,
            months=self.months,
        )


@dataclass
class FigureCounts:
    """What the dashboard shows: the period's figures as numbers, the pipeline and the number overdue.

    This is what a snapshot stores (`as_data`, reports/snapshots.py): counts by figure, service type, month
    and state, never a record's id or anything about a person.
    """

    period: Period
    window: int
    contacts: int = 0
    to_candidate: int = 0
    to_influencer: int = 0
    contacted: int = 0
    refusals: int = 0
    reoffended: int = 0
    revictimizations: int = 0
    aged_18_29: int = 0
    juveniles: int = 0
    command_level: int = 0
    offered_total: int = 0
    accepted_total: int = 0
    services: list[ServiceLine] = field(default_factory=list)
    months: list[MonthLine] = field(default_factory=list)
    pipeline: list[PipelineLine] = field(default_factory=list)
    overdue_total: int = 0
    # the delivery funnel's and the follow-up report's numbers, as their modules compute them (plain JSON)
    funnel: dict = field(default_factory=dict)
    follow_up: dict = field(default_factory=dict)

    NUMBERS = (
        "contacts",
        "to_candidate",
        "to_influencer",
        "contacted",
        "refusals",
        "reoffended",
        "revictimizations",
        "aged_18_29",
        "juveniles",
        "command_level",
        "offered_total",
        "accepted_total",
        "overdue_total",
    )

    @property
    def reoffence_rate(self) -> float | None:
        return share(self.reoffended, self.contacted)

    @property
    def aged_18_29_share(self) -> float | None:
        return share(self.aged_18_29, self.contacted)

    @property
    def command_level_share(self) -> float | None:
        return share(self.command_level, self.contacts)

    def as_data(self) -> dict:
        """JSON of numbers (and the codes of service types and states) only."""
        return {
            **{name: getattr(self, name) for name in self.NUMBERS},
            "services": [[line.service_type, line.offered, line.accepted] for line in self.services],
            "months": [[m.year, m.month, m.contacts, m.refusals, m.offered, m.accepted] for m in self.months],
            "pipeline": {line.state: line.count for line in self.pipeline},
            "funnel": self.funnel,
            "follow_up": self.follow_up,
        }

    @classmethod
    def from_data(cls, period: Period, window: int, data: dict) -> FigureCounts:
        labels = dict(ServiceOffer.Type.choices)
        counts = data.get("pipeline", {})
        return cls(
            period=period,
            window=window,
            **{name: data.get(name, 0) for name in cls.NUMBERS},
            services=[
                ServiceLine(code, labels.get(code, code), offered, accepted)
                for code, offered, accepted in data.get("services", [])
            ],
            months=[MonthLine(*row) for row in data.get("months", [])],
            pipeline=[PipelineLine(s.value, s.label, counts.get(s.value, 0)) for s in PIPELINE_STATES],
            funnel=data.get("funnel", {}),
            follow_up=data.get("follow_up", {}),
        )


def program_figures(scope: Scope, period: Period, window: int = DEFAULT_WINDOW_DAYS) -> ProgramFigures:
    """All the period's figures in six queries, whatever the number of records."""
    figures = ProgramFigures(period=period, window=window)
    facts = encounter_facts(scope, period)
    figures.contacts = [f for f in facts if f.outcome in CONTACT_OUTCOMES]
    figures.refusals = [f for f in facts if f.outcome == Encounter.Outcome.REFUSED]
    for fact in figures.contacts:  # facts are in date order: the first one per candidate stays
        figures.contacted.setdefault(fact.candidate_id, fact)
    for candidate_id, fact in figures.contacted.items():
        if 18 <= fact.age <= 29:
            figures.aged_18_29.add(candidate_id)
        if fact.age <= 17:
            figures.juveniles.add(candidate_id)

    followed = followed_by_arrest(scope, list(figures.contacted.values()), window)
    figures.reoffended = {x.candidate_id for x in figures.contacted.values() if x.delivery_id in followed}
    figures.revictimizations = revictimizations_after_contact(scope, period)
    figures.command_level = _command_level(scope, period, figures.contacts)
    figures.offer_rows = list(
        ServiceOffer.objects.filter(
            candidate__in=scope.candidates.values("pk"), offered_on__gte=period.start, offered_on__lte=period.end
        )
        .order_by("offered_on", "id")
        .values_list("id", "service_type", "status", "offered_on")
    )
    figures.services = _services_by_type(figures.offer_rows)
    figures.months = _by_month(period, figures)
    return figures


def dashboard_counts(
    scope: Scope, period: Period, window: int = DEFAULT_WINDOW_DAYS, *, now=None, program: ProgramFigures | None = None
) -> FigureCounts:
    """Everything the dashboard counts, computed now from the records (what a snapshot stores). `program`: the
    period's figures of this scope just computed (by a drill-down), not computed twice."""
    counts = (program or program_figures(scope, period, window)).counts()
    counts.pipeline = pipeline(scope)
    counts.overdue_total = overdue_count(scope, now=now)
    counts.funnel = funnel.numbers(scope.deliveries, *period.bounds)
    counts.follow_up = follow_up.numbers(
        scope.candidates, scope.deliveries, period, today=timezone.localdate(now) if now else None
    )
    return counts


def followed_by_arrest(scope: Scope, facts: list[EncounterFact], window: int) -> set[int]:
    """The CNs (delivery ids) among `facts` whose candidate had a new arrest or offence after the contact
    date and no later than `window` days after it (one query)."""
    if not facts:
        return set()
    earliest = min(x.on for x in facts)
    latest = max(x.on for x in facts) + dt.timedelta(days=window)
    arrests = defaultdict(list)
    # The scope's arrests in the dates the facts span, whoever they are of (only the facts' people's are read
    # below): naming the facts' people would send a hundred thousand ids at a city's scale.
    for candidate_id, occurred_on in OutcomeEvent.objects.filter(
        candidate__in=scope.candidates.values("pk"),
        kind=OutcomeEvent.Kind.ARREST,
        occurred_on__gt=earliest,
        occurred_on__lte=latest,
    ).values_list("candidate_id", "occurred_on"):
        arrests[candidate_id].append(occurred_on)
    limit = dt.timedelta(days=window)
    return {
        x.delivery_id for x in facts if any(x.on < when <= x.on + limit for when in arrests.get(x.candidate_id, ()))
    }


def revictimizations_after_contact(scope: Scope, period: Period) -> list[tuple[int, dt.date]]:
    events = list(
        OutcomeEvent.objects.filter(
            candidate__in=scope.candidates.values("pk"),
            kind=OutcomeEvent.Kind.REVICTIMIZATION,
            occurred_on__gte=period.start,
            occurred_on__lte=period.end,
        )
        .order_by("occurred_on", "id")
        .values_list("id", "candidate_id", "occurred_on")
    )
    firsts = first_contact_dates(scope, {candidate_id for _, candidate_id, _ in events}) if events else {}
    return [(pk, on) for pk, candidate_id, on in events if candidate_id in firsts and firsts[candidate_id] < on]


def _command_level(scope: Scope, period: Period, contacts: list[EncounterFact]) -> set[int]:
    """The contacts' CNs with a command-level officer on the delivering team (one query). The CNs are
    named by the query that found the contacts, not by a list of their ids: at a city's scale that is
    tens of thousands of ids to send."""
    if not contacts:
        return set()
    first, after = period.bounds
    contacted_cns = Encounter.objects.filter(
        recorded(CONTACT_OUTCOMES),
        delivery__in=scope.deliveries.values("pk"),
        occurred_at__gte=first,
        occurred_at__lt=after,
    ).values("delivery_id")
    return set(
        TeamMember.objects.filter(
            delivery_id__in=contacted_cns,
            role__in=TeamMember.DELIVERING_ROLES,
            user__personnel__is_command_level=True,
        )
        .values_list("delivery_id", flat=True)
        .distinct()
    )


def _services_by_type(offer_rows) -> list[ServiceLine]:
    lines = {value: ServiceLine(value, label) for value, label in ServiceOffer.Type.choices}
    for _, service_type, status, _ in offer_rows:
        line = lines.setdefault(service_type, ServiceLine(service_type, service_type))
        line.offered += 1
        line.accepted += status in ACCEPTED_STATUSES
    return list(lines.values())


def _by_month(period: Period, figures: ProgramFigures) -> list[MonthLine]:
    months = {key: MonthLine(*key) for key in period.months()}
    for fact in figures.contacts:
        months[(fact.on.year, fact.on.month)].contacts += 1
    for fact in figures.refusals:
        months[(fact.on.year, fact.on.month)].refusals += 1
    for _, _, status, offered_on in figures.offer_rows:
        line = months[(offered_on.year, offered_on.month)]
        line.offered += 1
        line.accepted += status in ACCEPTED_STATUSES
    return list(months.values())


# --- the pipeline, what is late, this week ----------------------------------------------------------------


@dataclass
class PipelineLine:
    state: str
    label: str
    count: int


def in_state(scope: Scope, state: str) -> QuerySet:
    """The CNs in one state: its pipeline count (`pipeline`, the same filter grouped) and its drill-down."""
    return scope.deliveries.filter(state=state)


def pipeline(scope: Scope) -> list[PipelineLine]:
    """How many CNs are in each state: `in_state`, counted for every state in one GROUP BY."""
    counts = dict(scope.deliveries.order_by().values_list("state").annotate(n=Count("pk")))
    return [PipelineLine(state.value, state.label, counts.get(state.value, 0)) for state in PIPELINE_STATES]


def due_times() -> dict[str, dt.timedelta]:
    """The due time of each step, the administrator's overrides applied: the rulebook's (notifications/rules.py),
    which the reminder sweep reads too."""
    return rules.due_times()


def overdue_filter(now: dt.datetime | None = None) -> Q:
    """CNs owing a step past its due time: what the reminder sweep reminds of (notifications/rules.py)."""
    return rules.overdue_q(now or timezone.now())


@dataclass(frozen=True)
class CNRow:
    """What the dashboard's lists show of a CN, read as plain values: a few dozen rows, and a Delivery
    model instance (with its state machine) costs more to build than the query that reads it."""

    pk: int
    state: str
    state_entered_at: dt.datetime
    planned_for: dt.date | None
    first_name: str
    middle_name: str
    last_name: str
    candidate_id: int

    FIELDS = (
        "pk",
        "state",
        "state_entered_at",
        "planned_for",
        "candidate__first_name",
        "candidate__middle_name",
        "candidate__last_name",
        "candidate_id",
    )

    def __post_init__(self):
        # Read as values, not instances: the request's audit row names the CN and its person all the same.
        reads.show(Delivery._meta.label, [self.pk])
        reads.show(Candidate._meta.label, [self.candidate_id])

    @property
    def candidate(self) -> str:
        return Candidate.full_name.fget(self)  # the candidate's name, as Candidate.__str__ writes it

    def get_state_display(self) -> str:
        return State(self.state).label


def _union_of_one_shape(make, placeholders: tuple, values: list[tuple]) -> list[tuple]:
    """The rows of `make(*args)` (a sliced values queryset) for each tuple of `values`, in one UNION ALL
    query (PostgreSQL allows a LIMIT in each part).

    Only `make(*placeholders)` is compiled, then run with each tuple in place of the placeholders:
    compiling a dozen parts that differ only by their parameters costs more than running them (each holds
    the scope's subqueries). The placeholders must be values no real parameter of the query equals."""
    if not values:
        return []
    query = make(*placeholders)
    sql, params = query.query.sql_with_params()

    def slot(param) -> int | None:
        return next((n for n, x in enumerate(placeholders) if type(param) is type(x) and param == x), None)

    slots = [slot(param) for param in params]
    if sorted(n for n in slots if n is not None) != list(range(len(placeholders))):
        raise ValueError("Each placeholder must be a parameter of the query exactly once.")
    all_params = [param if n is None else args[n] for args in values for param, n in zip(params, slots, strict=True)]
    with connections[query.db].cursor() as cursor:  # the database the router reads this from (vip/replica.py)
        cursor.execute(" UNION ALL ".join(f"({sql})" for _ in values), all_params)
        return cursor.fetchall()


# Parameters no real query has, for `_union_of_one_shape`.
_STATE_PLACEHOLDER = "(a state)"
_TIME_PLACEHOLDER = dt.datetime(1901, 2, 3, 4, 5, 6, 789, tzinfo=dt.UTC)


@dataclass
class Overdue:
    delivery: CNRow
    due_at: dt.datetime
    late_by: dt.timedelta

    @property
    def late_by_text(self) -> str:
        days, hours = self.late_by.days, self.late_by.seconds // 3600
        if days:
            return f"{days} day{'s' if days != 1 else ''} {hours} h"
        return f"{hours} h {(self.late_by.seconds % 3600) // 60} min"


def overdue_cns(scope: Scope, *, now: dt.datetime | None = None, dues=None) -> QuerySet:
    """The overdue CNs: what the dashboard's overdue figure counts (`overdue_count`) and its drill-down lists
    (`overdue_ids`), one home for both."""
    return scope.deliveries.filter(rules.overdue_q(now or timezone.now(), dues or rules.due_times()))


def overdue_count(scope: Scope, *, now: dt.datetime | None = None) -> int:
    return overdue_cns(scope, now=now).order_by().count()


def overdue_ids(scope: Scope, *, now: dt.datetime | None = None) -> list[int]:
    """The ids of every overdue CN, the longest late first (one query, ids only: the drill-down lists all)."""
    dues = rules.due_times()
    return list(
        overdue_cns(scope, now=now, dues=dues)
        .annotate(due_at=rules.due_at_expression(dues))
        .order_by("due_at", "state_entered_at", "pk")
        .values_list("pk", flat=True)
    )


def overdue(scope: Scope, *, now: dt.datetime | None = None, limit: int | None = None) -> list[Overdue]:
    """What is late and for how long, the longest late first: the steps the reminder sweep reminds of, with
    the same due times (notifications/rules.py).

    With a limit (the dashboard's), only the `limit` longest late are read (two queries): for each step, they
    are among the `limit` CNs of its state that entered it first and still owe it, read in that order on the
    (state, state_entered_at) index (one UNION ALL of a part a step, a few rows each), merged by when they
    were due; then the chosen ones are read with their candidate's name. At a city's scale a hundred thousand
    CNs are late: they are never read all for the dashboard."""
    now = now or timezone.now()
    dues = rules.due_times()
    in_order = scope.deliveries.order_by("state_entered_at", "pk")
    if limit is None:
        late = in_order.filter(rules.overdue_q(now, dues)).annotate(due_at=rules.due_at_expression(dues))
        rows = [(row[:-1], row[-1]) for row in late.values_list(*CNRow.FIELDS, "due_at")]
    else:
        due_at: dict[int, dt.datetime] = {}
        entered_at: dict[int, dt.datetime] = {}
        for pk, entered, due in _first_late(in_order, now, dues, limit):
            due_at[pk] = min(due_at.get(pk, entered + due), entered + due)
            entered_at[pk] = entered
        chosen = sorted(due_at, key=lambda pk: (due_at[pk], entered_at[pk], pk))[:limit]
        rows = [(row, due_at[row[0]]) for row in in_order.filter(pk__in=chosen).values_list(*CNRow.FIELDS)]
    lines = [Overdue(CNRow(*row), due, now - due) for row, due in rows]
    lines.sort(key=lambda line: (line.due_at, line.delivery.state_entered_at, line.delivery.pk))
    return lines


def _first_late(
    in_order: QuerySet, now: dt.datetime, dues: dict, limit: int
) -> list[tuple[int, dt.datetime, dt.timedelta]]:
    """(pk, entered, due) of the `limit` first late CNs of each step: the steps every CN of their state owes
    in one UNION ALL (`_union_of_one_shape`), each step owed by some of them (its `pending`) in a part of its own
    in the same statement."""
    firsts = in_order.values_list("pk", "state", "state_entered_at")
    steps = rules.due_steps(dues)
    plain = [(step.state, due) for step, due in steps if step.pending is None]
    owed = [(step, due) for step, due in steps if step.pending is not None]
    due_of = {}
    for state, due in plain:
        due_of[state] = min(due_of.get(state, due), due)
    rows = [
        (pk, entered, due_of[state])
        for pk, state, entered in _union_of_one_shape(
            lambda state, cutoff: firsts.filter(state=state, state_entered_at__lte=cutoff)[:limit],
            (_STATE_PLACEHOLDER, _TIME_PLACEHOLDER),
            [(state, now - due) for state, due in plain],
        )
    ]
    for step, due in owed:
        part = firsts.filter(step.late(due, now))[:limit]
        rows += [(pk, entered, due) for pk, _, entered in part]
    return rows


def week_bounds(today: dt.date | None = None) -> tuple[dt.date, dt.date]:
    today = today or timezone.localdate()
    monday = today - dt.timedelta(days=today.weekday())
    return monday, monday + dt.timedelta(days=6)


def _met_this_week(today: dt.date | None = None) -> QuerySet:
    """The ids of the CNs with an encounter this week (the Encounter.occurred_at index)."""
    first, after = Period(*week_bounds(today)).bounds
    return Encounter.objects.filter(occurred_at__gte=first, occurred_at__lt=after).values("delivery_id")


def this_weeks_deliveries(scope: Scope, today: dt.date | None = None) -> QuerySet:
    """CNs planned for this week (Monday to Sunday) or with an encounter this week, not cancelled."""
    monday, sunday = week_bounds(today)
    return (
        scope.deliveries.filter(Q(planned_for__gte=monday, planned_for__lte=sunday) | Q(pk__in=_met_this_week(today)))
        .exclude(state=State.CANCELLED)
        .order_by("planned_for", "pk")
        .select_related("candidate")
    )


def planned_this_week(scope: Scope, limit: int, today: dt.date | None = None) -> list[CNRow]:
    """The first `limit` CNs planned this week, by planned day (the dashboard's list; one query).

    Read in order on the (planned_for, id) index and cut at `limit`. The CNs met this week but planned for
    another day are left to the full list (`this_weeks_deliveries`, the drill-down): the first of them by
    planned day can only be found by reading the CN of every encounter of the week, thousands at a city's
    scale, where this reads `limit` rows."""
    monday, sunday = week_bounds(today)
    return [
        CNRow(*row)
        for row in scope.deliveries.exclude(state=State.CANCELLED)
        .filter(planned_for__gte=monday, planned_for__lte=sunday)
        .order_by("planned_for", "pk")
        .values_list(*CNRow.FIELDS)[:limit]
    ]


# --- from a figure to its records --------------------------------------------------------------------------

DELIVERIES, CANDIDATES, OFFERS, OUTCOMES = "deliveries", "candidates", "offers", "outcomes"


@dataclass(frozen=True)
class Figure:
    records: str  # what its drill-down lists
    title: str
    number: str | None  # the FigureCounts field the dashboard shows it as; None: a live list, not a number


FIGURES = {
    "contacts": Figure(DELIVERIES, "Contacts: CNs delivered to the candidate or to an influencer", "contacts"),
    "to_candidate": Figure(DELIVERIES, "CNs delivered to the candidate", "to_candidate"),
    "to_influencer": Figure(DELIVERIES, "CNs delivered to a family member, influencer or associate", "to_influencer"),
    "refusals": Figure(DELIVERIES, "Refusals: CNs refused or the team asked to leave", "refusals"),
    "contacted": Figure(CANDIDATES, "Candidates contacted", "contacted"),
    "reoffended": Figure(
        CANDIDATES, "Candidates with a new arrest within the window after their contact", "reoffended"
    ),
    "revictimizations": Figure(OUTCOMES, "Re-victimisations after a contact", "revictimizations"),
    "aged_18_29": Figure(CANDIDATES, "Candidates aged 18 to 29 at contact", "aged_18_29"),
    "juveniles": Figure(CANDIDATES, "Juveniles reached (17 or younger at contact)", "juveniles"),
    "command_level": Figure(DELIVERIES, "Contacts with command-level personnel on the team", "command_level"),
    "services_offered": Figure(OFFERS, "Services offered", "offered_total"),
    "services_accepted": Figure(OFFERS, "Services accepted (accepted or completed)", "accepted_total"),
    "state": Figure(DELIVERIES, "CNs in a state", "pipeline"),
    "overdue": Figure(DELIVERIES, "Overdue CNs", "overdue_total"),
    "this_week": Figure(DELIVERIES, "This week's CNs", None),
    # The delivery funnel (reports/funnel.py) and the follow-up report (reports/follow_up.py): many numbers
    # each, one a drill-down's `cell` names.
    "funnel": Figure(DELIVERIES, "The delivery funnel", "funnel"),
    "follow_up": Figure(CANDIDATES, "Follow-up outcomes", "follow_up"),
}
# What each cohort figure's cells are computed by.
COHORT_FIGURES = {"funnel": funnel, "follow_up": follow_up}
# The figures of the moment (the pipeline, the overdue CNs, this week's), and those of the period, folded
# from its records by `program_figures`.
MOMENT_FIGURES = ("state", "overdue", "this_week")
PERIOD_FIGURES = tuple(name for name in FIGURES if name not in MOMENT_FIGURES and name not in COHORT_FIGURES)


def cell_of(figure: str, params) -> str:
    """The cell of a cohort figure a drill-down names (its `cell` parameter), refused if it names none."""
    cell = params.get("cell", "")
    if figure == "funnel":
        funnel.refuse_walled(cell)  # a number of a walled stage: shown, never listed (403, not "no such number")
    if cell not in COHORT_FIGURES[figure].cells():
        raise DomainError(f"“{cell}” is not a number of {FIGURES[figure].title.lower()}: open it from its page.")
    return cell


def drill_ids(
    figure: str, scope: Scope, period: Period, window: int, params, *, program: ProgramFigures | None = None
) -> list[int]:
    """The ids of the records behind one figure, computed exactly as the figure was (`program`: the period's
    figures, when already computed)."""
    if figure == "state":
        return list(in_state(scope, params.get("state", "")).values_list("pk", flat=True))
    if figure == "overdue":
        return overdue_ids(scope)
    if figure == "this_week":
        return list(this_weeks_deliveries(scope).values_list("pk", flat=True))
    if figure == "funnel":
        return funnel.ids(scope.deliveries, *period.bounds, cell_of(figure, params))
    if figure == "follow_up":
        return follow_up.ids(scope.candidates, scope.deliveries, period, cell_of(figure, params))
    program = program or program_figures(scope, period, window)
    return program.ids(figure, params.get("type", ""))


def shown_number(counts: FigureCounts, figure: str, params) -> int | None:
    """The number the dashboard shows for a figure (with its drill-down's parameters), None for a live list."""
    number = FIGURES[figure].number
    if number is None:
        return None
    if figure == "state":
        return {line.state: line.count for line in counts.pipeline}.get(params.get("state", ""), 0)
    if figure in COHORT_FIGURES:
        return getattr(counts, number).get("counts", {}).get(params.get("cell", ""), 0)
    service_type = params.get("type", "")
    if service_type and figure in ("services_offered", "services_accepted"):
        line = next((line for line in counts.services if line.service_type == service_type), None)
        return 0 if line is None else line.offered if figure == "services_offered" else line.accepted
    return getattr(counts, number)
