"""The weekly review's forms: they parse what was typed and show it back with the errors beside each field; the
rules are the services'."""

from __future__ import annotations

from django import forms
from django.contrib.auth.models import User

from candidates.models import EligibilityBasis, GVISIdentification
from candidates.models import Group as VIPGroup
from vip import roles


def _staff():
    return (
        User.objects.filter(is_active=True, groups__name__in=roles.RECORD_ROLES)
        .distinct()
        .order_by("last_name", "first_name")
    )


class StaffChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.get_full_name() or obj.username


class AttendeeForm(forms.Form):
    staff = StaffChoice(
        queryset=User.objects.none(), required=False, label="Staff member", empty_label="Pick a staff member"
    )
    name = forms.CharField(max_length=150, required=False, label="Or a partner's name")
    agency = forms.CharField(max_length=150, required=False, label="Their agency")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, prefix="attendee", **kwargs)
        self.fields["staff"].queryset = _staff()

    def clean(self):
        data = super().clean()
        if not data.get("staff") and not (data.get("name") or "").strip():
            self.add_error("staff", "Pick a staff member, or type a partner's name and agency below.")
        elif not data.get("staff") and not (data.get("agency") or "").strip():
            self.add_error("agency", "Say which agency the partner is from.")
        return data


class IdentifyForm(forms.Form):
    candidate = forms.TypedChoiceField(coerce=int, required=False, label="A person on this agenda")
    candidate_number = forms.IntegerField(
        required=False, min_value=1, label="Or the candidate's number", help_text="As on their page: /candidates/123/"
    )
    kind = forms.ChoiceField(choices=[("", "Pick one"), *EligibilityBasis.Kind.choices], label="SOP basis")
    evidence = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), label="What the meeting saw (evidence)")

    def __init__(self, *args, people, visible, **kwargs):
        super().__init__(*args, prefix="identify", **kwargs)
        self.visible = visible
        self.fields["candidate"].choices = [("", "Pick a person"), *((p.pk, str(p)) for p in people)]

    def clean(self):
        data = super().clean()
        pk = data.get("candidate_number") or data.get("candidate")
        if not pk:
            if "candidate_number" not in self.errors:
                self.add_error("candidate", "Pick the person, or type their candidate number.")
            return data
        data["person"] = self.visible.filter(pk=pk).first()
        if data["person"] is None:
            self.add_error("candidate_number", f"There is no candidate number {pk}: check it on their page.")
        return data


class GroupIdentifyForm(forms.Form):
    group = forms.ModelChoiceField(queryset=VIPGroup.objects.all(), label="Group", empty_label="Pick a group")
    evidence = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), label="Evidence on the group")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, prefix="group", **kwargs)


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        choices=GVISIdentification.Decision.choices, widget=forms.RadioSelect, label="Decision"
    )
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        label="Reason",
        help_text="Required when not eligible.",
    )

    def __init__(self, *args, identification, **kwargs):
        super().__init__(*args, prefix=f"decide-{identification.pk}", **kwargs)
        self.identification = identification
