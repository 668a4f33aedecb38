"""The public transparency report (SOP 2-64-2): the program's aggregates by year and quarter.

Aggregates only: no name, date of birth or address ever enters the report's data, and sealed records are
never counted (the public scope). Small counts are suppressed: any count from 1 to 4 is published as
"fewer than 5". A published total would let a reader recover a suppressed count by subtraction (a year
minus its other quarters, contacts minus the other age bands...), so every published sum is checked: when
exactly one of its cells is hidden, a second one is hidden too (the smallest other non-zero count, or
else the total), until no sum has a single hidden cell (complementary suppression). A rate is published
only when both its counts are.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.utils import timezone

from candidates.models import OutcomeEvent, ServiceOffer
from notifications.models import Encounter
from reports import figures as f

FEWER_THAN_5 = "fewer than 5"
SUPPRESSED = "suppressed"
SMALLEST_PUBLISHED = 5
WINDOW_DAYS = 365
AGE_BANDS = [
    ("17_or_younger", "17 or younger", 0, 17),
    ("18_to_24", "18 to 24", 18, 24),
    ("25_to_29", "25 to 29", 25, 29),
    ("30_or_older", "30 or older", 30, 200),
]
YEAR = 0  # the quarter number of a year's total

# The counts of each period, in the order of the report, with their labels.
COUNTS = [
    ("contacts", "Contacts: CNs delivered"),
    ("to_candidate", "delivered to the candidate"),
    ("to_influencer", "delivered to a family member, influencer or associate"),
    ("refusals", "Refusals (the person refused or asked the team to leave)"),
    ("reoffended", f"Contacts followed by a new arrest within {WINDOW_DAYS} days"),
    ("revictimizations", "Re-victimisations after a contact"),
]


def _quarter(day: dt.date) -> int:
    return (day.month - 1) // 3 + 1


def _quarter_period(year: int, quarter: int) -> f.Period:
    start = dt.date(year, 3 * quarter - 2, 1)
    end = dt.date(year + (quarter == 4), 1 if quarter == 4 else 3 * quarter + 1, 1) - dt.timedelta(days=1)
    return f.Period(start, end)


def _band(age: int) -> str:
    age = max(age, 0)
    return next(key for key, _, youngest, oldest in AGE_BANDS if youngest <= age <= oldest)


# --- suppression --------------------------------------------------------------------------------------------


def suppress(cells: dict, sums: list[tuple[object, list]]) -> dict:
    """Publishable values: the count, "fewer than 5" for 1 to 4, "suppressed" for a complementary cell.

    `sums` are the published identities `total = sum(parts)` (cell keys): none may end with exactly one
    hidden cell, or the hidden count could be worked out.
    """
    hidden = {key for key, value in cells.items() if 0 < value < SMALLEST_PUBLISHED}
    primary = set(hidden)
    changed = True
    while changed:
        changed = False
        for total, parts in sums:
            group = [total, *parts]
            if sum(1 for key in group if key in hidden) != 1:
                continue
            others = sorted((key for key in parts if key not in hidden and cells[key] > 0), key=lambda key: cells[key])
            pick = others[0] if others else (total if total not in hidden else None)
            if pick is not None:
                hidden.add(pick)
                changed = True
    return {
        key: (FEWER_THAN_5 if key in primary else SUPPRESSED) if key in hidden else value
        for key, value in cells.items()
    }


# --- the report ---------------------------------------------------------------------------------------------


@dataclass
class Column:
    key: str  # "Q1".."Q4" or "Year"
    quarter: int
    period: f.Period


@dataclass
class Row:
    key: str
    label: str
    values: list  # one per column: int or a suppression text
    level: int = 0  # 1 for a breakdown line


@dataclass
class YearReport:
    year: int
    columns: list[Column]
    sections: list[tuple[str, list[Row]]] = field(default_factory=list)
    window_incomplete: bool = False


@dataclass
class Report:
    generated_on: dt.date
    years: list[YearReport]


def _count_cells(scope: f.Scope, first_day: dt.date, today: dt.date):
    """Raw counts by (metric, year, quarter) from a few queries over the whole span."""
    span = f.Period(first_day, today)
    facts = f.encounter_facts(scope, span)
    contacts = [x for x in facts if x.outcome in f.CONTACT_OUTCOMES]
    followed = f.followed_by_arrest(scope, contacts, WINDOW_DAYS)
    revictimizations = f.revictimizations_after_contact(scope, span)
    offers = (
        ServiceOffer.objects.filter(
            candidate__in=scope.candidates.values("pk"), offered_on__gte=span.start, offered_on__lte=span.end
        )
        .order_by()
        .values_list("service_type", "status", "offered_on")
    )
    counts: dict[tuple, int] = {}

    def add(metric, day: dt.date):
        key = (metric, day.year, _quarter(day))
        counts[key] = counts.get(key, 0) + 1

    for x in facts:
        if x.outcome == Encounter.Outcome.REFUSED:
            add("refusals", x.on)
            continue
        add("contacts", x.on)
        add("to_candidate" if x.outcome == Encounter.Outcome.DELIVERED else "to_influencer", x.on)
        add(f"age:{_band(x.age)}", x.on)
        if x.delivery_id in followed:
            add("reoffended", x.on)
    for _, on in revictimizations:
        add("revictimizations", on)
    for service_type, status, on in offers:
        add(f"offered:{service_type}", on)
        add("offered", on)
        if status in f.ACCEPTED_STATUSES:
            add(f"accepted:{service_type}", on)
            add("accepted", on)
    return counts


def _first_day(scope: f.Scope, today: dt.date) -> dt.date:
    firsts = [
        Encounter.objects.filter(delivery__in=scope.deliveries.values("pk")).order_by("occurred_at").first(),
        ServiceOffer.objects.filter(candidate__in=scope.candidates.values("pk")).order_by("offered_on").first(),
        OutcomeEvent.objects.filter(candidate__in=scope.candidates.values("pk")).order_by("occurred_on").first(),
    ]
    days = [today]
    if firsts[0]:
        days.append(timezone.localdate(firsts[0].occurred_at))
    if firsts[1]:
        days.append(firsts[1].offered_on)
    if firsts[2]:
        days.append(firsts[2].occurred_on)
    return dt.date(min(days).year, 1, 1)


def metric_keys() -> list[str]:
    keys = [key for key, _ in COUNTS]
    keys += [f"age:{key}" for key, *_ in AGE_BANDS]
    keys += ["offered", "accepted"]
    for value, _ in ServiceOffer.Type.choices:
        keys += [f"offered:{value}", f"accepted:{value}"]
    return keys


def identities(years: dict[int, list[int]]) -> list[tuple[tuple, list[tuple]]]:
    """Every sum a reader can compute from the published tables."""
    sums = []
    types = ServiceOffer.Type.values
    for year, quarters in years.items():
        for metric in metric_keys():  # a year is the sum of its quarters
            sums.append(((metric, year, YEAR), [(metric, year, q) for q in quarters]))
        for q in [YEAR, *quarters]:
            sums.append((("contacts", year, q), [("to_candidate", year, q), ("to_influencer", year, q)]))
            sums.append((("contacts", year, q), [(f"age:{key}", year, q) for key, *_ in AGE_BANDS]))
            sums.append((("offered", year, q), [(f"offered:{t}", year, q) for t in types]))
            sums.append((("accepted", year, q), [(f"accepted:{t}", year, q) for t in types]))
    return sums


def transparency_report(today: dt.date | None = None) -> Report:
    today = today or timezone.localdate()
    scope = f.public_scope()
    first_day = _first_day(scope, today)
    raw = _count_cells(scope, first_day, today)
    years = {
        year: [q for q in range(1, 5) if _quarter_period(year, q).start <= today]
        for year in range(first_day.year, today.year + 1)
    }
    cells = {}
    for year, quarters in years.items():
        for metric in metric_keys():
            values = {q: raw.get((metric, year, q), 0) for q in quarters}
            cells.update({(metric, year, q): v for q, v in values.items()})
            cells[(metric, year, YEAR)] = sum(values.values())
    shown = suppress(cells, identities(years))

    reports = []
    for year in sorted(years, reverse=True):
        quarters = years[year]
        columns = [Column(f"Q{q}", q, _quarter_period(year, q)) for q in quarters]
        columns.append(Column("Year", YEAR, f.Period(dt.date(year, 1, 1), dt.date(year, 12, 31))))

        def row(metric, label, level=0, year=year, columns=columns):
            return Row(metric, label, [shown[(metric, year, c.quarter)] for c in columns], level)

        def rate(year=year, columns=columns):
            values = []
            for c in columns:
                part, whole = shown[("reoffended", year, c.quarter)], shown[("contacts", year, c.quarter)]
                ok = isinstance(part, int) and isinstance(whole, int) and whole > 0
                values.append(f"{100 * part / whole:.1f}%" if ok else (SUPPRESSED if whole else "n/a"))
            return Row("reoffence_rate", f"Re-offence rate within {WINDOW_DAYS} days", values, 1)

        report = YearReport(year, columns)
        report.sections.append(
            (
                "Contacts, refusals and outcomes",
                [
                    row("contacts", "Contacts: CNs delivered"),
                    row("to_candidate", "to the candidate", 1),
                    row("to_influencer", "to a family member, influencer or associate", 1),
                    row("refusals", "Refusals (refused or asked the team to leave)"),
                    row("reoffended", f"Contacts followed by a new arrest within {WINDOW_DAYS} days"),
                    rate(),
                    row("revictimizations", "Re-victimisations after a contact (shot again)"),
                ],
            )
        )
        report.sections.append(("Age at contact", [row(f"age:{key}", label, 1) for key, label, *_ in AGE_BANDS]))
        service_rows = [row("offered", "Services offered"), row("accepted", "Services accepted")]
        for value, label in ServiceOffer.Type.choices:
            service_rows.append(row(f"offered:{value}", f"{label}: offered", 1))
            service_rows.append(row(f"accepted:{value}", f"{label}: accepted", 1))
        report.sections.append(("Services by type", service_rows))
        report.window_incomplete = dt.date(year, 12, 31) + dt.timedelta(days=WINDOW_DAYS) > today
        reports.append(report)
    return Report(generated_on=today, years=reports)


DEFINITIONS = {
    "contacts": "CNs whose encounter delivered the message to the candidate or to a family member, "
    "influencer or associate (SOP 2-64-4 C), counted in the quarter of the encounter.",
    "refusals": "CNs the person refused, or where the team was asked to leave and left.",
    "reoffended": f"Contacts whose candidate had a new arrest or offence after the contact date and within "
    f"{WINDOW_DAYS} days of it, counted in the quarter of the contact. For recent quarters the window "
    "is not over yet and the count can still grow.",
    "revictimizations": "Re-victimisations (shot again) of a person after their first contact.",
    "age": "Age on the date of the contact.",
    "services": "Service offers dated in the period; accepted means accepted or completed.",
    "suppression": "Counts from 1 to 4 are published as “fewer than 5”. Where a total would let a reader "
    "work such a count out by subtraction, another count is also withheld and published as “suppressed”.",
    "sealed": "Sealed records are never counted.",
}


def as_json(report: Report) -> dict:
    years = []
    for year in report.years:
        periods = []
        for i, column in enumerate(year.columns):
            entry = {
                "period": str(year.year) if column.quarter == YEAR else f"{year.year}-Q{column.quarter}",
                "quarter": None if column.quarter == YEAR else column.quarter,
                "start": column.period.start.isoformat(),
                "end": column.period.end.isoformat(),
            }
            for _, rows in year.sections:
                for row in rows:
                    entry[row.key.replace(":", ".")] = row.values[i]
            periods.append(entry)
        years.append({"year": year.year, "reoffence_window_incomplete": year.window_incomplete, "periods": periods})
    return {
        "title": "Violence Intervention Program: Custom Notifications transparency report",
        "sop": "2-64-2",
        "generated_on": report.generated_on.isoformat(),
        "definitions": DEFINITIONS,
        "years": years,
    }
