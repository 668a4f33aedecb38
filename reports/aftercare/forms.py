"""Forms of the aftercare pages: they collect and clean input; the rules are candidates/aftercare/services.py."""

from __future__ import annotations

from django import forms
from django.contrib.auth.models import User

from candidates.aftercare.kinds import Area
from candidates.aftercare.models import CaseNote, Consent, Need, PartnerReferral
from candidates.models import PartnerOrganization
from reports.filters import DATE
from vip import roles


class NeedForm(forms.Form):
    area = forms.ChoiceField(label="Need", choices=Area.choices)
    status = forms.ChoiceField(label="Where it stands", choices=Need.Status.choices)
    status_changed_on = forms.DateField(
        label="Date of the change", required=False, widget=DATE, help_text="Left empty: today, if the status changed."
    )
    detail = forms.CharField(label="What you learned", required=False, widget=forms.Textarea(attrs={"rows": 2}))


class PartnerChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        taken = ", ".join(Area(a).label.lower() for a in obj.service_types)
        return f"{obj.name} ({taken})" if taken else obj.name


class ReferralForm(forms.Form):
    partner = PartnerChoiceField(label="Partner organisation", queryset=PartnerOrganization.objects.none())
    area = forms.ChoiceField(label="Need or service", choices=Area.choices)
    referred_on = forms.DateField(label="Referred on", required=False, widget=DATE, help_text="Left empty: today.")
    follow_up_due = forms.DateField(
        label="Follow up by", required=False, widget=DATE, help_text="Left empty: two weeks after the referral."
    )
    detail = forms.CharField(
        label="What is shared with the partner", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["partner"].queryset = PartnerOrganization.objects.filter(active=True)


class ReferralResultForm(forms.Form):
    result = forms.ChoiceField(label="Result", choices=PartnerReferral.Result.choices)
    result_on = forms.DateField(label="Date of the result", required=False, widget=DATE)
    follow_up_due = forms.DateField(label="Next follow-up", required=False, widget=DATE)


class ConsentForm(forms.ModelForm):
    class Meta:
        model = Consent
        fields = ["purpose", "partner", "part2", "decision", "decided_on", "method", "witness", "expires_on"]
        labels = {"decided_on": "Date", "decision": "The person's answer", "method": "How"}
        widgets = {"decided_on": DATE, "expires_on": DATE}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["partner"].queryset = PartnerOrganization.objects.filter(active=True)
        self.fields["decided_on"].required = False
        self.fields["decided_on"].help_text = "Left empty: today."


class CaseNoteForm(forms.ModelForm):
    class Meta:
        model = CaseNote
        fields = ["text", "part2"]
        labels = {"text": "Case note"}
        widgets = {"text": forms.Textarea(attrs={"rows": 3})}
        error_messages = {"text": {"required": "Write the note before saving it."}}


class AssignForm(forms.Form):
    navigator = forms.ModelChoiceField(label="Navigator", queryset=User.objects.none())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["navigator"].queryset = User.objects.filter(
            is_active=True, groups__name=roles.SOCIAL_SERVICES
        ).order_by("last_name", "first_name", "username")
