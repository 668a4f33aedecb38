"""The tablet's forms: few fields, big controls, each carrying a fresh idempotency key.

The forms only parse what was typed. Whether a step may be recorded is the services' and the guards'
business (notifications/services.py, notifications/guards.py); their reasons come back as form errors.
"""

from __future__ import annotations

import uuid

from django import forms
from django.utils import timezone

from candidates.models import ServiceOffer
from vip import idempotency

YES_NO = [("yes", "Yes, the team stayed"), ("no", "No, it was not feasible")]


class TabletForm(forms.Form):
    """Every tablet form: a hidden idempotency key, new at each render, so a retry is applied once."""

    idempotency_key = forms.CharField(widget=forms.HiddenInput, max_length=idempotency.KEY_MAX_LENGTH)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {})
        kwargs["initial"].setdefault("idempotency_key", str(uuid.uuid4()))
        super().__init__(*args, **kwargs)

    def mark_invalid(self) -> None:
        """Tie each field's error to the field for screen readers (templates/tablet/_field.html ids)."""
        for name in self.errors:
            if name in self.fields:
                attrs = self.fields[name].widget.attrs
                attrs["aria-invalid"] = "true"
                auto_id = self[name].auto_id
                help_id = f" {auto_id}_helptext" if self.fields[name].help_text else ""
                attrs["aria-describedby"] = f"{auto_id}_error{help_id}"


class AdviseEccForm(TabletForm):
    ecc_reference = forms.CharField(
        label="ECC reference", max_length=50, required=False, help_text="The reference ECC gave you, if any."
    )
    advised_at = forms.DateTimeField(
        label="Time ECC was advised",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"],
    )
    location = forms.CharField(label="Location given to ECC", max_length=200, required=False)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {})
        kwargs["initial"].setdefault("advised_at", timezone.localtime().replace(second=0, microsecond=0))
        super().__init__(*args, **kwargs)


class _InfluencerChoiceForm(TabletForm):
    def __init__(self, *args, influencers=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.influencers = {str(i.pk): i for i in influencers}
        for name in self.influencer_fields:
            self.fields[name].choices = [("", "Choose a person")] + [(str(i.pk), str(i)) for i in influencers]

    influencer_fields: tuple[str, ...] = ()

    def influencer(self, name: str):
        return self.influencers.get(self.cleaned_data.get(name) or "")


class DeliveredForm(_InfluencerChoiceForm):
    """SOP 2-64-4 C.1.b-c; for a juvenile SOP 2-64-5 B.1.f (a parent or guardian present)."""

    influencer_fields = ("guardian_influencer",)
    field_order = ["guardian_influencer"]

    letter_presented = forms.BooleanField(label="Letter presented", required=False)
    gvi_message_delivered = forms.BooleanField(label="GVI message delivered", required=False)
    social_services_stayed = forms.ChoiceField(
        label="Did the team stay for the social services component?", choices=YES_NO, widget=forms.RadioSelect
    )
    social_services_not_feasible_reason = forms.CharField(
        label="If not, why was it not feasible?", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    guardian_influencer = forms.ChoiceField(label="Parent or guardian present", required=False)
    # The services the team offered at the door, and those the person accepted (SOP 2-64-4 C.1.c): kept as
    # the social services component's offers on this CN (candidates.models.ServiceOffer, its types and statuses).
    services_offered = forms.MultipleChoiceField(
        label="Offered", required=False, choices=ServiceOffer.Type.choices, widget=forms.CheckboxSelectMultiple
    )
    services_accepted = forms.MultipleChoiceField(
        label="Accepted", required=False, choices=ServiceOffer.Type.choices, widget=forms.CheckboxSelectMultiple
    )
    notes = forms.CharField(label="Note (optional)", required=False, widget=forms.Textarea(attrs={"rows": 2}))

    SERVICE_FIELDS = ("services_offered", "services_accepted")

    def __init__(self, *args, juvenile: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if not juvenile:
            del self.fields["guardian_influencer"]

    def clean(self):
        data = super().clean()
        not_offered = set(data.get("services_accepted", ())) - set(data.get("services_offered", ()))
        if not_offered:
            labels = ", ".join(str(ServiceOffer.Type(t).label) for t in sorted(not_offered))
            self.add_error(
                "services_accepted", f"Accepted but not ticked as offered: {labels}. Tick it as offered too."
            )
        return data

    def service_rows(self) -> list[tuple[str, object, object]]:
        """(service, its Offered box, its Accepted box): one row a service on the screen."""
        offered, accepted = self["services_offered"], self["services_accepted"]
        return [(label, o, a) for (_, label), o, a in zip(ServiceOffer.Type.choices, offered, accepted, strict=True)]

    def encounter_fields(self) -> dict:
        data = self.cleaned_data
        fields = {
            "letter_presented": data["letter_presented"],
            "gvi_message_delivered": data["gvi_message_delivered"],
            "social_services_stayed": data["social_services_stayed"] == "yes",
            "social_services_not_feasible_reason": data["social_services_not_feasible_reason"],
            "notes": data["notes"],
            "services_offered": data["services_offered"],
            "services_accepted": data["services_accepted"],
        }
        guardian = self.influencer("guardian_influencer") if "guardian_influencer" in self.fields else None
        if guardian is not None:
            fields.update(guardian_present=True, guardian_influencer=guardian, guardian_name=guardian.name)
        return fields


class InfluencerDeliveryForm(_InfluencerChoiceForm):
    """SOP 2-64-4 C.2: delivered to a family member, influencer or associate, and why that was warranted."""

    influencer_fields = ("recipient_influencer",)

    recipient_influencer = forms.ChoiceField(label="Who received it", required=False)
    recipient_name = forms.CharField(label="Or type who received it", max_length=150, required=False)
    recipient_relationship = forms.CharField(
        label="Their relationship to the candidate", max_length=100, required=False
    )
    recipient_reason = forms.CharField(
        label="Why delivering to them was warranted", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    letter_presented = forms.BooleanField(label="Letter presented", required=False)
    gvi_message_delivered = forms.BooleanField(label="GVI message delivered", required=False)
    notes = forms.CharField(label="Note (optional)", required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def encounter_fields(self) -> dict:
        data = self.cleaned_data
        person = self.influencer("recipient_influencer")
        return {
            "recipient_influencer": person,
            "recipient_name": data["recipient_name"].strip() or (person.name if person else ""),
            "recipient_relationship": data["recipient_relationship"]
            or (person.get_relationship_display() if person else ""),
            "recipient_reason": data["recipient_reason"],
            "letter_presented": data["letter_presented"],
            "gvi_message_delivered": data["gvi_message_delivered"],
            "notes": data["notes"],
        }


class NoteForm(TabletForm):
    """The one-tap steps (refused, not located, try again): an optional note only."""

    note = forms.CharField(label="Note (optional)", required=False, widget=forms.Textarea(attrs={"rows": 2}))


class AfterActionForm(TabletForm):
    ecc_advised_of_outcome = forms.BooleanField(label="ECC advised of the outcome", required=False)
    cad_report_number = forms.CharField(
        label="CAD report number", max_length=30, required=False, help_text="For example CAD-2026-001234."
    )
    notes = forms.CharField(label="Note (optional)", required=False, widget=forms.Textarea(attrs={"rows": 2}))


# Which form field shows a guard's reason when the service refuses the step.
FIELD_FOR_GUARD = {
    "letter_presented_where_drafted": "letter_presented",
    "gvi_message_delivered": "gvi_message_delivered",
    "social_services_stayed_or_why_not": "social_services_stayed",
    "guardian_present_for_juvenile": "guardian_influencer",
    "recipient_named": "recipient_influencer",
    "recipient_influencer": "recipient_influencer",
    "recipient_warranted": "recipient_reason",
    "ecc_advised_of_outcome": "ecc_advised_of_outcome",
    "cad_report_number_valid": "cad_report_number",
}
