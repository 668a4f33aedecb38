"""Staff pages for the Administrators (issue 18, item 6): the list, "Add staff member", a member's page.

Each view checks access with `may_manage_staff`, calls one service of `notifications.staff` and maps a refusal
of `vip.grants` to the field it is about. The stock admin user form is not used (vip/grants/admin.py sends its
pages here).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from notifications.models import TrainingRecord
from notifications.staff import (
    may_manage_staff,
    staff_member_create,
    staff_member_update,
    staff_rows,
    standing,
)
from notifications.staff.forms import AddStaffForm, EditStaffForm
from vip import grants
from vip.errors import DomainError
from vip.security import is_locked_out, release_lockout, reset_second_factor

# What a page posts under its own names, and the names vip.grants knows them by (the User model's fields).
POSTED_AS = {"roles": "groups"}


def _require_staff_pages(user) -> None:
    if not may_manage_staff(user):
        raise PermissionDenied("Staff accounts are managed by the Administrators.")


def _refused_posted_fields(request, user: User | None) -> grants.GrantRefused | None:
    """What the POST carries that no one sets (the superuser flag, direct permissions) or changes on their own
    account (roles, staff flag): refused and recorded as `denied` by vip.grants, whatever the page showed."""
    posted = [POSTED_AS.get(name, name) for name in request.POST]
    try:
        grants.refuse_account_changes(actor=request.user, user=user, fields=posted, request=request)
    except grants.GrantRefused as refused:
        return refused
    return None


def _add_refusal(form, refused: DomainError) -> None:
    """A refusal of vip.grants shown beside the field it is about (the roles, the reason), else above the form."""
    on_form = {model: posted for posted, model in POSTED_AS.items()}
    if not refused.reasons:
        form.add_error("roles", refused.message)
    for name, text in dict(refused.reasons).items():
        name = on_form.get(name, name)
        form.add_error(name if name in form.fields else None, text)


def _grant_messages(request, user: User, requested, removed=()) -> None:
    for name in removed:
        messages.success(request, f"Role {name} removed from {user.get_username()}.")
    for grant in requested:
        messages.warning(
            request,
            f"{grant.group.name} for {user.get_username()} awaits the approval of {grants.who_approves(grant)}: "
            "it takes effect when approved (Role grants).",
        )


@login_required
def staff_list(request: HttpRequest) -> HttpResponse:
    _require_staff_pages(request.user)
    return render(request, "staff/list.html", {"rows": staff_rows()})


@login_required
def staff_add(request: HttpRequest) -> HttpResponse:
    _require_staff_pages(request.user)
    form = AddStaffForm(request.POST or None)
    status = 200
    if request.method == "POST":
        refused = _refused_posted_fields(request, None)
        if refused is not None:
            _add_refusal(form, refused)
            return render(request, "staff/add.html", {"form": form}, status=403)
        if form.is_valid():
            data = form.cleaned_data
            try:
                user, requested = staff_member_create(
                    actor=request.user,
                    username=data["username"],
                    first_name=data["first_name"],
                    last_name=data["last_name"],
                    email=data["email"],
                    password=data["password1"],
                    wanted_roles=list(data["roles"]),
                    reason=data["reason"],
                    badge_number=data["badge_number"],
                    rank=data["rank"],
                    is_sworn=data["is_sworn"],
                    is_command_level=data["is_command_level"],
                    training=form.training(),
                    request=request,
                )
            except DomainError as refusal:
                _add_refusal(form, refusal)
                status = refusal.status_code
            else:
                messages.success(request, f"Staff member {user.get_full_name()} ({user.username}) added.")
                _grant_messages(request, user, requested)
                return redirect("staff:detail", pk=user.pk)
        else:
            status = 400
    return render(request, "staff/add.html", {"form": form}, status=status)


@login_required
def staff_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _require_staff_pages(request.user)
    user = get_object_or_404(User.objects.select_related("personnel"), pk=pk)
    form = EditStaffForm(request.POST or None, user=user, actor=request.user)
    status = 200
    if request.method == "POST":
        refused = _refused_posted_fields(request, user)
        if refused is not None:
            _add_refusal(form, refused)
            return _render_detail(request, user, form, status=403)
        if form.is_valid():
            data = form.cleaned_data
            try:
                requested, removed = staff_member_update(
                    actor=request.user,
                    user=user,
                    first_name=data["first_name"],
                    last_name=data["last_name"],
                    email=data["email"],
                    is_active=data["is_active"],
                    wanted_roles=list(data["roles"]),
                    reason=data.get("reason", ""),  # not on one's own page, where the roles are not changed
                    badge_number=data["badge_number"],
                    rank=data["rank"],
                    is_sworn=data["is_sworn"],
                    is_command_level=data["is_command_level"],
                    training=form.training(),
                    request=request,
                )
            except DomainError as refusal:
                _add_refusal(form, refusal)
                status = refusal.status_code
            else:
                messages.success(request, f"{user.get_full_name() or user.username} saved.")
                _grant_messages(request, user, requested, removed)
                return redirect("staff:detail", pk=user.pk)
        else:
            status = 400
    return _render_detail(request, user, form, status=status)


def _render_detail(request, user: User, form, *, status: int) -> HttpResponse:
    user = (
        User.objects.select_related("personnel")
        .prefetch_related(Prefetch("cn_trainings", queryset=TrainingRecord.objects.order_by("-attended_on")))
        .get(pk=user.pk)
    )
    context = {
        "member": user,
        "form": form,
        "standing": standing(user),
        "locked_out": is_locked_out(user.username),
        "trainings": list(user.cn_trainings.all()),
        "own": user.pk == request.user.pk,
    }
    return render(request, "staff/detail.html", context, status=status)


@login_required
@require_POST
def staff_release_lockout(request: HttpRequest, pk: int) -> HttpResponse:
    """Release a sign-in lockout (CJIS AC-7), as the admin's action does; audited by vip.security."""
    _require_staff_pages(request.user)
    user = get_object_or_404(User, pk=pk)
    release_lockout(user.username, by=request.user, request=request)
    messages.success(request, f"Sign-in lockout of {user.username} released.")
    if request.POST.get("back") == "list":
        return redirect("staff:list")
    return redirect("staff:detail", pk=pk)


@login_required
@require_POST
def staff_reset_second_factor(request: HttpRequest, pk: int) -> HttpResponse:
    """A lost phone: their authenticator and recovery codes go, and they enrol again at the next sign-in."""
    _require_staff_pages(request.user)
    user = get_object_or_404(User, pk=pk)
    reset_second_factor(user, by=request.user, request=request)
    messages.success(request, f"Second factor of {user.username} reset: they set up their app at the next sign-in.")
    return redirect("staff:detail", pk=pk)
