"""Follow-up outcomes the way evaluations report them (issue 19, part 4): re-arrest and re-victimisation at
6, 12 and 20 months after the delivery, by category, for the people delivered to, beside those identified
but never reached.

Who is followed, from when, what is counted and when a window counts are declared here, in words the page
and docs/evaluation.md show (`DEFINITIONS`), next to the conditions that count them. Every number is one
aggregate in PostgreSQL over the period's people (`numbers`), and its drill-down lists the people of that very
cell with the same condition (`ids`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from django.db.models import (
    Count,
    DateField,
    Exists,
    Func,
    Min,
    OuterRef,
    Q,
    QuerySet,
)
from django.db.models.functions import Coalesce, TruncDate
from django.utils import timezone

from candidates.models import OutcomeEvent
from reports.cte import read_rows
from reports.models import FollowUpPerson
from reports.recorded import CONTACT_OUTCOMES, recorded

T = TypeVar("T")

WINDOWS = (6, 12, 20)  # months after the start, as published evaluations report them
SMALL_COHORT = 10  # fewer people than this: flagged, too few to read a share from

DELIVERED, NEVER_REACHED = "delivered", "never_reached"
GROUPS = {
    DELIVERED: "Delivered to",
    NEVER_REACHED: "Identified, never reached",
}
ARREST, REVICTIMIZATION = OutcomeEvent.Kind.ARREST.value, OutcomeEvent.Kind.REVICTIMIZATION.value
KINDS = {ARREST: "Re-arrested", REVICTIMIZATION: "Re-victimised"}

# --- the evaluation's categories: the one place an outcome event's category is mapped to them ---------------

ANY, VIOLENT, FIREARM, OTHER = "any", "violent", "firearm", "other"
CATEGORIES = {ANY: "Any", VIOLENT: "Violent", FIREARM: "Firearm", OTHER: "Other"}
EVALUATION_CATEGORY = {
    OutcomeEvent.Category.GUN_VIOLENCE: FIREARM,
    OutcomeEvent.Category.OTHER_VIOLENCE: VIOLENT,
    OutcomeEvent.Category.DRUG: OTHER,
    OutcomeEvent.Category.PROPERTY: OTHER,
    OutcomeEvent.Category.OTHER: OTHER,
}
# An event recorded without a category: a re-victimisation is being shot again (OutcomeEvent.Kind's label).
UNCATEGORISED = {ARREST: OTHER, REVICTIMIZATION: FIREARM}


def event_categories(kind: str, category: str) -> list[str]:
    """The OutcomeEvent categories (codes, "" for none) that count as the evaluation's `category`."""
    if category == ANY:
        return [*EVALUATION_CATEGORY, ""]
    codes = [str(code) for code, mapped in EVALUATION_CATEGORY.items() if mapped == category]
    return codes + ([""] if UNCATEGORISED[kind] == category else [])


def _categories_text() -> str:
    """The mapping above, in words (so the page cannot say other than what is counted)."""
    named = {
        mapped: " or ".join(
            f"“{OutcomeEvent.Category(code).label.lower()}”" for code, m in EVALUATION_CATEGORY.items() if m == mapped
        )
        for mapped in (FIREARM, VIOLENT, OTHER)
    }
    return (
        f"Firearm is an event of the category {named[FIREARM]}, violent one of {named[VIOLENT]}, other one of "
        f"{named[OTHER]}. A re-victimisation recorded without a category is {UNCATEGORISED[REVICTIMIZATION]} (being "
        f"shot again); an arrest without one is {UNCATEGORISED[ARREST]}. A person with events of two categories "
        "counts in each, and once in “any”."
    )


DEFINITIONS = {  # title: text
    "Delivered to": "The people whose first delivery (to them or to a family member, influencer or "
    "associate, on a CN that went on from it) is dated in the period. Their follow-up starts on the day of "
    "that delivery.",
    "Identified, never reached": "The comparison group: the people whose first CN was created in "
    "the period and to whom no CN has been delivered. Their follow-up starts on the day they were identified "
    "(their first CN's creation), not on a delivery: the two groups' windows start at different steps.",
    "Windows": "A window of N months runs from the day after the start to the same day N months later, "
    "inclusive. It is counted only once it has fully elapsed (its last day is before today): a person whose "
    "window is still running is left out of that window's cohort and of its counts.",
    "Re-arrested, re-victimised": "Re-arrested: at least one new arrest or offence (outcome event) dated in the window. "
    "Re-victimised: at least one re-victimisation (outcome event) dated in the window. Each person counts once "
    "per cell, whatever the number of events; the share is of the window's cohort.",
    "Categories": _categories_text(),
    "Small cohorts": f"A cohort of fewer than {SMALL_COHORT} people is flagged: its shares say little.",
}

# The news report's first-year figures ("149 contacts, 3% reoffended, 1 re-victimised"), computed from the
# records: each is the dashboard's figure of that name (reports/figures.py, defined on the dashboard), over the
# period of the form; for the program's first year, choose its first twelve months.
NEWS_FIGURES = (
    (
        "contacts",
        "Contacts",
        "The news report's “149 contacts”: the dashboard's Contacts, the CNs delivered in the period to the "
        "candidate or to a family member, influencer or associate, each CN once.",
    ),
    (
        "reoffended",
        "Share re-offended",
        "The news report's “3% reoffended”: the dashboard's Re-offence, the share of the people contacted in the "
        "period with a new arrest or offence (any category) after their first contact in the period and within the "
        "re-offence window of the form.",
    ),
    (
        "revictimizations",
        "Re-victimisations",
        "The news report's “1 re-victimised”: the dashboard's Re-victimisations, the re-victimisation events dated "
        "in the period of people contacted before that date.",
    ),
)
# --- the query -----------------------------------------------------------------------------------------------


def _local_day(expression) -> TruncDate:
    return TruncDate(expression, tzinfo=timezone.get_current_timezone())


class PlusMonths(Func):
    """A date `months` later (PostgreSQL: 31 January plus one month is 28 or 29 February)."""

    output_field = DateField()

    def __init__(self, expression, *, months: int):
        super().__init__(expression, template=f"(%(expressions)s + interval '{int(months)} months')::date")


def people(candidates: QuerySet, deliveries: QuerySet, period, read: Callable[[QuerySet], T]) -> T:
    """Read the period's people of both groups (`read` gets them as a queryset, evaluated inside), each with the
    day their follow-up starts, whether they were delivered to, each window's last day and, per window, kind and
    category, whether it holds an event."""
    return read_rows(
        FollowUpPerson,
        candidates.db,
        lambda: _firsts(candidates, deliveries, period).query.sql_with_params(),
        lambda rows: read(_followed(rows)),
    )


def _firsts(candidates: QuerySet, deliveries: QuerySet, period) -> QuerySet:
    """The period's people, with their first contact and first CN over their CNs in `deliveries`: one GROUP BY
    person over those CNs and their encounters (set-based: a subquery a person was minutes of work at a city's
    scale). A person's row: `candidate_id`, `contact_on`, `identified_on` (reports.models.FollowUpPerson)."""
    first_contact = Min("encounters__occurred_at", filter=recorded(CONTACT_OUTCOMES, encounter="encounters__", cn=""))
    return (
        deliveries.filter(candidate__in=candidates.values("pk"))
        .values("candidate_id")
        .annotate(contact_on=_local_day(first_contact), identified_on=_local_day(Min("created_at")))
        .filter(
            Q(contact_on__gte=period.start, contact_on__lte=period.end)
            | Q(contact_on__isnull=True, identified_on__gte=period.start, identified_on__lte=period.end)
        )
        .order_by()
    )


def _followed(rows: QuerySet) -> QuerySet:
    """The people's windows and, per window, kind and category, whether it holds an event."""
    rows = rows.annotate(start=Coalesce("contact_on", "identified_on")).annotate(
        **{f"ends_{months}": PlusMonths("start", months=months) for months in WINDOWS}
    )
    events = {}
    for months in WINDOWS:
        for kind in KINDS:
            for category in CATEGORIES:
                events[f"event_{months}_{kind}_{category}"] = Exists(
                    OutcomeEvent.objects.filter(
                        candidate=OuterRef("pk"),
                        kind=kind,
                        category__in=event_categories(kind, category),
                        occurred_on__gt=OuterRef("start"),
                        occurred_on__lte=OuterRef(f"ends_{months}"),
                    )
                )
    return rows.annotate(**events).order_by()


def _group(group: str) -> Q:
    return Q(contact_on__isnull=group == NEVER_REACHED)


def condition(cell: str, today: dt.date) -> Q:
    """The people counted in a cell: "<group>__<months>__cohort" or "<group>__<months>__<kind>__<category>"
    (identifiers: a snapshot's keys)."""
    group, months, what, *category = cell.split("__")
    elapsed = Q(**{f"ends_{months}__lt": today})
    if what == "cohort":
        return _group(group) & elapsed
    return _group(group) & elapsed & Q(**{f"event_{months}_{what}_{category[0]}": True})


def cells() -> list[str]:
    return [
        f"{group}__{months}__{what}"
        for group in GROUPS
        for months in WINDOWS
        for what in ["cohort", *(f"{kind}__{category}" for kind in KINDS for category in CATEGORIES)]
    ]


def numbers(candidates: QuerySet, deliveries: QuerySet, period, today: dt.date | None = None) -> dict:
    """Every cell's count (one query), as plain JSON (what a snapshot stores). A window counts if its last
    day is before `today` (the snapshot's day: the page says so)."""
    today = today or timezone.localdate()
    counts = {cell: Count("pk", filter=condition(cell, today)) for cell in cells()}
    row = people(candidates, deliveries, period, lambda rows: rows.aggregate(**counts))
    return {"counts": row}


def ids(candidates: QuerySet, deliveries: QuerySet, period, cell: str, today: dt.date | None = None) -> list[int]:
    today = today or timezone.localdate()
    return people(
        candidates,
        deliveries,
        period,
        lambda rows: list(rows.filter(condition(cell, today)).order_by("pk").values_list("pk", flat=True)),
    )


def title(cell: str) -> str:
    group, months, what, *category = cell.split("__")
    who = GROUPS[group].lower()
    if what == "cohort":
        return f"Follow-up: people {who} whose {months}-month window has elapsed"
    kind = KINDS[what].lower()
    of = "" if category[0] == ANY else f" ({CATEGORIES[category[0]].lower()})"
    return f"Follow-up: people {who} {kind}{of} within {months} months"


# --- the table the page shows ----------------------------------------------------------------------------------


@dataclass
class Cell:
    key: str
    count: int
    of: int

    @property
    def share(self) -> float | None:
        return None if not self.of else round(100 * self.count / self.of, 1)


@dataclass
class WindowLine:
    group: str
    months: int
    cohort: Cell
    cells: dict  # (kind, category) -> Cell

    @property
    def label(self) -> str:
        return GROUPS[self.group]

    @property
    def small(self) -> bool:
        return self.cohort.count < SMALL_COHORT

    @property
    def rows(self) -> list[list[Cell]]:
        """Each kind's cells, category by category (the table's columns)."""
        return [[self.cells[(kind, category)] for category in CATEGORIES] for kind in KINDS]


def lines(data: dict) -> list[WindowLine]:
    counts = data.get("counts", {})
    result = []
    for months in WINDOWS:
        for group in GROUPS:
            key = f"{group}__{months}__cohort"
            cohort = Cell(key, counts.get(key, 0), 0)
            cells_ = {}
            for kind in KINDS:
                for category in CATEGORIES:
                    key = f"{group}__{months}__{kind}__{category}"
                    cells_[(kind, category)] = Cell(key, counts.get(key, 0), cohort.count)
            result.append(WindowLine(group, months, cohort, cells_))
    return result
