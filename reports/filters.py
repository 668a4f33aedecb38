"""The filters of the services and outcomes lists, shared by their pages and their CSV exports (django-filter:
each filter is declared once with its label, instead of a form field plus a hand-written `if` per field)."""

from __future__ import annotations

import django_filters as df
from django import forms

from candidates.models import OutcomeEvent, PartnerOrganization, ServiceOffer

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _candidate():
    """The person a list is opened for (from their page): a hidden field."""
    return df.NumberFilter(field_name="candidate_id", widget=forms.HiddenInput)


class ServiceFilter(df.FilterSet):
    service_type = df.ChoiceFilter(label="Service", choices=ServiceOffer.Type.choices, empty_label="Any")
    status = df.ChoiceFilter(label="Status", choices=ServiceOffer.Status.choices, empty_label="Any")
    partner = df.ModelChoiceFilter(label="Partner", queryset=PartnerOrganization.objects.all(), empty_label="Any")
    start = df.DateFilter(field_name="offered_on", lookup_expr="gte", label="Offered from", widget=DATE)
    end = df.DateFilter(field_name="offered_on", lookup_expr="lte", label="Offered to", widget=DATE)
    candidate = _candidate()


class OutcomeFilter(df.FilterSet):
    kind = df.ChoiceFilter(label="What happened", choices=OutcomeEvent.Kind.choices, empty_label="Any")
    category = df.ChoiceFilter(label="Category", choices=OutcomeEvent.Category.choices, empty_label="Any")
    start = df.DateFilter(field_name="occurred_on", lookup_expr="gte", label="From", widget=DATE)
    end = df.DateFilter(field_name="occurred_on", lookup_expr="lte", label="To", widget=DATE)
    candidate = _candidate()


def filtered(filterset_class: type[df.FilterSet], params, queryset, *, when_invalid=None):
    """`queryset` narrowed by `params`; filters that do not validate give `when_invalid` (default: nothing)."""
    filterset = filterset_class(params or None, queryset=queryset)
    if not filterset.is_bound:
        return filterset, queryset
    if not filterset.is_valid():
        return filterset, queryset.none() if when_invalid is None else when_invalid
    return filterset, filterset.qs
