"""The reads behind the search, the caseload and the calendar; each starts from the access rules' selectors."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from django.db.models import F, QuerySet

from candidates.selectors import candidate_list_for, search_candidates
from notifications import rules
from notifications.models import Delivery, State
from notifications.selectors import deliveries_visible_to

SEARCH_SHOWS = 25  # people a search lists; more are found in the candidate list, a page at a time
# "12", "#12", "CN 12", "cn#12", "CN #12": the CN's number as the pages write it ("CN #12").
CN_NUMBER = re.compile(r"^\s*(?:cn)?\s*#?\s*(\d{1,9})\s*$", re.IGNORECASE)


@dataclass
class Found:
    query: str
    cn_number: int | None = None
    people: list = field(default_factory=list)
    more_people: bool = False
    cns: list = field(default_factory=list)

    @property
    def nothing(self) -> bool:
        return not (self.people or self.cns)


def cn_number(query: str) -> int | None:
    match = CN_NUMBER.match(query)
    return int(match.group(1)) if match else None


def search_for(user, query: str) -> Found:
    """The people (by name or alias, misspellings tolerated: `search_candidates`, pg_trgm's GIN index on
    `search_text`) or the CN (by its number) that `user` may see. The people are read as the candidate list
    reads them (`candidate_list_for`: the same rules, the latest CN's state, the aliases), the CN as the board
    does (`deliveries_visible_to`): a sealed record, another team's CN, is found by no one the lists hide it
    from."""
    found = Found(query=query, cn_number=cn_number(query))
    if found.cn_number is not None:
        found.cns = list(deliveries_visible_to(user).filter(pk=found.cn_number))
        return found
    people = list(search_candidates(candidate_list_for(user), query)[: SEARCH_SHOWS + 1])
    found.people, found.more_people = people[:SEARCH_SHOWS], len(people) > SEARCH_SHOWS
    return found


# --- when each CN is due ----------------------------------------------------------------------------------


def with_due(deliveries: QuerySet[Delivery], dues: dict[str, dt.timedelta] | None = None) -> QuerySet[Delivery]:
    """`deliveries` with `due_at` and `due_code`: when their soonest owed step is due, and which step
    (`rules.due_at_expression`, the time the reminder sweep and the dashboard read)."""
    dues = rules.due_times() if dues is None else dues
    return deliveries.annotate(due_at=rules.due_at_expression(dues), due_code=rules.due_step_expression(dues))


def mark_due(delivery: Delivery, today: dt.date) -> Delivery:
    """Set what a CN's card says of its dates: the owed step in words, whether it is overdue, and whether its
    planned day has passed before the team went to the door."""
    code = getattr(delivery, "due_code", None)
    delivery.due_what = rules.DUE_STEPS_BY_CODE[code].what if code in rules.DUE_STEPS_BY_CODE else ""
    delivery.overdue = rules.is_overdue(getattr(delivery, "due_at", None), today)
    delivery.planned_overdue = rules.planned_day_overdue(delivery.state, delivery.planned_for, today)
    return delivery


# --- the LE Lead's caseload -------------------------------------------------------------------------------


def caseload_of(user) -> QuerySet[Delivery]:
    """The open CNs `user` leads (the CN's "VIP LE Lead"), the soonest due first; those owing nothing with a
    due time last, the longest in their state first."""
    led = deliveries_visible_to(user).filter(le_lead=user, state__in=rules.OPEN_STATES)
    return with_due(led).order_by(F("due_at").asc(nulls_last=True), "state_entered_at", "id")


# --- the calendar of planned deliveries -------------------------------------------------------------------


def week_starting(day: dt.date) -> dt.date:
    """The Monday of `day`'s week (ISO 8601: weeks run Monday to Sunday)."""
    return day - dt.timedelta(days=day.weekday())


def planned_in_week(user, monday: dt.date) -> list[tuple[dt.date, list[Delivery]]]:
    """Each day of the week from `monday`, with the CNs `user` may see planned for it (a cancelled CN is not
    planned any more): the LE Lead and the Program Manager see every CN, an officer their teams'
    (`deliveries_visible_to`)."""
    days = [monday + dt.timedelta(days=n) for n in range(7)]
    planned = (
        deliveries_visible_to(user)
        .filter(planned_for__range=(days[0], days[-1]))
        .exclude(state=State.CANCELLED)
        .order_by("planned_for", "id")
    )
    by_day: dict[dt.date, list[Delivery]] = {day: [] for day in days}
    for delivery in planned:
        by_day[delivery.planned_for].append(delivery)
    return list(by_day.items())
