"""The admin's user pages and role grants, through the separation-of-duties rules of `vip.grants`.

- The user pages have no superuser flag and no direct permissions; on one's own page the roles and the staff
  flag are read-only, and a POST that carries any of them anyway is refused (the form again, with the reason).
- Ticking a role that needs approval asks for it (a pending RoleGrant) instead of adding it; unticking a role
  removes it at once. Either needs a reason.
- Role grants: another Administrator opens a pending grant and approves or refuses it with a reason.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.utils.html import format_html_join
from django.utils.safestring import mark_safe

from vip import grants
from vip.errors import DomainError
from vip.models import RoleGrant

User = get_user_model()


class SeparationOfDutiesForm(forms.ModelForm):
    """Refuses what the posted data carries that `vip.grants` forbids, whatever the page showed."""

    actor = None  # the signed-in user, set by the admin (`VipUserAdmin.get_form`)
    request = None

    def clean(self):
        cleaned = super().clean()
        try:
            grants.refuse_account_changes(
                actor=self.actor,
                user=self.instance if self.instance.pk else None,
                fields=self.data.keys(),
                request=self.request,
            )
        except grants.GrantRefused as refused:
            for message in dict.fromkeys(refused.reasons.values()):
                self.add_error(None, message)
        return cleaned


class VipUserCreationForm(SeparationOfDutiesForm, AdminUserCreationForm):
    pass


class VipUserChangeForm(SeparationOfDutiesForm, UserChangeForm):
    role_change_reason = forms.CharField(
        label="Reason for the role change",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Needed when you add or remove a role: kept in the audit trail with the change.",
    )

    def clean(self):
        cleaned = super().clean()
        if "groups" not in cleaned or not self.instance.pk:
            return cleaned
        before = set(self.instance.groups.all())
        after = set(cleaned["groups"])
        if before != after and not (cleaned.get("role_change_reason") or "").strip():
            self.add_error("role_change_reason", grants.REASON_MESSAGE)
        names = {group.name for group in after}
        for group in after - before:
            problem = grants.role_request_problem(self.instance, group, roles_after=names)
            if problem:
                self.add_error("groups", problem)
        return cleaned


class VipUserAdmin(UserAdmin):
    form = VipUserChangeForm
    add_form = VipUserCreationForm
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        ("Personal info", {"fields": ("first_name", "last_name", "email")}),
        (
            "Roles",
            {
                "fields": ("is_active", "is_staff", "groups", "roles_awaiting_approval", "role_change_reason"),
                "description": (
                    "A role that reads records, and the Administrator role, is given when a second person "
                    "approves it: ticking it asks for it. Removing a role takes effect at once. No one changes "
                    "their own roles or staff flag."
                ),
            },
        ),
        ("Important dates", {"fields": ("last_login", "date_joined")}),
    )
    list_filter = ("is_staff", "is_active", "groups")
    filter_horizontal = ("groups",)

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None or obj.pk != request.user.pk:
            return fieldsets
        # one's own page: the roles are shown, not changed, so there is no reason to give
        return [
            (name, {**options, "fields": [f for f in options["fields"] if f != "role_change_reason"]})
            for name, options in fieldsets
        ]

    def get_readonly_fields(self, request, obj=None):
        fields = [*super().get_readonly_fields(request, obj), "roles_awaiting_approval"]
        if obj is not None and obj.pk == request.user.pk:
            fields += ["is_staff", "groups"]  # one's own: shown, not changed (vip.grants)
        return fields

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        return type(form.__name__, (form,), {"actor": request.user, "request": request})

    @admin.display(description="Roles awaiting approval")
    def roles_awaiting_approval(self, obj):
        waiting = obj.role_grants.filter(status=RoleGrant.Status.PENDING).select_related("group", "requested_by")
        if not obj.pk or not waiting:
            return "None"
        return format_html_join(
            mark_safe("<br>"),  # noqa: S308 - a constant
            "{} (asked by {}, awaits {})",
            ((g.group.name, g.requested_by.get_username(), grants.who_approves(g)) for g in waiting),
        )

    def save_related(self, request, form, formsets, change):
        """The roles go through `vip.grants`, not the form's own save: an added role that needs approval is
        asked for, a removed one is taken away, each with the reason typed."""
        wanted = form.cleaned_data.pop("groups", None)
        super().save_related(request, form, formsets, change)
        if wanted is None:
            return
        user, reason = form.instance, form.cleaned_data.get("role_change_reason", "")
        current, wanted = set(user.groups.all()), set(wanted)
        try:
            for group in sorted(current - wanted, key=str):
                grants.remove_role(actor=request.user, user=user, group=group, reason=reason, request=request)
                self.message_user(request, f"Role {group.name} removed from {user}.", messages.SUCCESS)
            for group in sorted(wanted - current, key=str):
                grant = grants.request_role(actor=request.user, user=user, group=group, reason=reason, request=request)
                if grant is None:
                    self.message_user(request, f"Role {group.name} given to {user}.", messages.SUCCESS)
                else:
                    self.message_user(
                        request,
                        f"Role {group.name} for {user} awaits the approval of {grants.who_approves(grant)}: "
                        "it takes effect when approved (Role grants).",
                        messages.WARNING,
                    )
        except DomainError as refused:
            self.message_user(request, f"{refused.message} {' '.join(refused.reasons.values())}", messages.ERROR)


class DecisionForm(forms.ModelForm):
    decision = forms.ChoiceField(
        choices=[("approve", "Approve: the role takes effect now"), ("refuse", "Refuse")],
        widget=forms.RadioSelect,
        error_messages={"required": "Pick approve or refuse."},
    )

    actor = None
    request = None

    class Meta:
        model = RoleGrant
        fields = ["decision", "decision_reason"]
        labels = {"decision_reason": "Reason for your decision"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["decision_reason"].required = True
        self.fields["decision_reason"].error_messages["required"] = "Say why you approve or refuse it."

    def clean(self):
        cleaned = super().clean()
        try:
            grants.refuse_decider(self.actor, self.instance, request=self.request)
        except grants.GrantRefused as refused:
            self.add_error(None, refused.message)
        return cleaned


@admin.register(RoleGrant)
class RoleGrantAdmin(admin.ModelAdmin):
    """Pending role grants, for an Administrator to approve or refuse (not their own request)."""

    form = DecisionForm
    list_display = ("user", "group", "status", "requested_by", "requested_at", "decided_by", "decided_at")
    list_filter = ("status", "group")
    search_fields = ("user__username", "requested_by__username", "reason")
    readonly_fields = ("user", "group", "requested_by", "requested_at", "reason", "status", "decided_by", "decided_at")
    actions = None

    def get_fields(self, request, obj=None):
        if obj is not None and obj.is_pending and self.has_change_permission(request, obj):
            return [*self.readonly_fields, "decision", "decision_reason"]
        return [*self.readonly_fields, "decision_reason"]

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and obj.is_pending and self.has_change_permission(request, obj):
            return self.readonly_fields
        return [*self.readonly_fields, "decision_reason"]

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        return type(form.__name__, (form,), {"actor": request.user, "request": request})

    def has_module_permission(self, request):
        return grants.may_see_grants(request.user)

    def has_view_permission(self, request, obj=None):
        return grants.may_see_grants(request.user)

    def has_change_permission(self, request, obj=None):
        # The decision form is shown to anyone who may see grants; the rules refuse it with their reason.
        return grants.may_see_grants(request.user) and (obj is None or obj.is_pending)

    def has_add_permission(self, request):
        return False  # asked for on the user's page, by ticking the role

    def has_delete_permission(self, request, obj=None):
        return False  # kept: the record of who asked and who decided

    def save_model(self, request, obj, form, change):
        approve = form.cleaned_data["decision"] == "approve"
        fresh = RoleGrant.objects.get(pk=obj.pk)  # the form wrote the reason on `obj`; the service writes it
        try:
            decided = grants.decide_grant(
                fresh, actor=request.user, approve=approve, reason=form.cleaned_data["decision_reason"], request=request
            )
        except DomainError as refused:
            self.message_user(request, f"{refused.message} {' '.join(refused.reasons.values())}", messages.ERROR)
            return
        obj.refresh_from_db()
        self.message_user(request, f"{decided}.", messages.SUCCESS)


def install() -> None:
    """Replace django.contrib.auth's user admin (run from vip/admin.py, after auth's admin registered)."""
    if admin.site.is_registered(User):
        admin.site.unregister(User)
    admin.site.register(User, VipUserAdmin)
