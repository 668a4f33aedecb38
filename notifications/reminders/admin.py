"""Admin for reminders: due times an administrator may change, and each reminder's e-mail record."""

from __future__ import annotations

from django.contrib import admin
from django.db.models import Q

from candidates.aftercare.selectors import referrals_visible_to
from notifications.reminders.models import Reminder, ReminderPreference, StepDueTime
from notifications.selectors import deliveries_visible_to
from vip.admin_access import SelectorScopedAdminMixin


@admin.register(StepDueTime)
class StepDueTimeAdmin(admin.ModelAdmin):
    list_display = ["state", "due_hours", "updated_at"]
    list_editable = ["due_hours"]


@admin.register(Reminder)
class ReminderAdmin(SelectorScopedAdminMixin, admin.ModelAdmin):
    list_display = [
        "created_at",
        "recipient",
        "level",
        "step",
        "delivery",
        "period",
        "mode",
        "read_at",
        "email_sent_at",
        "email_attempts",
        "email_failed",
    ]
    list_filter = ["level", "kind", "mode", ("email_sent_at", admin.EmptyFieldListFilter), "step"]
    search_fields = ["message", "recipient__username", "last_error"]
    date_hierarchy = "created_at"
    list_select_related = ["recipient", "delivery__candidate"]
    raw_id_fields = ["delivery", "referral", "recipient"]

    @admin.display(boolean=True, description="E-mail failed")
    def email_failed(self, obj):
        return bool(obj.last_error) and obj.email_sent_at is None

    def scope(self, request, qs):
        # A CN's reminder names the person: only for those who see the CN; a GVIS week's names nobody. A referral's
        # follow-up is behind the services wall (issue 19): only for those who read the referral.
        return qs.filter(
            Q(delivery__isnull=True, referral__isnull=True)
            | Q(delivery__in=deliveries_visible_to(request.user).values("pk"))
            | Q(referral__in=referrals_visible_to(request.user).values("pk"))
        )

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in self.model._meta.fields]  # the record of what was sent: read-only

    def has_add_permission(self, request):
        return False


@admin.register(ReminderPreference)
class ReminderPreferenceAdmin(admin.ModelAdmin):
    list_display = ["user", "digest"]
    raw_id_fields = ["user"]
