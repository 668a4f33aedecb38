"""The correctable fields as the rulebook declares them (`rules.CORRECTABLE`): how each is found on a CN, typed
and checked, and written as text in a correction and in the trail."""

from __future__ import annotations

import copy
import datetime as dt
from dataclasses import dataclass

from django import forms
from django.apps import apps
from django.db import models
from django.utils import timezone

from notifications import forms as f
from notifications import guards, rules, steps
from vip.errors import DomainError


@dataclass(frozen=True)
class CorrectableField:
    record: rules.Correctable
    name: str

    @property
    def key(self) -> str:
        """How a correction names it: "after_action.cad_report_number"."""
        return f"{self.record.key}.{self.name}"

    @property
    def model(self) -> type[models.Model]:
        return apps.get_model(self.record.model)

    @property
    def model_field(self) -> models.Field:
        return self.model._meta.get_field(self.name)

    @property
    def field_label(self) -> str:
        step_field = self._step_form_field()
        return (step_field.label if step_field is not None and step_field.label else "") or str(
            self.model_field.verbose_name
        ).capitalize()

    @property
    def label(self) -> str:
        return f"{self.record.title}: {self.field_label}"

    def _step_form_field(self) -> forms.Field | None:
        step = steps.PREPARATION_STEPS.get(self.record.step) or steps.TRANSITIONS.get(self.record.step)
        return step.form.base_fields.get(self.name) if step is not None and step.form else None

    def form_field(self) -> forms.Field:
        """The field the step's own page form types it with (its widget, its length, its parsing), else the
        model's; required unless the rulebook lets a correction empty it."""
        form_field = self._step_form_field()
        if form_field is not None:
            form_field = copy.deepcopy(form_field)
        elif isinstance(self.model_field, models.DateTimeField):
            form_field = forms.DateTimeField(widget=f.DateTimeInput)
        elif isinstance(self.model_field, models.DateField):
            form_field = forms.DateField(widget=f.DateInput)
        else:
            form_field = self.model_field.formfield()
        form_field.required = self.name not in self.record.optional
        form_field.label = f"{self.field_label} (corrected)"
        return form_field

    def clean(self, value):
        """The typed value as the field holds it; a refusal says what to fix."""
        try:
            return self.form_field().clean(value)
        except forms.ValidationError as exc:
            raise DomainError(
                f"{self.label}: " + " ".join(exc.messages), reasons={"new_value": " ".join(exc.messages)}
            ) from None

    def record_of(self, delivery, *, lock: bool = False):
        """The record on this CN (the CN itself for the CN's own fields), or None when it has none."""
        if self.model is type(delivery):
            return delivery
        records = self.model.objects.filter(delivery=delivery)
        return (records.select_for_update() if lock else records).first()

    def guards(self) -> list:
        return [getattr(guards, name) for name in self.record.guards]


FIELDS: dict[str, CorrectableField] = {
    field.key: field for record in rules.CORRECTABLE for field in (CorrectableField(record, n) for n in record.fields)
}


def correctable_field(key: str) -> CorrectableField:
    field = FIELDS.get(key)
    if field is None:
        raise DomainError(
            f"'{key}' is not something a correction may change. A correction changes one of: "
            + "; ".join(f.label for f in FIELDS.values())
            + ".",
            reasons={"field": "Pick one of the correctable fields."},
        )
    return field


def value_text(value) -> str:
    """A value as a correction and its audit row keep it, and as its field reads it back."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def frozen_fields(delivery) -> list[tuple[CorrectableField, str]]:
    """The fields of this CN's frozen records, each with its value now: what the LE Lead may propose to correct."""
    found = []
    records = {}
    for field in FIELDS.values():
        if field.record.key not in records:
            record = field.record_of(delivery)
            records[field.record.key] = (
                record if record is not None and field.record.is_frozen(record, delivery) else None
            )
        record = records[field.record.key]
        if record is not None:
            found.append((field, value_text(getattr(record, field.name))))
    return found
