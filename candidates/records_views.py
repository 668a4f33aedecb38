"""Sealing a record on a court order (NMSA 32A-2-26) and the intelligence review queue (28 CFR Part 23).

The administrator's and the LE Lead's pages under /audit/ (URL names `audit:seal_start`, `audit:seal`,
`audit:review`, `audit:review_decide`: the project's urlconf puts them beside the audit viewer). Thin views:
access by roles, writes through services (`candidate_seal`, `candidates.retention.*`), refusals shown with
their reasons.
"""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from candidates import retention
from candidates.models import REVIEW_AFTER_YEARS, Candidate, add_years, today
from candidates.sealing import candidate_seal, was_juvenile_in_record
from candidates.selectors import candidates_visible_to
from vip import roles
from vip.audit import audit_read
from vip.errors import DomainError

# --- sealing (NMSA 32A-2-26) -------------------------------------------------------------------------


def _require_administrator(user) -> None:
    if not roles.is_administrator(user):
        raise PermissionDenied("Only an administrator seals a record, on a court order.")


@login_required
def seal_start(request: HttpRequest) -> HttpResponse:
    _require_administrator(request.user)
    number = request.GET.get("record", "").strip()
    error = ""
    if number:
        if number.isdigit() and Candidate.objects.unsealed().filter(pk=number).exists():
            return redirect("audit:seal", pk=int(number))
        error = f"No unsealed record has the number {number}: check the number on the court order."
    return render(request, "audit/seal_start.html", {"error": error, "record": number})


@login_required
def seal(request: HttpRequest, pk: int) -> HttpResponse:
    _require_administrator(request.user)
    candidate = Candidate.objects.unsealed().filter(pk=pk).first()
    if candidate is None:
        raise Http404("No such record.")
    reasons: dict[str, str] = {}
    order_reference = request.POST.get("order_reference", "")
    if request.method == "POST":
        try:
            candidate_seal(candidate, request.user, order_reference)
        except DomainError as exc:
            reasons = exc.reasons or {"candidate": exc.message}
        else:
            messages.success(request, f"Record {pk} is sealed. Only the Records Custodian can see it now.")
            return redirect("audit:seal_start")
    else:
        audit_read(request.user, candidate, request, note="Opened to seal on a court order.")
    return render(
        request,
        "audit/seal.html",
        {
            "candidate": candidate,
            "sealable": was_juvenile_in_record(candidate),
            "reasons": reasons,
            "order_reference": order_reference,
        },
        status=400 if reasons else 200,
    )


# --- review of intelligence (28 CFR Part 23) --------------------------------------------------------


def _require_le_lead(user) -> None:
    if not roles.is_le_lead(user):
        raise PermissionDenied("The review queue is the VIP LE Lead's.")


@login_required
def review_queue(request: HttpRequest) -> HttpResponse:
    _require_le_lead(request.user)
    visible = candidates_visible_to(request.user)
    return render(
        request,
        "audit/review.html",
        {
            "memberships": retention.memberships_due_for_review().filter(candidate__in=visible),
            "bases": retention.bases_due_for_review().filter(candidate__in=visible),
            "unapproved": (
                retention.GroupMembership.objects.select_related("candidate", "group")
                .filter(candidate__in=visible, approved_at__isnull=True)
                .order_by("added_at")
            ),
            "latest": add_years(today(), REVIEW_AFTER_YEARS),
            "today": today(),
        },
    )


@login_required
@require_POST
def review_decide(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    _require_le_lead(request.user)
    model = retention.REVIEWABLE.get(kind)
    if model is None:
        raise Http404("No such kind of record.")
    record = model.objects.filter(candidate__in=candidates_visible_to(request.user), pk=pk).first()
    if record is None:
        raise Http404("No such record.")
    decision = request.POST.get("decision")
    try:
        if decision == "keep":
            until = _parse_date(request.POST.get("until"))
            retention.review_keep(record, request.user, reason=request.POST.get("reason", ""), until=until)
            messages.success(request, f"Kept after review: {record}.")
        elif decision == "remove":
            retention.review_remove(record, request.user, reason=request.POST.get("reason", ""))
            messages.success(request, "Removed after review.")
        elif decision == "approve" and kind == "membership":
            retention.membership_approve(record, request.user)
            messages.success(request, f"Approved: {record}.")
        else:
            raise DomainError("Pick keep, remove or approve.")
    except DomainError as exc:
        detail = " ".join(exc.reasons.values()) or exc.message
        messages.error(request, f"{exc.message} {detail}".strip())
    return redirect("audit:review")


def _parse_date(value: str | None) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise DomainError("The review was not recorded.", reasons={"until": "Write the date as YYYY-MM-DD."}) from None
