"""The grants page (/security/grants/): pending role grants, approved or refused with a reason.

For the Program Manager, who approves where the program has a single Administrator and has no admin access,
and for the Administrators. Who may decide which grant is `vip.grants.why_not_decider`.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from vip import grants
from vip.errors import DomainError
from vip.models import RoleGrant


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        choices=[("approve", "Approve"), ("refuse", "Refuse")], error_messages={"required": "Pick approve or refuse."}
    )
    reason = forms.CharField(
        max_length=2000,
        error_messages={"required": "Say why you approve or refuse it: the reason is kept in the audit trail."},
    )


def _require_grants_page(user) -> None:
    if not grants.may_see_grants(user):
        raise PermissionDenied("Role grants are decided by the Administrators and the Program Manager.")


def _render(request: HttpRequest, *, failed: RoleGrant | None = None, form=None, error: str = "", status=200):
    rows = [
        {
            "grant": grant,
            "who_approves": grants.who_approves(grant),
            "refusal": grants.why_not_decider(request.user, grant),
            "form": form if failed is not None and grant.pk == failed.pk else None,
            "error": error if failed is not None and grant.pk == failed.pk else "",
        }
        for grant in grants.pending_grants().order_by("requested_at", "id")
    ]
    decided = RoleGrant.objects.exclude(status=RoleGrant.Status.PENDING).select_related(
        "user", "group", "requested_by", "decided_by"
    )[:20]
    return render(request, "security/grants.html", {"rows": rows, "decided": decided}, status=status)


@login_required
def grant_list(request: HttpRequest) -> HttpResponse:
    _require_grants_page(request.user)
    return _render(request)


@login_required
@require_POST
def grant_decide(request: HttpRequest, pk: int) -> HttpResponse:
    _require_grants_page(request.user)
    grant = RoleGrant.objects.select_related("user", "group", "requested_by").filter(pk=pk).first()
    if grant is None:
        raise Http404("No such role grant.")
    form = DecisionForm(request.POST)
    if not form.is_valid():
        error = " ".join(message for errors in form.errors.values() for message in errors)
        return _render(request, failed=grant, form=form, error=error, status=400)
    try:
        decided = grants.decide_grant(
            grant,
            actor=request.user,
            approve=form.cleaned_data["decision"] == "approve",
            reason=form.cleaned_data["reason"],
            request=request,
        )
    except grants.GrantRefused as refused:
        return _render(request, failed=grant, form=form, error=refused.message, status=403)
    except DomainError as refused:
        if refused.code == "conflict":  # decided by someone else meanwhile: nothing left to decide here
            messages.error(request, refused.message)
            return redirect("security:grants")
        error = f"{refused.message} {' '.join(refused.reasons.values())}".strip()
        return _render(request, failed=grant, form=form, error=error, status=refused.status_code)
    verb = "approved: it takes effect now" if decided.status == RoleGrant.Status.APPROVED else "refused"
    messages.success(request, f"{decided.group.name} for {decided.user.get_username()} {verb}.")
    return redirect("security:grants")
