"""The administrator's view of CNs: state, step records and corrections read-only; transitions only through the
services. A frozen record changes only through an audited correction (notifications/corrections/), never here.

The CN's state is never edited here (the FSMField is protected). The few transitions offered as admin
actions call the same services as the pages and the API, so the guards, the permission (the acting
administrator must also be the VIP LE Lead) and the audit row all apply. django-fsm's own admin mixin is
not used because it calls the model's transition methods directly, skipping the services.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.template import Template, TemplateSyntaxError

from notifications import steps
from notifications.models import (
    AfterAction,
    Check,
    Correction,
    Delivery,
    ECCAdvisement,
    Encounter,
    GuardianContactAttempt,
    JPOCheck,
    Letter,
    LetterTemplate,
    Personnel,
    SocialServicesCoordination,
    TeamMember,
    TrainingRecord,
)
from notifications.personnel import qualification
from notifications.selectors import checks_visible_to
from vip.admin_access import SelectorScopedAdminMixin
from vip.errors import DomainError


class ReadOnlyInline(admin.StackedInline):
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields if f.name not in ("id", "delivery")]

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        if self.model is Check:  # never for social services, even on the CN's team (issue #5)
            return qs.filter(pk__in=checks_visible_to(request.user).values("pk"))
        return qs


def _inline(model_class, *, tabular: bool = False):
    base = (admin.TabularInline, ReadOnlyInline) if tabular else (ReadOnlyInline,)
    return type(f"{model_class.__name__}Inline", base, {"model": model_class, "extra": 0})


def _transition_action(step: steps.TransitionStep):
    """An admin action that calls the transition's service (the registry's) for each selected CN and reports
    each result in the service's words."""

    def action(modeladmin, request, queryset):
        for delivery in queryset:
            kwargs = {}
            if step.name == "cancel":
                kwargs["reason"] = f"Cancelled in the admin by {request.user.get_username()}."
            try:
                step.perform(delivery.pk, request.user, kwargs)
            except DomainError as exc:
                modeladmin.message_user(request, f"CN #{delivery.pk}: {exc.message}", level=messages.ERROR)
            else:
                modeladmin.message_user(request, f"CN #{delivery.pk}: done.", level=messages.SUCCESS)

    action.__name__ = f"action_{step.name.replace('-', '_')}"
    action.short_description = f"{step.title} (through the service, with its guards; SOP {step.sop})"
    return action


@admin.register(Delivery)
class DeliveryAdmin(SelectorScopedAdminMixin, admin.ModelAdmin):
    list_display = ["id", "candidate", "state", "attempt", "le_lead", "state_entered_at", "created_at"]
    list_filter = ["state"]
    search_fields = ["candidate__last_name", "candidate__first_name", "=id"]
    list_select_related = ["candidate", "le_lead"]
    date_hierarchy = "created_at"
    inlines = [
        _inline(TeamMember, tabular=True),
        _inline(Check),
        _inline(Letter),
        _inline(SocialServicesCoordination),
        _inline(JPOCheck),
        _inline(GuardianContactAttempt),
        _inline(ECCAdvisement),
        _inline(Encounter),
        _inline(AfterAction),
        # Read-only like the rest: a correction is proposed and decided on the CN page and /cn/corrections/, and
        # this page offers no revert or edit that would change a frozen record past it.
        _inline(Correction),
    ]
    actions = [_transition_action(step) for step in steps.TRANSITIONS.values() if step.admin_action]

    def get_readonly_fields(self, request, obj=None):
        # Everything: a CN changes only through its services (and a closed CN is read-only).
        return [f.name for f in Delivery._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        # A view, not a form: no Save and no revert (issue 17). Its actions call the services, which check
        # their own permission; what the SOP froze changes only through an audited correction.
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class LetterTemplateForm(forms.ModelForm):
    class Meta:
        model = LetterTemplate
        fields = ["name", "body", "active"]

    def clean_body(self):
        body = self.cleaned_data["body"]
        try:
            Template(body)
        except TemplateSyntaxError as exc:
            raise forms.ValidationError(f"The template does not compile: {exc}. Check the {{{{ }}}} tags.") from None
        if "{{ penalties }}" not in body.replace("{{penalties}}", "{{ penalties }}"):
            raise forms.ValidationError("The letter must show the candidate's penalties: include {{ penalties }}.")
        return body


@admin.register(LetterTemplate)
class LetterTemplateAdmin(admin.ModelAdmin):
    form = LetterTemplateForm
    list_display = ["name", "active", "updated_at"]
    list_filter = ["active"]


class TrainingRecordInline(admin.TabularInline):
    model = TrainingRecord
    fk_name = "user"
    extra = 0
    fields = ["course", "attended_on", "department_recognised"]


@admin.register(Personnel)
class PersonnelAdmin(admin.ModelAdmin):
    list_display = ["user", "rank", "badge_number", "is_sworn", "is_command_level", "qualified"]
    list_filter = ["is_sworn", "is_command_level"]
    search_fields = ["user__username", "user__last_name", "badge_number"]
    list_select_related = ["user"]

    @admin.display(boolean=True, description="Qualified (SOP 2-64-6)")
    def qualified(self, obj):
        return qualification(obj.user).qualified


@admin.register(TrainingRecord)
class TrainingRecordAdmin(admin.ModelAdmin):
    list_display = ["user", "course", "attended_on", "department_recognised"]
    list_filter = ["department_recognised"]
    search_fields = ["user__username", "user__last_name", "course"]

    def save_model(self, request, obj, form, change):
        if not obj.recorded_by_id:
            obj.recorded_by = request.user
        super().save_model(request, obj, form, change)
