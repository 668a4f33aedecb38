"""Exports leave the system: each one asks why and is audited (CJIS AU-2; issue #5).

Every export view calls `require_export_reason(request)` before producing anything, then
`audit_export(...)` with what was exported and how many rows. `csv_response` writes the file.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Sequence

from django.http import HttpResponse

from vip.audit import audit
from vip.errors import DomainError
from vip.models import AuditEvent

REASON_MIN_LENGTH = 10


class ExportReasonRequired(DomainError):
    def __init__(self, message: str):
        super().__init__(message, reasons={"reason": message}, code="export_reason_required")


def require_export_reason(request) -> str:
    """The reason given for this export (POST or GET field `reason`), or ExportReasonRequired saying what to write."""
    reason = (request.POST.get("reason") or request.GET.get("reason") or "").strip()
    if not reason:
        raise ExportReasonRequired(
            "Say why you are exporting these records (for example the inspection or request it answers)."
        )
    if len(reason) < REASON_MIN_LENGTH:
        raise ExportReasonRequired(
            f"Give a fuller reason, at least {REASON_MIN_LENGTH} characters: who asked for it and what for."
        )
    return reason[:1000]


def audit_export(user, *, what: str, reason: str, count: int, request=None, filters: dict | None = None) -> AuditEvent:
    return audit(
        actor=user,
        action=AuditEvent.Action.EXPORT,
        object_type=what,
        note=f"Exported {count} row(s). Reason: {reason}",
        changes={"filters": filters or {}, "rows": count},
        request=request,
    )


def _safe(value) -> str:
    """Neutralise spreadsheet formulas (OWASP CSV injection)."""
    text = "" if value is None else str(value)
    if text[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + text
    return text


def csv_response(filename: str, header: Sequence[str], rows: Iterable[Sequence]) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    writer = csv.writer(response)
    writer.writerow(header)
    for row in rows:
        writer.writerow([_safe(value) for value in row])
    return response
