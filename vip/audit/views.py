"""The audit viewer, its CSV export, sealing on a court order, and the intelligence review queue.

Thin views: access by named helpers (`may_read_audit`, roles), writes through services
(`candidate_seal`, `candidates.retention.*`), refusals shown with their reasons.
"""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from candidates import retention
from candidates.models import REVIEW_AFTER_YEARS, Candidate, add_years, today
from candidates.sealing import candidate_seal, was_juvenile_in_record
from candidates.selectors import candidates_visible_to
from vip import roles
from vip.audit import audit_events_visible_to, audit_read
from vip.errors import DomainError
from vip.exports import audit_export, csv_response, require_export_reason
from vip.models import AuditEvent

PAGE_SIZE = 50


def may_read_audit(user) -> bool:
    return roles.has_role(user, roles.PROGRAM_MANAGER, roles.ADMINISTRATOR, roles.RECORDS_CUSTODIAN)


class AuditFilterForm(forms.Form):
    actor = forms.CharField(required=False, label="Who (user name)")
    action = forms.ChoiceField(required=False, choices=[("", "Any action"), *AuditEvent.Action.choices])
    object_type = forms.CharField(required=False, label="Record type", help_text="e.g. candidates.Candidate")
    object_id = forms.CharField(required=False, label="Record number")
    date_from = forms.DateField(required=False, label="From", widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(required=False, label="To", widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self):
        data = super().clean()
        if data.get("date_from") and data.get("date_to") and data["date_to"] < data["date_from"]:
            self.add_error("date_to", "The end date is before the start date.")
        return data

    def filter(self, qs):
        data = self.cleaned_data
        if data.get("actor"):
            qs = qs.filter(actor_username__icontains=data["actor"])
        if data.get("action"):
            qs = qs.filter(action=data["action"])
        if data.get("object_type"):
            qs = qs.filter(object_type__iexact=data["object_type"])
        if data.get("object_id"):
            qs = qs.filter(object_id=data["object_id"])
        if data.get("date_from"):
            qs = qs.filter(at__date__gte=data["date_from"])
        if data.get("date_to"):
            qs = qs.filter(at__date__lte=data["date_to"])
        return qs

    def as_filters(self) -> dict[str, str]:
        return {k: str(v) for k, v in self.cleaned_data.items() if v not in (None, "")}


def _filtered_events(request: HttpRequest, source) -> tuple[AuditFilterForm, object]:
    form = AuditFilterForm(source)
    qs = audit_events_visible_to(request.user)
    return form, (form.filter(qs) if form.is_valid() else qs.none())


@login_required
def audit_list(request: HttpRequest) -> HttpResponse:
    if not may_read_audit(request.user):
        raise PermissionDenied("The audit trail is for the Program Manager and administrators.")
    form, qs = _filtered_events(request, request.GET)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    query = urlencode(form.as_filters()) if form.is_valid() else ""
    return render(request, "audit/list.html", {"form": form, "page": page, "query": query})


@login_required
def audit_export_csv(request: HttpRequest) -> HttpResponse:
    """The trail as CSV for an inspector: asks why, and the export itself is audited."""
    if not may_read_audit(request.user):
        raise PermissionDenied("The audit trail is for the Program Manager and administrators.")
    source = request.POST if request.method == "POST" else request.GET
    form, qs = _filtered_events(request, source)
    error = ""
    if request.method == "POST" and form.is_valid():
        try:
            reason = require_export_reason(request)
        except DomainError as exc:
            error = exc.message
        else:
            rows = list(qs)
            audit_export(
                request.user,
                what="vip.AuditEvent",
                reason=reason,
                count=len(rows),
                request=request,
                filters=form.as_filters(),
            )
            header = ["at", "actor", "action", "object_type", "object_id", "object", "from", "to", "note", "ip"]
            data = (
                [
                    e.at.isoformat(),
                    e.actor_username,
                    e.action,
                    e.object_type,
                    e.object_id,
                    e.object_repr,
                    e.from_state,
                    e.to_state,
                    e.note,
                    e.ip_address,
                ]
                for e in rows
            )
            return csv_response(f"audit-trail-{today():%Y%m%d}.csv", header, data)
    return render(
        request,
        "audit/export.html",
        {"form": form, "count": qs.count(), "error": error, "reason": request.POST.get("reason", "")},
        status=400 if error else 200,
    )


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
