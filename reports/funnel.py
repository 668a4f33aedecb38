"""The delivery funnel (issue 19, part 3): how far the CNs identified in a period went, how long each step
took, and why those that stopped there stopped.

The funnel is declared, stage by stage, in `STAGES` and `EXITS`: each says in words what it counts (the page
and docs/evaluation.md show these words), when a CN reached it (a date, from the records: the CN's creation,
the transitions in the audit trail, the encounters, the service offers) and which stage its rate and its
time are measured from. The counts, the conversion rates and the times (median and 90th percentile, by
PostgreSQL's `percentile_cont`) are one query over the period's CNs, and a number's drill-down lists the CNs
of that very stage with the same condition (`ids`): a figure and its records cannot be defined apart.

Adding a stage is one declaration in `STAGES`. The referral stages (issue 19 part 1: "a referral enrolled",
"a referral completed") are two such declarations, after "a service accepted", and they are `walled`: a
referral is behind the services wall (candidates/aftercare/selectors.py). A walled stage's numbers (its count,
its rate, its times) are read only by those the wall lets read the services' totals (`may_read_aftercare`:
the Program Manager among the funnel's readers, never the LE Lead: `walled_from`, `lines`), and they open no
records for anyone (`cells` leaves them out, `refuse_walled`): a list of the people who enrolled would be a
referral's detail. The dashboard's snapshot, shared by the LE Lead and the Program Manager
(reports/snapshots.py), stores the numbers; what a reader is shown of them is cut by `lines`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeVar

from django.db.models import (
    Count,
    F,
    FloatField,
    Func,
    IntegerField,
    Min,
    Q,
    QuerySet,
)
from django.db.models.aggregates import Aggregate
from django.db.models.functions import Cast, Coalesce, TruncDate
from django.utils import timezone

from candidates.aftercare.models import PartnerReferral
from candidates.aftercare.selectors import may_read_aftercare
from candidates.models import ServiceOffer
from notifications.models import Delivery, Encounter, JPOCheck, State
from reports.cte import read_rows
from reports.models import FunnelDay
from reports.recorded import ACCEPTED_STATUSES, CONTACT_OUTCOMES, recorded
from vip.errors import NotPermitted
from vip.models import AuditEvent

# --- when a CN reached a stage: the local date, from the records ------------------------------------------
#
# Each stage's day is one of the families below, computed once for the whole cohort (set-based: one GROUP BY
# over the related records restricted to the cohort's CNs, joined to them), never a subquery run per CN: at a
# city's scale the cohort is hundreds of thousands of CNs (docs/performance.md, "Dashboard figures at scale 4").


def _local_day(expression) -> TruncDate:
    return TruncDate(expression, tzinfo=timezone.get_current_timezone())


@dataclass(frozen=True)
class Identified:
    """The CN was created: it is created in the state "identified" (notifications/models.py)."""


@dataclass(frozen=True)
class Entered:
    """The first time the CN entered `state`: its transition row in the audit trail (every transition writes
    one, notifications/services.py `_transition`; Delivery.state_entered_at keeps only the latest state's).
    A CN's transitions are never before its creation, so only the rows since the period's start are read
    (which also lets PostgreSQL skip the audit trail's older months)."""

    state: str


@dataclass(frozen=True)
class FirstEncounter:
    """The CN's first encounter matching `condition` (a filter of encounters)."""

    condition: Q = field(default_factory=Q)


@dataclass(frozen=True)
class FirstServiceAccepted:
    """The first service the CN's candidate accepted (status accepted or completed), offered during this CN
    or on or after the day it was delivered; dated by its status's date (the offer's, if none)."""

    def rows(self, candidates: QuerySet) -> QuerySet:
        return ServiceOffer.objects.filter(candidate__in=candidates, status__in=ACCEPTED_STATUSES).values(
            "candidate_id", "delivery_id", "offered_on", day=Coalesce("status_changed_on", "offered_on")
        )

    def joined_when(self, delivered_on: str) -> str:
        """A CN's row (`cn`) and an offer of its candidate's (`rows`): offered during it, or since its delivery."""
        return f"rows.delivery_id = cn.id OR rows.offered_on >= cn.{delivered_on}"


@dataclass(frozen=True)
class FirstReferral:
    """The first referral of the CN's candidate made on or after the day the CN was delivered whose result is
    one of `results`, dated by its result's date (a referral keeps one result and its date: the latest)."""

    results: tuple[str, ...]

    def rows(self, candidates: QuerySet) -> QuerySet:
        return PartnerReferral.objects.filter(
            candidate__in=candidates, result__in=self.results, result_on__isnull=False
        ).values("candidate_id", "referred_on", day=F("result_on"))

    def joined_when(self, delivered_on: str) -> str:
        """A CN's row (`cn`) and a referral of its candidate's (`rows`): made on or after its delivery's day."""
        return f"rows.referred_on >= cn.{delivered_on}"


# States a CN can only be in once it has passed through `state` (a CN created straight in a state, by an
# import, has no transition row for the states before it). Cancelled is not among them: a cancelled CN
# passed the stages its transition rows show.
_ORDER = [s for s in State if s != State.CANCELLED]


def _at_or_after(state: str) -> list[str]:
    return [s.value for s in _ORDER[_ORDER.index(state) :]]


# --- the stages ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Stage:
    key: str
    label: str
    definition: str
    on: Identified | Entered | FirstEncounter | FirstServiceAccepted | FirstReferral  # when it reached it
    converts_from: str | None = None  # the stage whose CNs its conversion rate is a share of
    timed_from: tuple[str, ...] = ()  # the earlier stages the time to it is measured from
    also_reached: Callable[[], Q] | None = None  # reached without a date on record (see `_at_or_after`)
    part_of: str | None = None  # a branch of another stage (delivered to the person, to an influencer)
    walled: bool = False  # behind the services wall: read only by `may_read_aftercare`, never drilled into

    @property
    def day(self) -> str:
        return f"{self.key}_on"

    def reached(self) -> Q:
        condition = Q(**{f"{self.day}__isnull": False})
        return condition | self.also_reached() if self.also_reached else condition


STAGES = (
    Stage(
        "identified",
        "Identified",
        "A CN created (the state “identified”) in the period. The funnel follows these CNs to wherever they are now.",
        on=Identified(),
    ),
    Stage(
        "eligible",
        "Eligible",
        "The LE Lead determined the candidate eligible (SOP 2-64-4 A): the CN entered “eligible”.",
        on=Entered(State.ELIGIBLE),
        converts_from="identified",
        timed_from=("identified",),
        also_reached=lambda: Q(state__in=_at_or_after(State.ELIGIBLE)),
    ),
    Stage(
        "ready",
        "Ready",
        "The LE Lead approved the CN for delivery (SOP 2-64-4 B): the CN entered “ready to deliver”.",
        on=Entered(State.READY),
        converts_from="eligible",
        timed_from=("eligible",),
        also_reached=lambda: Q(state__in=_at_or_after(State.READY)),
    ),
    Stage(
        "attempted",
        "Attempted",
        "The team went to the door: an encounter is recorded, whatever its outcome (delivered, refused, not located).",
        on=FirstEncounter(),
        converts_from="ready",
        timed_from=("ready",),
    ),
    Stage(
        "delivered",
        "Delivered",
        "The CN was delivered to the candidate or to a family member, influencer or associate (SOP 2-64-4 C.1): "
        "the first such encounter, on a CN that went on from it.",
        on=FirstEncounter(recorded(CONTACT_OUTCOMES)),
        converts_from="attempted",
        timed_from=("identified", "attempted"),
    ),
    Stage(
        "to_person",
        "to the candidate",
        "Delivered to the candidate in person.",
        on=FirstEncounter(recorded([Encounter.Outcome.DELIVERED])),
        converts_from="attempted",
        part_of="delivered",
    ),
    Stage(
        "to_influencer",
        "to an influencer",
        "Delivered to a family member, influencer or associate (SOP 2-64-4 C.1.b).",
        on=FirstEncounter(recorded([Encounter.Outcome.DELIVERED_TO_INFLUENCER])),
        converts_from="attempted",
        part_of="delivered",
    ),
    Stage(
        "service_accepted",
        "A service accepted",
        "After the delivery, the candidate accepted a service (status accepted or completed) offered during this CN "
        "or on or after the day of the delivery; dated by the day its status changed.",
        on=FirstServiceAccepted(),
        converts_from="delivered",
        timed_from=("delivered",),
    ),
    Stage(
        "referral_enrolled",
        "A referral enrolled",
        "After the delivery, a partner organisation enrolled the candidate: the first referral made on or after the "
        "day of the delivery whose result is enrolled or completed, dated by the day of its result. A referral keeps "
        "only its latest result's date, so a completed one is dated by its completion, not by its enrolment.",
        on=FirstReferral((PartnerReferral.Result.ENROLLED, PartnerReferral.Result.COMPLETED)),
        # A share of the delivered: a referral is not tied to an accepted offer (docs/evaluation.md).
        converts_from="delivered",
        timed_from=("delivered",),
        walled=True,
    ),
    Stage(
        "referral_completed",
        "A referral completed",
        "After the delivery, the candidate completed a referral: the first referral made on or after the day of the "
        "delivery whose result is completed, dated by the day of its result.",
        on=FirstReferral((PartnerReferral.Result.COMPLETED,)),
        converts_from="referral_enrolled",
        timed_from=("delivered",),
        walled=True,
    ),
)
STAGE_BY_KEY = {stage.key: stage for stage in STAGES}


# --- the exits -----------------------------------------------------------------------------------------------


# The days the exits read, beside the stages'; and whether the JPO's recorded decision was "do not deliver"
# (SOP 2-64-5 B.1), a column of the cohort's rows too (`_days_sql`).
JPO_DO_NOT_DELIVER = "jpo_do_not_deliver"
EXIT_DAYS = {
    "refused_on": FirstEncounter(recorded([Encounter.Outcome.REFUSED])),
    "not_located_on": FirstEncounter(Q(outcome=Encounter.Outcome.NOT_LOCATED)),
}


@dataclass(frozen=True)
class Exit:
    key: str
    label: str
    definition: str
    where: Callable[[], Q]


_NOT_DELIVERED = Q(delivered_on__isnull=True)
EXITS = (
    Exit(
        "jpo_do_not_deliver",
        "JPO: do not deliver",
        "The Juvenile Probation Office was contacted and the decision recorded was “do not deliver” "
        "(SOP 2-64-5 B.1), and the CN was not delivered.",
        lambda: Q(**{JPO_DO_NOT_DELIVER: True}) & _NOT_DELIVERED,
    ),
    Exit(
        "cancelled",
        "Cancelled",
        "The LE Lead cancelled the CN before the door, with a reason (other than a JPO “do not deliver”).",
        lambda: Q(state=State.CANCELLED, **{JPO_DO_NOT_DELIVER: False}),
    ),
    Exit(
        "refused",
        "Refused",
        "At the door the candidate refused or asked the team to leave (SOP 2-64-4 C.1.d), on a CN that went on "
        "from it.",
        lambda: Q(refused_on__isnull=False),
    ),
    Exit(
        "not_located",
        "Not located",
        "Every attempt found no one and the CN is not being tried again (it is “not located”, or its after-action "
        "is recorded): a CN retried is counted where its next attempt takes it.",
        lambda: (
            Q(not_located_on__isnull=False, state__in=(State.NOT_LOCATED, State.AFTER_ACTION, State.CLOSED))
            & _NOT_DELIVERED
            & Q(refused_on__isnull=True)
        ),
    ),
)
EXIT_BY_KEY = {exit.key: exit for exit in EXITS}

WALL_DEFINITION = (
    "The referral stages are behind the services wall: their numbers are shown to those who may read the services' "
    "totals (the Program Manager), never to the LE Lead, officers or the Administrator, and they open no list of "
    "CNs for anyone, since who was enrolled is a referral's detail."
)

TIMES_DEFINITION = (
    "Times are in days between the two dates, in the program's time zone (the same day is 0), over the CNs "
    "with both dates on record: the median (half took less) and the 90th percentile (nine in ten took no more)."
)


# --- the query -----------------------------------------------------------------------------------------------


class Percentile(Aggregate):
    """PostgreSQL's percentile_cont: the value below which `fraction` of the rows fall, interpolated."""

    function = "percentile_cont"
    template = "%(function)s(%(fraction)s) WITHIN GROUP (ORDER BY %(expressions)s)"
    allow_distinct = False

    def __init__(self, expression, *, fraction: float, **extra):
        if not 0 <= float(fraction) <= 1:
            raise ValueError("A percentile is a fraction between 0 and 1.")
        # a fraction of a day: not the input's integer type, which would truncate it
        super().__init__(expression, fraction=float(fraction), output_field=FloatField(), **extra)


def _days(later: str, earlier: str) -> Func:
    """Whole days from one stage's date to another's (PostgreSQL subtracts two dates as a number of days)."""
    return Func(F(later), F(earlier), template="(%(expressions)s)", arg_joiner=" - ", output_field=IntegerField())


# --- the cohort: one row per CN with its days, each family of days computed once for all of them -----------------

T = TypeVar("T")


def cohort(
    deliveries: QuerySet,
    first: dt.datetime,
    after: dt.datetime,
    read: Callable[[QuerySet], T],
    *,
    needs: Q | None = None,
) -> T:
    """Read the CNs identified in [first, after), each with the day it reached each stage (null: not reached):
    `read` gets them as a queryset of `reports.models.FunnelDay` (filter, aggregate, list them: evaluated inside,
    where the query runs with the cohort's days as a common table expression of that name, reports/cte.py).
    `needs`: a condition naming the only days `read` reads (a drill-down's): the others are not computed."""
    wanted = None if needs is None else _named(needs)
    return read_rows(FunnelDay, deliveries.db, lambda: _days_sql(deliveries, first, after, wanted), read)


def _named(condition: Q) -> set[str]:
    """The columns a condition reads."""
    names = set()
    for child in condition.children:
        names |= _named(child) if isinstance(child, Q) else {child[0].split("__")[0]}
    return names


def _days_sql(
    deliveries: QuerySet, first: dt.datetime, after: dt.datetime, wanted: set[str] | None = None
) -> tuple[str, list]:
    """The cohort's rows (the columns of `FunnelDay`; only the `wanted` days, if named), set-based: each family
    of days is one GROUP BY over its records restricted to the cohort's CNs (the encounters by CN, the transition
    rows by CN, the JPO's decisions), joined to the CNs; the days after the delivery (the services accepted, the
    referrals) are then one GROUP BY each over the candidates' records joined to the CNs with their delivery's
    day. Every filter is the ORM's (the stages' declarations); only the joins are written here: the one place the
    funnel writes SQL (names only: every value is a parameter)."""
    cns = deliveries.filter(created_at__gte=first, created_at__lt=after).order_by()
    delivered_on = STAGE_BY_KEY["delivered"].day
    on = {stage.day: stage.on for stage in STAGES} | EXIT_DAYS
    after_delivery = {day for day, source in on.items() if isinstance(source, FirstServiceAccepted | FirstReferral)}
    if wanted is not None:
        wanted = wanted | ({delivered_on} if wanted & after_delivery else set())
        on = {day: source for day, source in on.items() if day in wanted}
    of_kind = lambda kind: {day: source for day, source in on.items() if isinstance(source, kind)}  # noqa: E731
    params: list = []

    def sql(queryset: QuerySet) -> str:
        text, more = queryset.query.sql_with_params()
        params.extend(more)
        return text

    identified = {day: _local_day("created_at") for day in of_kind(Identified)}
    columns = ["funnel_cn.id", "funnel_cn.candidate_id", "funnel_cn.state", *identified]
    text = f"WITH funnel_cn AS ({sql(cns.values('id', 'candidate_id', 'state', **identified))}), "
    joins = ""
    if encountered := of_kind(FirstEncounter):
        encounters = (
            # by the CN's creation, as the cohort is (its scope is the join's, below): one join, which `recorded`'s
            # condition on the CN's state uses too
            Encounter.objects.filter(delivery__created_at__gte=first, delivery__created_at__lt=after)
            .values("delivery_id")
            .annotate(
                **{
                    day: Min(_local_day("occurred_at"), filter=source.condition or None)
                    for day, source in encountered.items()
                }
            )
            .order_by()
        )
        columns += encountered
        joins += f" LEFT JOIN ({sql(encounters)}) funnel_encounters ON funnel_encounters.delivery_id = funnel_cn.id"
    if entered := of_kind(Entered):
        object_id = AuditEvent._meta.get_field("object_id")
        transitions = (
            AuditEvent.objects.filter(
                action=AuditEvent.Action.TRANSITION,
                object_type=Delivery._meta.label,
                to_state__in=[source.state for source in entered.values()],
                at__gte=first,  # a CN's transitions are never before its creation
                object_id__in=cns.values(pk_text=Cast("pk", output_field=object_id)),
            )
            .values("object_id")
            .annotate(
                **{day: Min(_local_day("at"), filter=Q(to_state=source.state)) for day, source in entered.items()}
            )
            .order_by()
        )
        columns += entered
        joins += (
            f" LEFT JOIN ({sql(transitions)}) funnel_transitions"
            " ON funnel_transitions.object_id = CAST(funnel_cn.id AS varchar)"
        )
    if wanted is None or JPO_DO_NOT_DELIVER in wanted:
        jpo = (
            JPOCheck.objects.filter(decision=JPOCheck.Decision.DO_NOT_DELIVER, delivery__in=cns.values("pk"))
            .values("delivery_id")
            .distinct()
        )
        columns.append(f"(funnel_jpo.delivery_id IS NOT NULL) AS {JPO_DO_NOT_DELIVER}")
        joins += f" LEFT JOIN ({sql(jpo)}) funnel_jpo ON funnel_jpo.delivery_id = funnel_cn.id"
    text += f"funnel_firsts AS (SELECT {', '.join(columns)} FROM funnel_cn{joins}) SELECT funnel_firsts.*"  # noqa: S608
    later = of_kind(FirstServiceAccepted | FirstReferral)
    text += "".join(f", funnel_{day}.day AS {day}" for day in later) + " FROM funnel_firsts"
    for day, source in later.items():
        text += (
            " LEFT JOIN (SELECT cn.id, MIN(rows.day) AS day FROM funnel_firsts cn"  # noqa: S608 - names
            f" JOIN ({sql(source.rows(cns.values('candidate_id')))}) rows ON rows.candidate_id = cn.candidate_id"
            f" AND ({source.joined_when(delivered_on)}) GROUP BY cn.id) funnel_{day} ON funnel_{day}.id = funnel_firsts.id"
        )
    return text, params


@dataclass
class StageLine:
    stage: Stage
    count: int
    of: int | None  # the count of the stage it converts from
    times: list[TimeLine] = field(default_factory=list)

    @property
    def rate(self) -> float | None:
        return None if not self.of else round(100 * self.count / self.of, 1)


@dataclass
class TimeLine:
    since: Stage
    median: float | None
    p90: float | None
    timed: int  # how many CNs have both dates
    cell: str  # their drill-down


@dataclass
class ExitLine:
    exit: Exit
    count: int
    of: int  # the CNs identified

    @property
    def share(self) -> float | None:
        return None if not self.of else round(100 * self.count / self.of, 1)


def numbers(deliveries: QuerySet, first: dt.datetime, after: dt.datetime) -> dict:
    """The funnel's numbers (one query): counts by stage and exit, and each stage's times, as plain JSON
    (what a snapshot stores: reports/snapshots.py)."""
    aggregates = {f"stage__{s.key}": Count("pk", filter=s.reached()) for s in STAGES}
    aggregates |= {f"exit__{e.key}": Count("pk", filter=e.where()) for e in EXITS}
    timed = []
    for stage in STAGES:
        for since in stage.timed_from:
            days = _days(stage.day, STAGE_BY_KEY[since].day)
            key = f"{since}__{stage.key}"
            timed.append(key)
            aggregates[f"median__{key}"] = Percentile(days, fraction=0.5)
            aggregates[f"p90__{key}"] = Percentile(days, fraction=0.9)
            aggregates[f"timed__{key}"] = Count("pk", filter=_timed(key))
    row = cohort(deliveries, first, after, lambda cns: cns.aggregate(**aggregates))
    return {
        "counts": {key: value for key, value in row.items() if key.startswith(("stage__", "exit__", "timed__"))},
        "times": {
            key: [_rounded(row[f"median__{key}"]), _rounded(row[f"p90__{key}"]), row[f"timed__{key}"]] for key in timed
        },
    }


def _timed(key: str) -> Q:
    """The CNs a time is measured over: both stages' dates on record (`key`: "<since>__<stage>")."""
    since, stage = key.split("__")
    return Q(**{f"{STAGE_BY_KEY[stage].day}__isnull": False, f"{STAGE_BY_KEY[since].day}__isnull": False})


def _rounded(value) -> float | None:
    return None if value is None else round(float(value), 1)


def walled_from(reader) -> list[Stage]:
    """The stages whose numbers the services wall keeps from `reader`: the walled ones, unless the wall lets them
    read the services' totals (candidates/aftercare/selectors.py `may_read_aftercare`)."""
    return [] if may_read_aftercare(reader) else [stage for stage in STAGES if stage.walled]


def lines(data: dict, reader) -> tuple[list[StageLine], list[ExitLine]]:
    """The funnel's lines `reader` reads, from its numbers (`numbers`, or a snapshot's): a stage the wall keeps
    from them has no line."""
    counts, times = data.get("counts", {}), data.get("times", {})
    kept_from = walled_from(reader)
    stages = []
    for stage in STAGES:
        if stage in kept_from:
            continue
        of = counts.get(f"stage__{stage.converts_from}", 0) if stage.converts_from else None
        line = StageLine(stage, counts.get(f"stage__{stage.key}", 0), of)
        for since in stage.timed_from:
            median, p90, timed = times.get(f"{since}__{stage.key}", [None, None, 0])
            line.times.append(TimeLine(STAGE_BY_KEY[since], median, p90, timed, f"timed__{since}__{stage.key}"))
        stages.append(line)
    identified = counts.get("stage__identified", 0)
    exits = [ExitLine(e, counts.get(f"exit__{e.key}", 0), identified) for e in EXITS]
    return stages, exits


def cells() -> list[str]:
    """Every number of the funnel a drill-down opens: `stage__<key>`, `exit__<key>` and the CNs a time is
    measured over, `timed__<since>__<stage>` (identifiers: a snapshot's keys). A walled stage's open none."""
    open_stages = [s for s in STAGES if not s.walled]
    timed = [
        f"timed__{since}__{s.key}" for s in open_stages for since in s.timed_from if not STAGE_BY_KEY[since].walled
    ]
    return [f"stage__{s.key}" for s in open_stages] + [f"exit__{e.key}" for e in EXITS] + timed


def refuse_walled(cell: str) -> None:
    """A number of a walled stage (its count, or a time to or from it) opens no records, whoever asks: they
    would name the people a referral enrolled. Refused with the reason in words (403)."""
    kind, _, key = cell.partition("__")
    keys = [key] if kind == "stage" else key.split("__") if kind == "timed" else []
    walled = [STAGE_BY_KEY[k] for k in keys if k in STAGE_BY_KEY and STAGE_BY_KEY[k].walled]
    if walled:
        raise NotPermitted(
            f"“{walled[0].label}” is behind the services wall: its number is shown, the CNs it counts are not "
            "listed for anyone (they would say whom a partner enrolled)."
        )


def ids(deliveries: QuerySet, first: dt.datetime, after: dt.datetime, cell: str) -> list[int]:
    """The CNs behind one of the funnel's numbers: the same condition its count uses (never a walled one's)."""
    refuse_walled(cell)
    kind, _, key = cell.partition("__")
    condition = {"stage": lambda: STAGE_BY_KEY[key].reached(), "exit": lambda: EXIT_BY_KEY[key].where()}.get(
        kind, lambda: _timed(key)
    )()
    return cohort(
        deliveries,
        first,
        after,
        lambda cns: list(cns.filter(condition).order_by("pk").values_list("pk", flat=True)),
        needs=condition,
    )


def title(cell: str) -> str:
    kind, _, key = cell.partition("__")
    if kind == "stage":
        stage = STAGE_BY_KEY[key]
        label = f"Delivered {stage.label}" if stage.part_of else stage.label
        return f"Funnel: CNs identified in the period that reached “{label}”"
    if kind == "exit":
        return f"Funnel: CNs identified in the period that left at “{EXIT_BY_KEY[key].label}”"
    since, stage = (STAGE_BY_KEY[k].label for k in key.split("__"))
    return f"Funnel: CNs timed from “{since}” to “{stage}”"
