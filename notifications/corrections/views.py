"""The correction pages: the LE Lead's proposal from the CN page, and the Program Manager's list of what
awaits a decision, with approve and refuse. Each checks access with a named helper, binds one form, calls one
service, and shows the service's reasons on the form (what was typed is kept)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from notifications import rules
from notifications.corrections import services
from notifications.corrections.fields import FIELDS, correctable_field, frozen_fields
from notifications.corrections.forms import ApproveForm, CorrectionForm, RefuseForm
from notifications.corrections.selectors import decided_corrections_for, pending_corrections_for
from notifications.selectors import get_delivery_for_user
from notifications.views import _add_errors
from vip import roles
from vip.errors import DomainError


def _cn_url(delivery) -> str:
    return reverse("notifications:detail", args=[delivery.pk]) + "#corrections"


@login_required
def correction_new(request, pk: int):
    """/cn/<pk>/corrections/new/?field=<record>.<field>: the LE Lead proposes one field's new value and why."""
    delivery = get_delivery_for_user(request.user, pk)
    if not rules.PROPOSER.may(delivery, request.user):
        raise PermissionDenied(rules.PROPOSER.refusal)
    frozen = frozen_fields(delivery)
    key = request.POST.get("field") or request.GET.get("field", "")
    current = {field.key: value for field, value in frozen}
    correctable = FIELDS.get(key)
    refusal = ""
    if key and correctable is None:
        try:
            correctable_field(key)
        except DomainError as exc:
            refusal = exc.message
    elif correctable is not None and key not in current:
        refusal = (
            f"{correctable.record.title} of this CN is not frozen (it is frozen {correctable.record.frozen_when}): "
            "change it through its own step."
        )
    if correctable is None or refusal:
        status = 400 if key else 200
        return render(
            request,
            "notifications/correction_new.html",
            {"delivery": delivery, "frozen": frozen, "refusal": refusal},
            status=status,
        )
    form = CorrectionForm(
        request.POST or None,
        correctable=correctable,
        initial={"field": key, "new_value": getattr(correctable.record_of(delivery), correctable.name)},
    )
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                correction = services.correction_propose(delivery.pk, user=request.user, **form.service_kwargs())
            except DomainError as exc:
                _add_errors(form, exc)
                status = exc.status_code
            else:
                messages.success(
                    request,
                    f"Correction #{correction.pk} proposed: it changes the record once a Program Manager approves it.",
                )
                return redirect(_cn_url(delivery))
    return render(
        request,
        "notifications/correction_new.html",
        {"delivery": delivery, "frozen": frozen, "correctable": correctable, "current": current[key], "form": form},
        status=status,
    )


def _may_review(user) -> bool:
    return roles.is_program_manager(user) or roles.is_le_lead(user)


def _list(request, *, bound: tuple[int, str, object] | None = None, status: int = 200):
    """The corrections page; `bound` = (correction id, "approve" or "refuse", form) keeps a refused decision."""
    user = request.user
    pending = pending_corrections_for(user)
    may_decide = rules.APPROVER.may(None, user)
    for correction in pending:
        correction.decidable = may_decide and correction.proposed_by_id != user.pk
        correction.approve_form = ApproveForm(prefix=f"approve-{correction.pk}")
        correction.refuse_form = RefuseForm(prefix=f"refuse-{correction.pk}")
        if bound and bound[0] == correction.pk:
            setattr(correction, f"{bound[1]}_form", bound[2])
            correction.refused = bound[2]
    return render(
        request,
        "notifications/corrections.html",
        {"pending": pending, "decided": decided_corrections_for(user), "may_decide": may_decide},
        status=status,
    )


@login_required
def corrections(request):
    """/cn/corrections/: what awaits the Program Manager, and the latest decisions."""
    if not _may_review(request.user):
        raise PermissionDenied
    return _list(request)


def _decide(request, pk: int, correction_pk: int, decision: str):
    delivery = get_delivery_for_user(request.user, pk)
    if not rules.APPROVER.may(delivery, request.user):
        raise PermissionDenied(rules.APPROVER.refusal)
    form_class, service = {
        "approve": (ApproveForm, services.correction_approve),
        "refuse": (RefuseForm, services.correction_refuse),
    }[decision]
    form = form_class(request.POST, prefix=f"{decision}-{correction_pk}")
    status = 400
    if form.is_valid():
        try:
            correction = service(delivery.pk, correction_pk, user=request.user, **form.cleaned_data)
        except DomainError as exc:
            _add_errors(form, exc)
            status = 404 if exc.code == "not_found" else exc.status_code
        else:
            done = "approved and applied" if decision == "approve" else "refused: nothing was changed"
            messages.success(request, f"Correction #{correction.pk} of CN #{delivery.pk} {done}.")
            return redirect("notifications:corrections")
    return _list(request, bound=(correction_pk, decision, form), status=status)


@login_required
@require_POST
def correction_approve(request, pk: int, correction_pk: int):
    return _decide(request, pk, correction_pk, "approve")


@login_required
@require_POST
def correction_refuse(request, pk: int, correction_pk: int):
    return _decide(request, pk, correction_pk, "refuse")
