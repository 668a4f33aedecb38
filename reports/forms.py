"""Forms of the reports pages. They only collect and clean input: the rules live in reports/services.py."""

from __future__ import annotations

from django import forms
from django.contrib.auth.models import User

from candidates.models import OutcomeEvent, PartnerOrganization, ServiceOffer
from candidates.selectors import candidates_visible_to
from notifications.selectors import deliveries_visible_to
from vip import roles

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def staff_who_offer_services():
    return (
        User.objects.filter(
            is_active=True, groups__name__in=[roles.SOCIAL_SERVICES, roles.LE_LEAD, roles.PROGRAM_MANAGER]
        )
        .distinct()
        .order_by("last_name", "first_name", "username")
    )


class StaffChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.get_full_name() or obj.username


class ServiceOfferForm(forms.ModelForm):
    # Who made the offer is the signed-in user, set by the service (issue 17): shown, never chosen. A social
    # worker does not record an offer made by a colleague; the colleague records it, so the trail names who acted.
    offered_by = StaffChoiceField(
        queryset=User.objects.none(),
        label="Offered by",
        required=False,
        disabled=True,
        help_text="You, when you record the offer: each person records the offers they make.",
    )

    class Meta:
        model = ServiceOffer
        fields = [
            "service_type",
            "detail",
            "partner",
            "offered_by",
            "offered_on",
            "status",
            "status_changed_on",
            "delivery",
            "notes",
        ]
        labels = {
            "service_type": "Service",
            "partner": "Partner organisation",
            "offered_on": "Offered on",
            "status_changed_on": "Date of the status (accepted, declined, referred, completed)",
            "delivery": "During CN (optional)",
        }
        help_texts = {"status_changed_on": "Left empty, today's date is used when the status changes."}
        widgets = {"offered_on": DATE, "status_changed_on": DATE, "notes": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, user, candidate, **kwargs):
        super().__init__(*args, **kwargs)
        partners = PartnerOrganization.objects.filter(active=True)
        if self.instance.partner_id:
            partners = PartnerOrganization.objects.filter(pk=self.instance.partner_id) | partners
        self.fields["partner"].queryset = partners.distinct()
        author = self.instance.offered_by_id if self.instance.pk else user.pk
        self.fields["offered_by"].queryset = User.objects.filter(pk=author)
        self.initial["offered_by"] = author
        self.fields["delivery"].queryset = deliveries_visible_to(user).filter(candidate=candidate)
        self.fields["delivery"].required = False

    def clean(self):
        cleaned = super().clean()
        cleaned.pop("offered_by", None)  # display only: the service sets it
        return cleaned


class ServiceFilterForm(forms.Form):
    service_type = forms.ChoiceField(label="Service", required=False, choices=[("", "Any")] + ServiceOffer.Type.choices)
    status = forms.ChoiceField(label="Status", required=False, choices=[("", "Any")] + ServiceOffer.Status.choices)
    partner = forms.ModelChoiceField(
        label="Partner", required=False, queryset=PartnerOrganization.objects.all(), empty_label="Any"
    )
    start = forms.DateField(label="Offered from", required=False, widget=DATE)
    end = forms.DateField(label="Offered to", required=False, widget=DATE)
    candidate = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def filter(self, qs):
        data = self.cleaned_data
        if data.get("service_type"):
            qs = qs.filter(service_type=data["service_type"])
        if data.get("status"):
            qs = qs.filter(status=data["status"])
        if data.get("partner"):
            qs = qs.filter(partner=data["partner"])
        if data.get("start"):
            qs = qs.filter(offered_on__gte=data["start"])
        if data.get("end"):
            qs = qs.filter(offered_on__lte=data["end"])
        if data.get("candidate"):
            qs = qs.filter(candidate_id=data["candidate"])
        return qs


class OutcomeEventForm(forms.ModelForm):
    class Meta:
        model = OutcomeEvent
        fields = ["candidate", "kind", "category", "occurred_on", "source_reference", "notes"]
        labels = {"occurred_on": "Date", "kind": "What happened", "category": "Category of the offence"}
        help_texts = {"category": "Needed for a new arrest or offence."}
        widgets = {"occurred_on": DATE, "notes": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        # Outcomes follow a CN: offer the people who had one.
        self.fields["candidate"].queryset = (
            candidates_visible_to(user).filter(deliveries__isnull=False).distinct().order_by("last_name", "first_name")
        )


class OutcomeFilterForm(forms.Form):
    kind = forms.ChoiceField(label="What happened", required=False, choices=[("", "Any")] + OutcomeEvent.Kind.choices)
    category = forms.ChoiceField(
        label="Category", required=False, choices=[("", "Any")] + OutcomeEvent.Category.choices
    )
    start = forms.DateField(label="From", required=False, widget=DATE)
    end = forms.DateField(label="To", required=False, widget=DATE)
    candidate = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def filter(self, qs):
        data = self.cleaned_data
        if data.get("kind"):
            qs = qs.filter(kind=data["kind"])
        if data.get("category"):
            qs = qs.filter(category=data["category"])
        if data.get("start"):
            qs = qs.filter(occurred_on__gte=data["start"])
        if data.get("end"):
            qs = qs.filter(occurred_on__lte=data["end"])
        if data.get("candidate"):
            qs = qs.filter(candidate_id=data["candidate"])
        return qs


class ExportForm(forms.Form):
    reason = forms.CharField(
        label="Why do you need this export?",
        min_length=10,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Recorded in the audit trail with the export (CJIS AU-2). For example: “Quarterly report to the Chief”.",
        error_messages={
            "required": "Give the reason for the export: it is recorded in the audit trail.",
            "min_length": "Say a little more about why (at least 10 characters): it is recorded in the audit trail.",
        },
    )
