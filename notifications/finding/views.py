"""The pages for finding things: search, the LE Lead's caseload, the calendar of planned deliveries.

Each checks who may open it with a named helper and reads through `notifications.finding.selectors`.
"""

from __future__ import annotations

import datetime as dt
import re

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import render
from django.utils import timezone

from candidates.selectors import may_use_candidate_records
from notifications import rules
from notifications.finding import selectors as find
from vip import roles
from vip.paging import CountingPaginator

EMPTY_QUERY = "Type a name, an alias or a CN number (such as “CN 12”) to search."
CASELOAD_PAGE_SIZE = 50
STATE_LABELS = dict(rules.State.choices)
NEW_CN = "new-cn"  # ?for=new-cn: the board's "New CN" starts by finding the person


@login_required
def search(request):
    """The header's search. A person who reads no candidate records (the Administrator) has no search: 404,
    as the candidate list answers them."""
    if not may_use_candidate_records(request.user):
        raise Http404("No such page.")
    query = request.GET.get("q", "").strip()[:200]
    opening = request.GET.get("for") == NEW_CN and rules.may_open_cn(request.user)
    context = {
        "empty_message": EMPTY_QUERY,
        "query": query,
        "opening": opening,
        "new_cn": NEW_CN,
        "may_open_cn": rules.may_open_cn(request.user),
    }
    if not query:
        context["empty"] = request.GET.get("q") is not None  # asked with nothing typed (not just opened)
        return render(request, "finding/search.html", context)
    found = find.search_for(request.user, query)
    today = timezone.localdate()
    for person in found.people:
        person.juvenile = person.is_juvenile(today)
        person.has_open_cn = person.latest_cn_state in rules.OPEN_STATES
        person.latest_cn_label = STATE_LABELS.get(person.latest_cn_state, "")
    for delivery in found.cns:
        find.mark_due(delivery, today)
    return render(request, "finding/search.html", {**context, "found": found})


@login_required
def caseload(request):
    """The LE Lead's CNs, the soonest due step first, with the step and its due date."""
    if not roles.is_le_lead(request.user):
        raise PermissionDenied("The caseload is the VIP LE Lead's.")
    page = CountingPaginator(find.caseload_of(request.user), CASELOAD_PAGE_SIZE).get_page(request.GET.get("page"))
    today = timezone.localdate()
    page.object_list = [find.mark_due(delivery, today) for delivery in page.object_list]
    return render(request, "finding/caseload.html", {"page": page})


def may_see_calendar(user) -> bool:
    """The LE Lead and the Program Manager (every CN), officers (their teams' CNs)."""
    return roles.has_role(user, roles.LE_LEAD, roles.PROGRAM_MANAGER, roles.OFFICER)


WEEK = re.compile(r"^(\d{4})-W(\d{1,2})$")


def _asked_week(value: str) -> dt.date | None:
    """The Monday of an ISO week written "2026-W49", or None if it is not one."""
    match = WEEK.match(value.strip())
    if not match:
        return None
    try:
        return dt.date.fromisocalendar(int(match.group(1)), int(match.group(2)), 1)
    except ValueError:
        return None


def iso_week(day: dt.date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


@login_required
def calendar(request):
    """The deliveries planned in one week, day by day, with the previous and next weeks a link away."""
    if not may_see_calendar(request.user):
        raise PermissionDenied(
            "The calendar of planned deliveries is for the LE Lead, the Program Manager and officers."
        )
    today = timezone.localdate()
    asked = request.GET.get("week", "")
    monday = _asked_week(asked) if asked else find.week_starting(today)
    error = ""
    if monday is None:
        error = f"“{asked[:20]}” is not a week: this week is shown. A week is written like {iso_week(today)}."
        monday = find.week_starting(today)
    days = find.planned_in_week(request.user, monday)
    for _day, deliveries in days:
        for delivery in deliveries:
            find.mark_due(delivery, today)
    return render(
        request,
        "finding/calendar.html",
        {
            "days": days,
            "monday": monday,
            "sunday": monday + dt.timedelta(days=6),
            "week": iso_week(monday),
            "previous": iso_week(monday - dt.timedelta(days=7)),
            "next": iso_week(monday + dt.timedelta(days=7)),
            "this_week": monday == find.week_starting(today),
            "today": today,
            "error": error,
            "planned": sum(len(deliveries) for _day, deliveries in days),
        },
        status=400 if error else 200,
    )
