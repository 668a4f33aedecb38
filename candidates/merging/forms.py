"""The forms of the merge pages: they parse what was typed and show it back with the errors; the rules are the
services' (candidates.merging.services)."""

from __future__ import annotations

from django import forms

THIS, OTHER = "this", "other"


class ProposeForm(forms.Form):
    other = forms.IntegerField(
        label="The other record's number",
        min_value=1,
        help_text="The number in the address of the other record's page (/candidates/<number>/).",
    )
    keep = forms.ChoiceField(
        label="Which record stays",
        choices=[(THIS, "This record stays; the other is merged into it"), (OTHER, "The other record stays")],
        widget=forms.RadioSelect,
        initial=THIS,
    )
    reason = forms.CharField(label="Why they are one person", widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)


class RefuseForm(forms.Form):
    reason = forms.CharField(
        label="Why the merge is refused", widget=forms.Textarea(attrs={"rows": 2}), max_length=2000
    )


class ApproveForm(forms.Form):
    note = forms.CharField(label="Note (optional)", required=False, max_length=2000)
