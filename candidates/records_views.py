"""Sealing a record on a court order (NMSA 32A-2-26) and the intelligence review queue (28 CFR Part 23).

The Records Custodian's and the LE Lead's pages under /audit/ (URL names `audit:seal_start`, `audit:seal`,
`audit:unseal`, `audit:review`, `audit:review_decide`: the project's urlconf puts them beside the audit
viewer). Thin views: access by roles, writes through services (`candidate_seal`, `candidate_unseal`,
`candidates.retention.*`), refusals shown with their reasons and what was typed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from candidates import retention, sealing
from candidates.forms import CourtOrderForm
from candidates.models import REVIEW_AFTER_YEARS, Candidate, add_years, today
from candidates.selectors import candidates_visible_to, get_candidate_for_user
from vip import roles
from vip.audit import audit_denied
from vip.errors import DomainError

# --- sealing and unsealing (NMSA 32A-2-26) ------------------------------------------------------------


def _require_custodian(request: HttpRequest, *, record_url: bool) -> None:
    """Sealing, as the sealed records themselves, does not exist for anyone but the Records Custodian: 404.
    A refused page that names a record is logged as denied by `vip.audit.middleware` (SENSITIVE_READS); the
    page without one is logged here."""
    if sealing.may_seal(request.user):
        return
    if not record_url:
        audit_denied(
            request.user,
            object_type=Candidate._meta.label,
            object_id="",
            request=request,
            note=f"{request.method} {request.path[:200]} answered 404: sealing is the Records Custodian's.",
        )
    raise Http404("No such page.")


@login_required
def seal_start(request: HttpRequest) -> HttpResponse:
    _require_custodian(request, record_url=False)
    number = request.GET.get("record", "").strip()
    error = ""
    if number:
        found = Candidate.objects.filter(pk=number).first() if number.isdigit() else None
        if found is not None:
            return redirect("audit:unseal" if found.is_sealed else "audit:seal", pk=found.pk)
        error = f"No record has the number {number}: check the number on the court order."
    return render(request, "audit/seal_start.html", {"error": error, "record": number}, status=400 if error else 200)


@dataclass(frozen=True)
class _Act:
    """Sealing or unsealing, as its page words it."""

    name: str  # "seal" / "unseal": the URL name and the words
    service: Callable
    refusals: Callable[[Candidate], dict[str, str]]  # why this record cannot undergo it, whatever the order
    done: str


SEAL = _Act(
    "seal",
    sealing.candidate_seal,
    sealing.sealable_errors,
    "Record {pk} is sealed. No one but the Records Custodian can see it or its CNs now.",
)
UNSEAL = _Act(
    "unseal",
    sealing.candidate_unseal,
    sealing.unsealable_errors,
    "Record {pk} is unsealed. Its access rules apply again: the LE Lead and the Program Manager see it.",
)


@login_required
def seal(request: HttpRequest, pk: int) -> HttpResponse:
    return _court_order_page(request, pk, SEAL)


@login_required
def unseal(request: HttpRequest, pk: int) -> HttpResponse:
    return _court_order_page(request, pk, UNSEAL)


def _court_order_page(request: HttpRequest, pk: int, act: _Act) -> HttpResponse:
    """The court order's reference and date (a GET, or a POST with a mistake: the form as typed, 400); then,
    on a correct POST, what will happen, to confirm; only a POST with `confirm=yes` seals or unseals."""
    _require_custodian(request, record_url=True)
    candidate = get_candidate_for_user(request.user, pk)  # the custodian's scope: every record
    form = CourtOrderForm(request.POST if request.method == "POST" else None)
    refusals = act.refusals(candidate)
    confirming = False
    if request.method == "POST" and form.is_valid() and not refusals and "change" not in request.POST:
        if request.POST.get("confirm") != "yes":
            confirming = True  # nothing happens before the custodian confirms what it means
        else:
            order = form.cleaned_data
            try:
                act.service(candidate, request.user, order["order_reference"], order["order_date"])
            except DomainError as exc:  # the record changed meanwhile (sealed by another custodian, say)
                refusals = exc.reasons or {"candidate": exc.message}
                for field in set(refusals) & set(form.fields):
                    form.add_error(field, refusals[field])
            else:
                messages.success(request, act.done.format(pk=candidate.pk))
                return redirect("candidates:detail", pk=candidate.pk)
    failed = request.method == "POST" and (bool(form.errors) or bool(refusals))
    return render(
        request,
        "audit/seal.html",
        {
            "candidate": candidate,
            "act": act.name,
            "form": form,
            "refusal": refusals.get("candidate", ""),
            # a sealed record cannot be sealed again nor an unsealed one unsealed: no form, a link to the other
            "possible": candidate.is_sealed == (act is UNSEAL),
            "confirming": confirming,
            "law": sealing.LAW,
        },
        status=400 if failed else 200,
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
