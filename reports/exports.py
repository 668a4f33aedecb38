"""CSV exports of what a user may see, filtered as on screen. Every export is audited with its reason."""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterable, Iterator

from django.db.models import QuerySet
from django.utils import timezone

from candidates.selectors import candidates_visible_to
from notifications.selectors import deliveries_visible_to
from reports import figures as f
from reports.filters import OutcomeFilter, ServiceFilter, filtered
from reports.services import may_record_outcomes, may_record_services, offers_visible_to, outcomes_visible_to
from vip import roles
from vip.audit import audit
from vip.errors import DomainError, NotPermitted

KINDS = {
    # export kind: the kind of records a figure lists
    "candidates": f.CANDIDATES,
    "cns": f.DELIVERIES,
    "services": f.OFFERS,
    "outcomes": f.OUTCOMES,
}
EXPORT_FOR_RECORDS = {records: kind for kind, records in KINDS.items()}


def may_export(user, kind: str) -> bool:
    if kind == "services":
        return may_record_services(user)
    if kind == "outcomes":
        return may_record_outcomes(user)
    return roles.sees_all_candidates(user)


def export_queryset(user, kind: str, params) -> QuerySet:
    """The records of one kind the user may see, narrowed as the screen they came from narrowed them:
    `figure` (a dashboard figure with its period) or that list's own filters."""
    if not may_export(user, kind):
        raise NotPermitted("Your role may not export these records.")
    base = {
        "candidates": candidates_visible_to(user),
        "cns": deliveries_visible_to(user),
        "services": offers_visible_to(user),
        "outcomes": outcomes_visible_to(user),
    }[kind]
    figure = params.get("figure", "")
    if figure:
        if figure not in f.FIGURES or f.FIGURES[figure].records != KINDS[kind]:
            raise DomainError(f"“{figure}” is not a figure of {kind}: export from that figure's own list.")
        period, window, errors = f.parse_period(params)
        if errors:
            raise DomainError(" ".join(errors.values()))
        ids = f.drill_ids(figure, f.scope_for(user), period, window, params)
        return base.filter(pk__in=ids)
    if kind in ("services", "outcomes"):
        return filtered(ServiceFilter if kind == "services" else OutcomeFilter, params, base)[1]
    if kind == "cns" and params.get("state"):
        return base.filter(state=params["state"])
    return base


def _safe(value) -> str:
    """Neutralise spreadsheet formulas (CSV injection): a cell never starts with = + - @ or a tab."""
    text = "" if value is None else str(value)
    if text and text[0] in "=+-@\t\r":
        return "'" + text
    return text


def _name(user) -> str:
    return (user.get_full_name() or user.username) if user else ""


def _local(moment):
    return moment and timezone.localtime(moment)


# Each export's columns, in order: the header and how a row gives its cell; and what each kind's rows join.
COLUMNS: dict[str, list[tuple[str, Callable]]] = {
    "candidates": [
        ("id", lambda c: c.pk),
        ("first_name", lambda c: c.first_name),
        ("middle_name", lambda c: c.middle_name),
        ("last_name", lambda c: c.last_name),
        ("date_of_birth", lambda c: c.date_of_birth),
        ("sex", lambda c: c.get_sex_display()),
        ("created_at", lambda c: c.created_at),
    ],
    "cns": [
        ("id", lambda d: d.pk),
        ("candidate_id", lambda d: d.candidate_id),
        ("candidate", lambda d: d.candidate.full_name),
        ("state", lambda d: d.get_state_display()),
        ("state_entered_at", lambda d: _local(d.state_entered_at)),
        ("attempt", lambda d: d.attempt),
        ("planned_for", lambda d: d.planned_for),
        ("closed_at", lambda d: _local(d.closed_at)),
    ],
    "services": [
        ("id", lambda o: o.pk),
        ("candidate_id", lambda o: o.candidate_id),
        ("candidate", lambda o: o.candidate.full_name),
        ("service", lambda o: o.get_service_type_display()),
        ("detail", lambda o: o.detail),
        ("partner", lambda o: o.partner or ""),
        ("offered_by", lambda o: _name(o.offered_by)),
        ("offered_on", lambda o: o.offered_on),
        ("status", lambda o: o.get_status_display()),
        ("status_changed_on", lambda o: o.status_changed_on),
        ("cn_id", lambda o: o.delivery_id or ""),
    ],
    "outcomes": [
        ("id", lambda e: e.pk),
        ("candidate_id", lambda e: e.candidate_id),
        ("candidate", lambda e: e.candidate.full_name),
        ("kind", lambda e: e.get_kind_display()),
        ("category", lambda e: e.get_category_display()),
        ("occurred_on", lambda e: e.occurred_on),
        ("source_reference", lambda e: e.source_reference),
    ],
}
JOINED = {"cns": ("candidate",)}


def _rows(kind: str, qs: QuerySet) -> Iterable[list]:
    columns = COLUMNS[kind]
    yield [header for header, _ in columns]
    rows = qs.select_related(*JOINED[kind]) if kind in JOINED else qs
    for row in rows.order_by("pk").iterator(chunk_size=500):
        yield [cell(row) for _, cell in columns]


class _Echo:
    def write(self, value):
        return value


def csv_lines(kind: str, qs: QuerySet) -> Iterator[str]:
    writer = csv.writer(_Echo())
    for row in _rows(kind, qs):
        yield writer.writerow([_safe(cell) for cell in row])


def record_export(*, user, kind: str, qs: QuerySet, params, reason: str) -> int:
    """Audit the export (who, what, filters, how many rows, why) before a single row leaves."""
    count = qs.count()
    audit(
        actor=user,
        action="export",
        object_type=f"reports.{kind}",
        note=reason,
        changes={"kind": kind, "params": {k: params.get(k) for k in params}, "rows": count},
    )
    return count
