"""Forms of the candidate pages. They parse what was typed and show it back with the errors; the rules are the
models' and the services' (a form's own check and the service's are the same `full_clean`)."""

from __future__ import annotations

import html

from django import forms
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.forms.utils import flatatt
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from candidates import models as m
from candidates import sealing
from candidates.photos import photo_problem

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class QuickSelect(forms.Select):
    """A <select> with the markup of Django's, written in Python instead of a template render per option: the
    list's group filter offers every group (400 at a city's scale), which took 15 ms of each request. Escaped
    with the standard library's html.escape, which Django's escape calls after a check for lazy text, in one
    pass over the options: the same markup in 0.6 ms of CPU rather than 1.5."""

    def render(self, name, value, attrs=None, renderer=None):
        choices = list(iter(self.choices))  # iter(): list() would first ask a model choice iterator to COUNT
        selected = set(self.format_value(value))
        options = []
        for option_value, label in choices:
            if isinstance(label, list | tuple):
                return super().render(name, value, attrs, renderer)  # option groups: Django's templates
            option_value = "" if option_value is None else str(option_value)
            chosen = option_value in selected
            selected.discard(option_value)  # as Django's: a single select marks the first match only
            shown = label.__html__() if hasattr(label, "__html__") else html.escape(str(label))  # conditional_escape
            options.append(
                f'<option value="{html.escape(option_value)}"{" selected" if chosen else ""}>{shown}</option>'
            )
        final_attrs = self.build_attrs(self.attrs, attrs)
        opening = format_html('<select name="{}"{}>', name, flatatt(final_attrs))
        return mark_safe("\n".join([opening, *options, "</select>"]))  # noqa: S308 - values and labels escaped


def date_widgets(*names: str) -> dict:
    return dict.fromkeys(names, DATE)


class CandidateForm(forms.ModelForm):
    class Meta:
        model = m.Candidate
        fields = [
            "first_name", "middle_name", "last_name", "date_of_birth", "sex", "photo", "physical_description",
            "language", "notes",
        ]  # fmt: skip
        widgets = {
            **date_widgets("date_of_birth"),
            "notes": forms.Textarea(attrs={"rows": 3}),
            "physical_description": forms.Textarea(attrs={"rows": 2}),
        }
        help_texts = {"date_of_birth": "Juvenile status is worked out from this on the date in question."}

    def clean_photo(self):
        photo = self.cleaned_data.get("photo")
        if isinstance(photo, UploadedFile):  # a new upload (a kept photo is a stored file)
            problem = photo_problem(photo)
            if problem:
                raise forms.ValidationError(problem)
        return photo


class AliasForm(forms.ModelForm):
    class Meta:
        model = m.Alias
        fields = ["name"]
        labels = {"name": "Alias"}


class AddressForm(forms.ModelForm):
    class Meta:
        model = m.Address
        fields = ["line1", "line2", "city", "state", "postal_code", "valid_from", "valid_to"]
        widgets = date_widgets("valid_from", "valid_to")
        labels = {
            "line1": "Address line 1",
            "line2": "Address line 2",
            "postal_code": "ZIP code",
            "valid_from": "Lived there from",
            "valid_to": "Until",
        }


class PhoneForm(forms.ModelForm):
    class Meta:
        model = m.Phone
        fields = ["number", "label", "valid_from", "valid_to"]
        widgets = date_widgets("valid_from", "valid_to")
        labels = {"number": "Phone number", "label": "Which phone", "valid_from": "In use from", "valid_to": "Until"}
        help_texts = {"label": "For example mobile, home or work."}


class RowsFormSet(forms.BaseInlineFormSet):
    """The rows of a person's record on one form (aliases, addresses, phones): each row is "Alias 1", "Alias 2"
    rather than the formset's words, and its box to drop it reads "Remove this alias"."""

    row_noun = ""

    def add_fields(self, form, index):
        super().add_fields(form, index)
        if "DELETE" in form.fields:
            form.fields["DELETE"].label = f"Remove this {self.row_noun.lower()}" if self.row_noun else "Remove"


def _formset(model, form, extra, noun: str, base=RowsFormSet):
    formset = forms.inlineformset_factory(m.Candidate, model, form=form, formset=base, extra=extra, can_delete=True)
    formset.row_noun = noun
    return formset


AliasFormSet = _formset(m.Alias, AliasForm, 2, "Alias")
AddressFormSet = _formset(m.Address, AddressForm, 1, "Address")
PhoneFormSet = _formset(m.Phone, PhoneForm, 1, "Phone")


def formset_rows(formset) -> list[dict]:
    """What the formset asks to keep, as rows for the service (existing rows carry their id)."""
    rows = []
    for form in formset.forms:
        if not form.has_changed() and not form.instance.pk:
            continue
        if formset.can_delete and form.cleaned_data.get("DELETE", False):  # as BaseFormSet reads the box
            continue
        row = {k: v for k, v in form.cleaned_data.items() if k not in ("id", "candidate", "DELETE")}
        if form.instance.pk:
            row["id"] = form.instance.pk
        rows.append(row)
    return rows


class InfluencerForm(forms.ModelForm):
    class Meta:
        model = m.Influencer
        fields = ["name", "relationship", "relationship_detail", "is_legal_guardian", "phone", "address", "notes"]
        widgets = {"notes": forms.Textarea(attrs={"rows": 2})}


class ReferralForm(forms.ModelForm):
    add_basis = forms.BooleanField(
        label="Also record this referral as an eligibility basis", required=False, initial=True
    )

    class Meta:
        model = m.Referral
        fields = ["source", "referred_by", "referred_on", "reason"]
        widgets = {**date_widgets("referred_on"), "reason": forms.Textarea(attrs={"rows": 3})}


class BasisForm(forms.ModelForm):
    class Meta:
        model = m.EligibilityBasis
        fields = ["kind", *m.EligibilityBasis.EVIDENCE_FIELDS]
        widgets = {"information": forms.Textarea(attrs={"rows": 3})}
        labels = {"gvis_meeting": "GVIS meeting", "link_analysis_reference": "Link-analysis reference"}
        help_texts = {
            "shooting": "For a victim, an associate or an influencer.",
            "related_person_name": "For an associate or influencer: the person involved, when not in the system.",
            "gvis_meeting": "For someone identified in GVIS (or give the link-analysis reference).",
        }

    class Media:
        js = ("candidates/basis.js",)  # shows only the chosen kind's evidence fields; without it, all are shown

    def __init__(self, *args, candidate: m.Candidate, people, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["related_person"].queryset = people.exclude(pk=candidate.pk)
        self.fields["referral"].queryset = candidate.referrals.all()
        for name in m.EligibilityBasis.EVIDENCE_FIELDS:
            kinds = [
                kind for kind in m.EligibilityBasis.Kind.values if name in m.EligibilityBasis.evidence_fields_of(kind)
            ]
            self.fields[name].widget.attrs["data-for-kinds"] = " ".join(kinds)


class MembershipForm(forms.ModelForm):
    class Meta:
        model = m.GroupMembership
        fields = ["group", "source", "gvis_meeting", "link_analysis_reference", "identified_on"]
        widgets = date_widgets("identified_on")
        labels = {"gvis_meeting": "GVIS meeting", "link_analysis_reference": "Link-analysis reference"}


class GroupForm(forms.ModelForm):
    class Meta:
        model = m.Group
        fields = ["name", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 2})}


class ShootingForm(forms.ModelForm):
    class Meta:
        model = m.Shooting
        fields = ["incident_number", "occurred_on", "location", "summary"]
        widgets = {**date_widgets("occurred_on"), "summary": forms.Textarea(attrs={"rows": 3})}
        labels = {"occurred_on": "Date", "location": "Place"}


class ParticipantForm(forms.ModelForm):
    class Meta:
        model = m.ShootingParticipant
        fields = ["role", "candidate", "name"]
        labels = {"candidate": "Person in the system", "name": "or name"}

    def __init__(self, *args, people=None, **kwargs):
        super().__init__(*args, **kwargs)
        if people is not None:
            self.fields["candidate"].queryset = people


ParticipantFormSet = forms.inlineformset_factory(
    m.Shooting, m.ShootingParticipant, form=ParticipantForm, formset=RowsFormSet, extra=3, can_delete=True
)
ParticipantFormSet.row_noun = "Person"


class GVISMeetingForm(forms.ModelForm):
    class Meta:
        model = m.GVISMeeting
        fields = list(m.GVISMeeting.RECORD_FIELDS)
        widgets = {
            **date_widgets("held_on"),
            "partners_present": forms.Textarea(attrs={"rows": 3}),
            "notes": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, people, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["individuals_identified"].queryset = people


def show_errors(form, exc: ValidationError, *, elsewhere=None) -> None:
    """Put a service's refusal next to the fields it names, the rest at the top of the form."""
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc.messages)
        return
    for field, messages in exc.message_dict.items():
        if field in form.fields:
            form.add_error(field, messages)
        elif elsewhere is not None and field in elsewhere:
            elsewhere[field].extend(messages)
        else:
            form.add_error(None, messages)


class CourtOrderForm(forms.Form):
    """The court order that seals or unseals a record (NMSA 32A-2-26): its reference and its date. The rule is
    the service's (`sealing.order_errors`), checked here too so that both mistakes show at once, as typed."""

    order_reference = forms.CharField(
        label="Court order reference",
        required=False,
        strip=True,
        help_text="The case and order number, as written on the order.",
        widget=forms.TextInput(attrs={"maxlength": sealing.REFERENCE_MAX_LENGTH, "autocomplete": "off"}),
    )
    order_date = forms.DateField(
        label="Date of the court order",
        required=False,
        widget=DATE,
        error_messages={"invalid": "Write the date of the court order as YYYY-MM-DD."},
    )

    def clean(self):
        data = super().clean()
        for field, message in sealing.order_errors(data.get("order_reference", ""), data.get("order_date")).items():
            if field not in self.errors:  # an unreadable date already says what to fix
                self.add_error(field, message)
        return data

    def full_clean(self):
        super().full_clean()
        for name in self.errors:  # the page says which field each error is about (templates/audit/seal.html)
            if name in self.fields:
                self.fields[name].widget.attrs.update({"aria-invalid": "true", "aria-describedby": f"{name}-error"})
