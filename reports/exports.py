"""CSV exports of what a user may see, filtered as on screen. Every export is audited with its reason."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator

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
        if f.FIGURES.get(figure, (None,))[0] != KINDS[kind]:
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


def _rows(kind: str, qs: QuerySet) -> Iterable[list]:
    if kind == "candidates":
        yield ["id", "first_name", "middle_name", "last_name", "date_of_birth", "sex", "created_at"]
        for c in qs.order_by("pk").iterator(chunk_size=500):
            yield [c.pk, c.first_name, c.middle_name, c.last_name, c.date_of_birth, c.get_sex_display(), c.created_at]
    elif kind == "cns":
        yield ["id", "candidate_id", "candidate", "state", "state_entered_at", "attempt", "planned_for", "closed_at"]
        for d in qs.select_related("candidate").order_by("pk").iterator(chunk_size=500):
            yield [
                d.pk,
                d.candidate_id,
                d.candidate.full_name,
                d.get_state_display(),
                timezone.localtime(d.state_entered_at),
                d.attempt,
                d.planned_for,
                d.closed_at and timezone.localtime(d.closed_at),
            ]
    elif kind == "services":
        yield ["id", "candidate_id", "candidate", "service", "detail", "partner", "offered_by", "offered_on", "status", "status_changed_on", "cn_id"]  # fmt: skip
        for o in qs.order_by("pk").iterator(chunk_size=500):
            yield [
                o.pk,
                o.candidate_id,
                o.candidate.full_name,
                o.get_service_type_display(),
                o.detail,
                o.partner or "",
                (o.offered_by.get_full_name() or o.offered_by.username) if o.offered_by else "",
                o.offered_on,
                o.get_status_display(),
                o.status_changed_on,
                o.delivery_id or "",
            ]
    elif kind == "outcomes":
        yield ["id", "candidate_id", "candidate", "kind", "category", "occurred_on", "source_reference"]
        for e in qs.order_by("pk").iterator(chunk_size=500):
            yield [
                e.pk,
                e.candidate_id,
                e.candidate.full_name,
                e.get_kind_display(),
                e.get_category_display(),
                e.occurred_on,
                e.source_reference,
            ]


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
