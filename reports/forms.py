"""Forms of the reports pages. They only collect and clean input: the rules live in reports/services.py."""

from __future__ import annotations

from django import forms
from django.contrib.auth.models import User
from django.utils import timezone

from candidates.models import OutcomeEvent, PartnerOrganization, ServiceOffer
from candidates.selectors import candidates_visible_to
from notifications.forms import StaffChoiceField
from notifications.selectors import deliveries_visible_to
from reports.filters import DATE
from reports.services import OFFER_FIELDS
from vip import roles


def staff_who_offer_services():
    return (
        User.objects.filter(
            is_active=True, groups__name__in=[roles.SOCIAL_SERVICES, roles.LE_LEAD, roles.PROGRAM_MANAGER]
        )
        .distinct()
        .order_by("last_name", "first_name", "username")
    )


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
        fields = list(OFFER_FIELDS)  # the fields the service takes, in the order of the form
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
        if not self.instance.pk:
            self.initial.setdefault("offered_on", timezone.localdate())  # most offers are recorded the day made

    def clean(self):
        cleaned = super().clean()
        cleaned.pop("offered_by", None)  # display only: the service sets it
        return cleaned


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


class EvaluationExtractForm(ExportForm):
    """The evaluation extract: the reason (audited, as for every export) and, when a combination of the
    quasi-identifiers is too small, the data-use agreement that allows it (reports/extract.py)."""

    data_use_agreement = forms.CharField(
        label="Data-use agreement reference (if one is signed)",
        required=False,
        max_length=100,
        help_text="Needed only when the privacy check finds a group of fewer than 5 people. Recorded with the extract.",
        error_messages={"max_length": "The agreement's reference is at most 100 characters: give its number."},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reason"].label = "Why is this extract made?"
        self.fields[
            "reason"
        ].help_text = (
            "Who the evaluator is and what evaluation it is for. Recorded in the audit trail with the extract."
        )
