"""What the CNs add to the candidate pages, registered in `candidates.extensions` (NotificationsConfig.ready).

`candidates` sits below this app and does not import it: the candidate page's "Custom Notifications" section,
and the candidate list's "Latest CN" column and filter (page and API), are declared here.
"""

from __future__ import annotations

from functools import cache

import django_filters
from django.db import connection
from django.db.models import CharField, OuterRef, Subquery
from django.db.models.expressions import RawSQL
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

from candidates import extensions
from candidates.filters import CandidateFilter
from candidates.forms import QuickSelect
from candidates.models import Candidate
from notifications.models import Delivery, State
from notifications.selectors import deliveries_visible_to

CANDIDATE_PAGE_CNS = 20  # the candidate page lists the most recent CNs, and every one on request
NO_CN = mark_safe('<span class="muted">no CN yet</span>')  # noqa: S308 - constant markup


def candidate_page_cns(user, candidate: Candidate, params: dict[str, str]) -> dict:
    """The CNs of the person the user may see, in one query: the CANDIDATE_PAGE_CNS most recent unless
    `?cns=all` (`more_deliveries`: older ones were left out)."""
    all_cns = params.get("cns") == "all"
    cns = deliveries_visible_to(user).select_related(None).filter(candidate=candidate)
    cns = list(cns if all_cns else cns[: CANDIDATE_PAGE_CNS + 1])  # one more than shown: are there older ones?
    return {
        "deliveries": cns if all_cns else cns[:CANDIDATE_PAGE_CNS],
        "more_deliveries": not all_cns and len(cns) > CANDIDATE_PAGE_CNS,
    }


def latest_cn_state_subquery() -> RawSQL:
    """The state of the person's newest CN (None if none), for a list of candidates: its SQL is written once,
    from the ORM's (building and compiling the subquery cost 0.4 ms of every list and search, issue #9)."""
    return RawSQL(_latest_cn_state_sql(), [], output_field=CharField())  # noqa: S611 - no input


@cache
def _latest_cn_state_sql() -> str:
    newest = Delivery.objects.filter(candidate=OuterRef("pk")).order_by("-created_at", "-id").values("state")[:1]
    query = Candidate.objects.all().query
    sql, params = query.get_compiler(connection=connection).compile(Subquery(newest).resolve_expression(query))
    assert not params, params  # nothing but names: the same SQL for every list
    return sql


_STATE_LABELS = dict(State.choices)


def latest_cn_state_cell(state: str | None) -> SafeString:
    if not state:
        return NO_CN
    return format_html('<span class="badge">{}</span>', _STATE_LABELS.get(state, ""))


def filter_cn_state(queryset, name, value):
    # The list annotates `latest_cn_state` (the column registered below).
    if value == "none":
        return queryset.filter(latest_cn_state__isnull=True)
    return queryset.filter(latest_cn_state=value)


def both_have_open_cns(survivor: Candidate, merged: Candidate) -> dict[str, str]:
    """A person has one open CN at a time: two records with an open CN each are merged once one is closed."""
    kept, away = (list(Delivery.objects.filter(candidate=c).open().order_by("pk")) for c in (survivor, merged))
    if not (kept and away):
        return {}
    named = " or ".join(f"CN #{d.pk} of #{d.candidate_id} ({d.get_state_display().lower()})" for d in (*away, *kept))
    return {"open_cns": f"Both records have an open CN: close or cancel {named} first, then merge."}


def register() -> None:
    extensions.add_merge_check(both_have_open_cns)
    extensions.add_page_section("cns", "notifications/_candidate_cns.html", candidate_page_cns, params=("cns",))
    extensions.add_list_column("latest_cn_state", "Latest CN", latest_cn_state_subquery, latest_cn_state_cell)
    CandidateFilter.add_filter(
        "cn_state",
        django_filters.ChoiceFilter(
            label="Latest CN",
            choices=[("none", "No CN yet"), *State.choices],
            method=filter_cn_state,
            empty_label="Any",
            widget=QuickSelect,
        ),
        after="group",
    )
