"""The correction forms: the new value is typed by the field of the step that recorded it (`fields.py`)."""

from __future__ import annotations

from django import forms

from notifications.corrections.fields import CorrectableField


class CorrectionForm(forms.Form):
    field = forms.CharField(widget=forms.HiddenInput)
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        label="Why the record must be corrected",
        help_text="The Program Manager reads this before approving; it is kept in the audit trail.",
    )

    def __init__(self, *args, correctable: CorrectableField, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["new_value"] = correctable.form_field()
        self.order_fields(["field", "new_value", "reason"])

    def service_kwargs(self) -> dict:
        return dict(self.cleaned_data)


class ApproveForm(forms.Form):
    note = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 1}), label="Note (optional)", max_length=2000
    )


class RefuseForm(forms.Form):
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 1}), label="Why refused", max_length=2000)
