"""Admin for candidates, their network, the evidence, and the services and outcomes.

The admin sees only the people `candidates_visible_to` allows, validates with the same model rules as the
pages and the API (`full_clean` runs in every admin form), saves inside the admin's transaction, and writes
the audit row; the database's change trail (vip/audit/triggers.py) keeps who changed what.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin

from candidates import models as m
from candidates.aftercare.kinds import Area
from vip import roles
from vip.admin_access import SelectorScopedAdminMixin
from vip.audit import audit


class AuditedAdmin(admin.ModelAdmin):
    """Every save and delete in the admin leaves an audit row, with who did it."""

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        audit(
            actor=request.user,
            action="update" if change else "create",
            obj=obj,
            note="in the admin" + (f"; changed {', '.join(form.changed_data)}" if change else ""),
        )

    def delete_model(self, request, obj):
        audit(actor=request.user, action="delete", obj=obj, note="in the admin")
        super().delete_model(request, obj)

    def save_formset(self, request, form, formset, change):
        super().save_formset(request, form, formset, change)
        for obj in formset.new_objects + [o for o, _ in formset.changed_objects]:
            audit(actor=request.user, action="update" if change else "create", obj=obj, note="in the admin")
        for obj in formset.deleted_objects:
            audit(actor=request.user, action="delete", object_type=obj._meta.label, note=f"{obj} in the admin")


class OfVisibleCandidates(SelectorScopedAdminMixin):
    """Rows that hang off a person: only those of people this user may see (404 for others, history
    included), and only them to pick from (vip/admin_access.py)."""


class ReferenceRecords(SelectorScopedAdminMixin):
    """Shootings, groups and GVIS meetings name people: for those who see every candidate."""

    def scope(self, request, qs):
        if roles.sees_all_candidates(request.user) or roles.is_records_custodian(request.user):
            return qs
        if roles.is_administrator(request.user) and self.model is m.Group:
            return qs  # reference data the administrator keeps
        return qs.none()


class AliasInline(admin.TabularInline):
    model = m.Alias
    extra = 0


class AddressInline(admin.TabularInline):
    model = m.Address
    extra = 0


class PhoneInline(admin.TabularInline):
    model = m.Phone
    extra = 0


@admin.register(m.Candidate)
class CandidateAdmin(SelectorScopedAdminMixin, AuditedAdmin):
    list_display = ["last_name", "first_name", "date_of_birth", "sex", "created_at"]
    list_filter = ["sex", ("sealed_at", admin.EmptyFieldListFilter), "created_at"]
    search_fields = ["first_name", "last_name", "middle_name", "aliases__name"]
    date_hierarchy = "created_at"
    # Sealing is the Records Custodian's, on their pages (candidates.sealing), never an edit in the admin.
    readonly_fields = [
        "created_by", "created_at", "updated_at", "sealed_at", "sealed_by", "sealing_order_reference", "sealing_order_date"
    ]  # fmt: skip
    inlines = [AliasInline, AddressInline, PhoneInline]

    def get_search_results(self, request, queryset, search_term):
        queryset, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        return queryset, True

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        form.instance.refresh_search_text()


@admin.register(m.Influencer)
class InfluencerAdmin(OfVisibleCandidates, AuditedAdmin):
    list_display = ["name", "relationship", "is_legal_guardian", "candidate", "phone"]
    list_filter = ["relationship", "is_legal_guardian"]
    search_fields = ["name", "candidate__last_name", "candidate__first_name"]
    raw_id_fields = ["candidate"]


@admin.register(m.Referral)
class ReferralAdmin(OfVisibleCandidates, AuditedAdmin):
    list_display = ["candidate", "source", "referred_by", "referred_on"]
    list_filter = ["source", "referred_on"]
    search_fields = ["referred_by", "reason", "candidate__last_name", "candidate__first_name"]
    readonly_fields = ["created_by", "created_at"]
    raw_id_fields = ["candidate"]

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(m.EligibilityBasis)
class EligibilityBasisAdmin(OfVisibleCandidates, AuditedAdmin):
    list_display = ["candidate", "kind", "evidence_summary", "entered_by", "entered_at", "review_due_on"]
    list_filter = ["kind", "review_due_on"]
    search_fields = ["candidate__last_name", "candidate__first_name", "information", "link_analysis_reference"]
    readonly_fields = ["entered_by", "entered_at"]
    raw_id_fields = ["candidate", "related_person", "referral", "shooting", "gvis_meeting"]

    def save_model(self, request, obj, form, change):
        if not change:
            obj.entered_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(m.GroupMembership)
class GroupMembershipAdmin(OfVisibleCandidates, AuditedAdmin):
    list_display = ["candidate", "group", "source", "identified_on", "added_by", "review_due_on"]
    list_filter = ["source", "group", "review_due_on"]
    search_fields = ["candidate__last_name", "candidate__first_name", "group__name", "link_analysis_reference"]
    readonly_fields = ["added_by", "added_at", "approved_by", "approved_at"]
    raw_id_fields = ["candidate", "gvis_meeting"]

    def save_model(self, request, obj, form, change):
        if not change:
            obj.added_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(m.Group)
class GroupAdmin(ReferenceRecords, AuditedAdmin):
    list_display = ["name", "created_at"]
    search_fields = ["name", "description"]


class ParticipantInline(admin.TabularInline):
    model = m.ShootingParticipant
    extra = 0
    raw_id_fields = ["candidate"]


@admin.register(m.Shooting)
class ShootingAdmin(ReferenceRecords, AuditedAdmin):
    list_display = ["incident_number", "occurred_on", "location"]
    list_filter = ["occurred_on"]
    search_fields = ["incident_number", "location", "summary"]
    date_hierarchy = "occurred_on"
    inlines = [ParticipantInline]


@admin.register(m.GVISMeeting)
class GVISMeetingAdmin(ReferenceRecords, AuditedAdmin):
    list_display = ["held_on", "created_at"]
    list_filter = ["held_on"]
    search_fields = ["partners_present", "notes"]
    filter_horizontal = ["shootings_reviewed", "groups_identified"]
    raw_id_fields = ["individuals_identified"]


class PartnerOrganizationForm(forms.ModelForm):
    service_types = forms.MultipleChoiceField(
        choices=Area.choices, required=False, widget=forms.CheckboxSelectMultiple, help_text="The referrals it takes."
    )

    class Meta:
        model = m.PartnerOrganization
        fields = ["name", "contact", "active", "service_types"]


class PartnerContactInline(admin.TabularInline):
    model = m.PartnerContact
    extra = 1


@admin.register(m.PartnerOrganization)
class PartnerOrganizationAdmin(AuditedAdmin):
    """Partners and their contacts are reference data the Administrator keeps; who is referred to them is behind
    the services wall (candidates/aftercare), never here."""

    form = PartnerOrganizationForm
    inlines = [PartnerContactInline]
    list_display = ["name", "contact", "active"]
    list_filter = ["active"]
    search_fields = ["name", "contact"]


class BehindTheWall(SelectorScopedAdminMixin, AuditedAdmin):
    """Issue 19: needs, referrals, consent, case notes and assignments, scoped by the wall's selectors (registered
    in `vip.scopes` by CandidatesConfig): nobody who signs in to the admin (the Administrator) reads one. No
    search and no filters: they would answer questions about the contents."""

    raw_id_fields = ["candidate"]


for _model in (m.Need, m.PartnerReferral, m.Consent, m.CaseNote, m.NavigatorAssignment):
    admin.site.register(_model, BehindTheWall)


@admin.register(m.ServiceOffer)
class ServiceOfferAdmin(OfVisibleCandidates, AuditedAdmin):
    list_display = ["candidate", "service_type", "status", "partner", "offered_on"]
    list_filter = ["service_type", "status", "partner"]
    search_fields = ["candidate__last_name", "candidate__first_name", "detail", "notes"]
    raw_id_fields = ["candidate", "delivery"]


@admin.register(m.OutcomeEvent)
class OutcomeEventAdmin(OfVisibleCandidates, AuditedAdmin):
    list_display = ["candidate", "kind", "category", "occurred_on", "source_reference"]
    list_filter = ["kind", "category", "occurred_on"]
    search_fields = ["candidate__last_name", "candidate__first_name", "source_reference"]
    readonly_fields = ["recorded_by", "recorded_at"]
    raw_id_fields = ["candidate"]

    def save_model(self, request, obj, form, change):
        if not change:
            obj.recorded_by = request.user
        super().save_model(request, obj, form, change)


class ReadOnlyAdmin(admin.ModelAdmin):
    """Made only by their services (candidates.merging): read here, never added, changed or deleted."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(m.CandidateMerge)
class CandidateMergeAdmin(SelectorScopedAdminMixin, ReadOnlyAdmin):
    access_via = "survivor"
    list_display = ["id", "merged", "survivor", "status", "proposed_by", "decided_by", "decided_at"]
    list_filter = ["status"]


@admin.register(m.DuplicatePair)
class DuplicatePairAdmin(SelectorScopedAdminMixin, ReadOnlyAdmin):
    access_via = "first"
    list_display = ["id", "first", "second", "name_similarity", "matched_on", "dismissed_at"]
