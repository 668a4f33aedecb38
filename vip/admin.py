"""The audit trail in the admin: read-only, scoped like the viewer at /audit/ (CJIS AU-9, AC-6)."""

from django.contrib import admin

from vip import scopes
from vip.admin_access import SelectorScopedAdminMixin
from vip.audit import audit_events_visible_to
from vip.grants import admin as grants_admin
from vip.models import AuditEvent

grants_admin.install()  # the user pages and role grants, through the separation of duties (vip.grants)


class RecordTypeFilter(admin.AllValuesFieldListFilter):
    """The record types in the trail. An event about no record (a sign-in, a lockout's address) has a blank
    type, which Django's filter showed as an empty link a screen reader cannot name (issue #18): it is named."""

    BLANK = "(no record type)"

    def choices(self, changelist):
        for choice in super().choices(changelist):
            yield {**choice, "display": self.BLANK} if choice["display"] == "" else choice


@admin.register(AuditEvent)
class AuditEventAdmin(SelectorScopedAdminMixin, admin.ModelAdmin):
    list_display = ("at", "actor_username", "action", "object_type", "object_id", "record_name", "ip_address")
    list_filter = ("action", ("object_type", RecordTypeFilter))
    search_fields = ("actor_username", "object_id", "object_repr", "note")
    date_hierarchy = "at"
    readonly_fields = [f.name for f in AuditEvent._meta.fields]
    actions = None

    def scope(self, request, qs):
        return qs.filter(pk__in=audit_events_visible_to(request.user).values("pk"))

    @admin.display(description="Object repr", ordering="object_repr")
    def record_name(self, obj):
        scopes.withhold_walled(obj)  # the services wall (issue 19): the name of a walled record is withheld
        return obj.object_repr

    def get_object(self, request, object_id, from_field=None):
        event = super().get_object(request, object_id, from_field)
        if event is not None:
            scopes.withhold_walled(event)  # that a walled record changed, when and by whom; never what it says
        return event

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
