"""CSV exports of what a user may see, filtered as on screen. Every export is audited with its reason."""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterable, Iterator

from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from candidates.models import Candidate
from candidates.selectors import candidates_visible_to
from notifications.models import Encounter, TeamMember
from notifications.selectors import deliveries_visible_to
from reports import figures as f
from reports.filters import OutcomeFilter, ServiceFilter, filtered
from reports.services import may_record_outcomes, may_record_services, offers_visible_to, outcomes_visible_to
from vip import roles
from vip.audit import audit
from vip.audit.middleware import asked
from vip.errors import DomainError, NotPermitted
from vip.models import AuditEvent

KINDS = {
    # export kind: the kind of records a figure lists
    "candidates": f.CANDIDATES,
    "cns": f.DELIVERIES,
    "services": f.OFFERS,
    "outcomes": f.OUTCOMES,
}
EXPORT_FOR_RECORDS = {records: kind for kind, records in KINDS.items()}
NOUNS = {
    "candidates": "candidates",
    "cns": "CNs",
    "services": "services offered",
    "outcomes": "outcomes",
}  # "Export 8 CNs"


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


def _iso(moment) -> str:
    """A moment in ISO 8601, in the program's time zone, to the second: 2026-03-05T12:00:00-06:00."""
    return timezone.localtime(moment).isoformat(timespec="seconds") if moment else ""


def _last_encounter(delivery) -> Encounter | None:
    """The CN's latest encounter: the one that delivered it, when it was delivered (prefetched in order)."""
    return delivery.encounters_in_order[-1] if delivery.encounters_in_order else None


def _delivery_date(delivery) -> str:
    encounter = _last_encounter(delivery)
    return timezone.localdate(encounter.occurred_at).isoformat() if encounter else ""


def _outcome(delivery) -> str:
    encounter = _last_encounter(delivery)
    return encounter.get_outcome_display() if encounter else ""


def _team(delivery) -> str:
    return "; ".join(f"{_name(member.user)} ({member.get_role_display()})" for member in delivery.team_members.all())


# Each export's columns, in order: the header and how a row gives its cell; and what each kind's rows join.
COLUMNS: dict[str, list[tuple[str, Callable]]] = {
    "candidates": [
        ("id", lambda c: c.pk),
        ("first_name", lambda c: c.first_name),
        ("middle_name", lambda c: c.middle_name),
        ("last_name", lambda c: c.last_name),
        ("date_of_birth", lambda c: c.date_of_birth),
        ("sex", lambda c: c.get_sex_display()),
        ("created_at", lambda c: _iso(c.created_at)),
    ],
    "cns": [
        ("id", lambda d: d.pk),
        ("candidate_id", lambda d: d.candidate_id),
        ("candidate", lambda d: d.candidate.full_name),
        ("state", lambda d: d.get_state_display()),
        ("state_entered_at", lambda d: _iso(d.state_entered_at)),
        ("attempt", lambda d: d.attempt),
        ("planned_for", lambda d: d.planned_for),
        ("closed_at", lambda d: _iso(d.closed_at)),
        # Appended (issue 18), so a reader of the columns above by position is unchanged:
        ("delivery_date", _delivery_date),  # the date of the latest encounter, whose outcome follows
        ("outcome", _outcome),
        ("team", _team),  # "Name (role); Name (role)"
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
PREFETCHED = {
    "cns": (
        Prefetch("encounters", queryset=Encounter.objects.order_by("occurred_at", "id"), to_attr="encounters_in_order"),
        Prefetch("team_members", queryset=TeamMember.objects.select_related("user").order_by("id")),
    )
}


EXPORT_CHUNK = 500


def _rows(kind: str, qs: QuerySet, ids: list[int]) -> Iterable[list]:
    """The header, then the rows of `ids` (those the export's audit row names, `record_export`), in order,
    read EXPORT_CHUNK at a time with their joined and prefetched records: what leaves is exactly what the trail
    says left, even should a record be added to the list while the file is written."""
    columns = COLUMNS[kind]
    yield [header for header, _ in columns]
    rows = qs.select_related(*JOINED[kind]) if kind in JOINED else qs  # select_related() alone joins every key
    rows = rows.prefetch_related(*PREFETCHED.get(kind, ()))
    for start in range(0, len(ids), EXPORT_CHUNK):
        for row in rows.filter(pk__in=ids[start : start + EXPORT_CHUNK]).order_by("pk"):
            yield [cell(row) for _, cell in columns]


class _Echo:
    def write(self, value):
        return value


def csv_lines(kind: str, qs: QuerySet, ids: list[int]) -> Iterator[str]:
    writer = csv.writer(_Echo())
    for row in _rows(kind, qs, ids):
        yield writer.writerow([_safe(cell) for cell in row])


def record_export(*, request, kind: str, qs: QuerySet, reason: str) -> list[int]:
    """Audit the export before a single row leaves: who, why, the filters, and every record it lets out by id
    with the people they are about (`changes["shown"]`, the shape of a read row's). This is the request's one
    audit row (vip/audit/middleware.py adds none). Returns the ids, in the order the file lists them."""
    model = qs.model
    if kind == "candidates":
        ids = list(qs.order_by("pk").values_list("pk", flat=True))
        shown = {model._meta.label: ids}
    else:  # a CN, a service, an outcome: and the person it is about
        pairs = list(qs.order_by("pk").values_list("pk", "candidate_id"))
        ids = [pk for pk, _ in pairs]
        shown = {model._meta.label: ids, Candidate._meta.label: sorted({person for _, person in pairs})}
    params = request.GET
    audit(
        actor=request.user,
        action=AuditEvent.Action.EXPORT,
        object_type=f"reports.{kind}",
        note=reason,
        changes={
            "kind": kind,
            "params": {k: params.get(k) for k in params},
            "rows": len(ids),
            "asked": asked(request),
            "shown": {label: [str(pk) for pk in pks] for label, pks in shown.items()},
        },
    )
    return ids
