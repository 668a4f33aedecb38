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

from django.db.models import (
    Count,
    Exists,
    F,
    FloatField,
    Func,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
)
from django.db.models.aggregates import Aggregate
from django.db.models.functions import Cast, Coalesce, TruncDate
from django.utils import timezone

from candidates.aftercare.models import PartnerReferral
from candidates.aftercare.selectors import may_read_aftercare
from candidates.models import ServiceOffer
from notifications.models import Delivery, Encounter, JPOCheck, State
from reports.recorded import ACCEPTED_STATUSES, CONTACT_OUTCOMES, recorded
from vip.errors import NotPermitted
from vip.models import AuditEvent

# --- when a CN reached a stage: the local date, from the records ------------------------------------------


def _local_day(expression) -> TruncDate:
    return TruncDate(expression, tzinfo=timezone.get_current_timezone())


def _identified() -> TruncDate:
    """The CN was created: it is created in the state "identified" (notifications/models.py)."""
    return _local_day("created_at")


def _entered(state: str) -> Subquery:
    """The first time the CN entered `state`: its transition row in the audit trail (every transition writes
    one, notifications/services.py `_transition`; Delivery.state_entered_at keeps only the latest state's)."""
    rows = AuditEvent.objects.filter(
        action=AuditEvent.Action.TRANSITION,
        object_type=Delivery._meta.label,
        object_id=Cast(OuterRef("pk"), output_field=AuditEvent._meta.get_field("object_id")),
        to_state=state,
    ).order_by("at")
    return Subquery(rows.values(day=_local_day("at"))[:1])


def _first_encounter(condition: Q) -> Subquery:
    rows = Encounter.objects.filter(condition, delivery=OuterRef("pk")).order_by("occurred_at", "pk")
    return Subquery(rows.values(day=_local_day("occurred_at"))[:1])


def _first_service_accepted() -> Subquery:
    """The first service the CN's candidate accepted (status accepted or completed), offered during this CN
    or on or after the day it was delivered; dated by its status's date (the offer's, if none)."""
    day = Coalesce("status_changed_on", "offered_on")
    rows = (
        ServiceOffer.objects.filter(candidate=OuterRef("candidate_id"), status__in=ACCEPTED_STATUSES)
        .filter(Q(delivery=OuterRef("pk")) | Q(offered_on__gte=OuterRef("delivered_on")))
        .annotate(day=day)
        .order_by("day", "pk")
    )
    return Subquery(rows.values("day")[:1])


def _first_referral(*results: str) -> Subquery:
    """The first referral of the CN's candidate made on or after the day the CN was delivered whose result is
    one of `results`, dated by its result's date (a referral keeps one result and its date: the latest)."""
    rows = PartnerReferral.objects.filter(
        candidate=OuterRef("candidate_id"),
        result__in=results,
        referred_on__gte=OuterRef("delivered_on"),
        result_on__isnull=False,
    ).order_by("result_on", "pk")
    return Subquery(rows.values("result_on")[:1])


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
    on: Callable[[], object]  # the expression of the day the CN reached it (null: not reached)
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
        on=_identified,
    ),
    Stage(
        "eligible",
        "Eligible",
        "The LE Lead determined the candidate eligible (SOP 2-64-4 A): the CN entered “eligible”.",
        on=lambda: _entered(State.ELIGIBLE),
        converts_from="identified",
        timed_from=("identified",),
        also_reached=lambda: Q(state__in=_at_or_after(State.ELIGIBLE)),
    ),
    Stage(
        "ready",
        "Ready",
        "The LE Lead approved the CN for delivery (SOP 2-64-4 B): the CN entered “ready to deliver”.",
        on=lambda: _entered(State.READY),
        converts_from="eligible",
        timed_from=("eligible",),
        also_reached=lambda: Q(state__in=_at_or_after(State.READY)),
    ),
    Stage(
        "attempted",
        "Attempted",
        "The team went to the door: an encounter is recorded, whatever its outcome (delivered, refused, not located).",
        on=lambda: _first_encounter(Q()),
        converts_from="ready",
        timed_from=("ready",),
    ),
    Stage(
        "delivered",
        "Delivered",
        "The CN was delivered to the candidate or to a family member, influencer or associate (SOP 2-64-4 C.1): "
        "the first such encounter, on a CN that went on from it.",
        on=lambda: _first_encounter(recorded(CONTACT_OUTCOMES)),
        converts_from="attempted",
        timed_from=("identified", "attempted"),
    ),
    Stage(
        "to_person",
        "to the candidate",
        "Delivered to the candidate in person.",
        on=lambda: _first_encounter(recorded([Encounter.Outcome.DELIVERED])),
        converts_from="attempted",
        part_of="delivered",
    ),
    Stage(
        "to_influencer",
        "to an influencer",
        "Delivered to a family member, influencer or associate (SOP 2-64-4 C.1.b).",
        on=lambda: _first_encounter(recorded([Encounter.Outcome.DELIVERED_TO_INFLUENCER])),
        converts_from="attempted",
        part_of="delivered",
    ),
    Stage(
        "service_accepted",
        "A service accepted",
        "After the delivery, the candidate accepted a service (status accepted or completed) offered during this CN "
        "or on or after the day of the delivery; dated by the day its status changed.",
        on=_first_service_accepted,
        converts_from="delivered",
        timed_from=("delivered",),
    ),
    Stage(
        "referral_enrolled",
        "A referral enrolled",
        "After the delivery, a partner organisation enrolled the candidate: the first referral made on or after the "
        "day of the delivery whose result is enrolled or completed, dated by the day of its result. A referral keeps "
        "only its latest result's date, so a completed one is dated by its completion, not by its enrolment.",
        on=lambda: _first_referral(PartnerReferral.Result.ENROLLED, PartnerReferral.Result.COMPLETED),
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
        on=lambda: _first_referral(PartnerReferral.Result.COMPLETED),
        converts_from="referral_enrolled",
        timed_from=("delivered",),
        walled=True,
    ),
)
STAGE_BY_KEY = {stage.key: stage for stage in STAGES}


# --- the exits -----------------------------------------------------------------------------------------------


def _jpo_do_not_deliver() -> Exists:
    return Exists(JPOCheck.objects.filter(delivery=OuterRef("pk"), decision=JPOCheck.Decision.DO_NOT_DELIVER))


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
        lambda: Q(jpo_do_not_deliver=True) & _NOT_DELIVERED,
    ),
    Exit(
        "cancelled",
        "Cancelled",
        "The LE Lead cancelled the CN before the door, with a reason (other than a JPO “do not deliver”).",
        lambda: Q(state=State.CANCELLED, jpo_do_not_deliver=False),
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


def cohort(deliveries: QuerySet, first: dt.datetime, after: dt.datetime) -> QuerySet:
    """The CNs identified in [first, after), each with the day it reached each stage (null: not reached)."""
    days = {}
    for stage in STAGES:
        days[stage.day] = stage.on()
    return (
        deliveries.filter(created_at__gte=first, created_at__lt=after)
        .annotate(**days)
        .annotate(
            refused_on=_first_encounter(recorded([Encounter.Outcome.REFUSED])),
            not_located_on=_first_encounter(Q(outcome=Encounter.Outcome.NOT_LOCATED)),
            jpo_do_not_deliver=_jpo_do_not_deliver(),
        )
        .order_by()
    )


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
    row = cohort(deliveries, first, after).aggregate(**aggregates)
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
    return list(cohort(deliveries, first, after).filter(condition).order_by("pk").values_list("pk", flat=True))


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
