"""Filters for the candidate list page and the API (django-filter). Ages are computed on today's date."""

from __future__ import annotations

import copy
import hashlib

import django_filters

from candidates import models as m
from candidates.forms import QuickSelect
from candidates.selectors import AGE_BANDS, search_candidates
from vip.kept import kept_for_everyone


class _NameChoices(django_filters.fields.ModelChoiceIterator):
    """(id, name) pairs read as such: making 400 groups into instances only to print their names took 3 ms.
    The pairs are kept under the data's version (`kept_for_everyone`): every search page shows them all."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        queryset = self.queryset
        yield from kept_for_everyone(
            f"choices-{queryset.model._meta.label_lower}", lambda: list(queryset.values_list("pk", "name"))
        )


class _NamedChoiceField(django_filters.fields.ModelChoiceField):
    iterator = _NameChoices


class KeptSelect(QuickSelect):
    """A <select> of a long list of rows (400 groups), kept rendered for everyone under the data's version
    (`kept_for_everyone`), once for no choice and once for each row chosen: writing its options took a
    millisecond of each search."""

    def render(self, name, value, attrs=None, renderer=None):
        chosen = [v for v in self.format_value(value) if v != ""]  # Django writes no choice as [""]
        if not all(str(v).isdigit() for v in chosen):  # only keys the list can hold; anything else as typed
            return super().render(name, value, attrs, renderer)
        shape = hashlib.sha256(repr(sorted((attrs or {}).items())).encode()).hexdigest()[:16]  # the id, say
        key = f"select-{name}-{'-'.join(map(str, chosen)) or 'none'}-{shape}"
        return kept_for_everyone(key, lambda: super(KeptSelect, self).render(name, value, attrs, renderer))


class NamedModelChoiceFilter(django_filters.ModelChoiceFilter):
    """A choice of rows shown by their `name` (what their __str__ gives), for a long list such as groups."""

    field_class = _NamedChoiceField


class FormMadeOnce(django_filters.FilterSet):
    """A FilterSet whose form class is made once, from the class's filters, rather than on every request:
    django-filter makes a new class with `type()` and a new field for each filter each time (a millisecond of
    each search, issue #9). Only for filters whose fields do not depend on the request (no callable
    queryset), as a class-level form cannot see it."""

    @classmethod
    def _form_class(cls):
        if "_made_form_class" not in cls.__dict__:  # each subclass its own
            # From copies: a filter keeps the field it made, and the class's filters are copied for every search.
            fields = {name: copy.deepcopy(filter_).field for name, filter_ in cls.base_filters.items()}
            cls._made_form_class = type(f"{cls.__name__}Form", (cls._meta.form,), fields)
        return cls._made_form_class

    def get_form_class(self):
        return self._form_class()

    @classmethod
    def add_filter(cls, name: str, filter_: django_filters.Filter, *, after: str | None = None) -> None:
        """A filter another app adds, at start-up (candidates.extensions): put after the filter `after` in the
        form, the page and the API's parameters, as if it were declared there."""
        if filter_.field_name is None:
            filter_.field_name = name
        items = [(n, f) for n, f in cls.base_filters.items() if n != name]
        at = [n for n, _ in items].index(after) + 1 if after else len(items)
        items.insert(at, (name, filter_))
        cls.base_filters = type(cls.base_filters)(items)
        if "_made_form_class" in cls.__dict__:
            del cls._made_form_class  # made again, with the new filter


class CandidateFilter(FormMadeOnce):
    q = django_filters.CharFilter(label="Name or alias", method="filter_q")
    age_band = django_filters.ChoiceFilter(
        label="Age",
        choices=[(k, v[0]) for k, v in AGE_BANDS.items()],
        method="filter_age_band",
        empty_label="Any",
        widget=QuickSelect,
    )
    juvenile = django_filters.ChoiceFilter(
        label="Juvenile or adult",
        choices=[("juvenile", "Juvenile (17 or younger)"), ("adult", "Adult")],
        method="filter_juvenile",
        empty_label="Both",
        widget=QuickSelect,
    )
    group = NamedModelChoiceFilter(
        label="Group",
        queryset=m.Group.objects.all(),
        field_name="memberships__group",
        distinct=True,
        empty_label="Any",
        widget=KeptSelect,
    )
    sex = django_filters.ChoiceFilter(choices=m.Candidate.Sex.choices, widget=QuickSelect)

    class Meta:
        model = m.Candidate
        fields = ["q", "age_band", "juvenile", "group", "sex"]  # and "cn_state", after "group" (notifications)

    def filter_q(self, qs, name, value):
        return search_candidates(qs, value)

    def filter_age_band(self, qs, name, value):
        _, youngest, oldest = AGE_BANDS[value]
        return qs.aged_between(youngest, oldest)

    def filter_juvenile(self, qs, name, value):
        return qs.juveniles() if value == "juvenile" else qs.adults()


class SealedFilter(django_filters.FilterSet):
    """The Records Custodian's filter of the candidate list, whose list alone holds sealed records
    (NMSA 32A-2-26). Not part of `CandidateFilter`: no one else is ever offered it, on a page or in the API."""

    sealed = django_filters.ChoiceFilter(
        label="Sealed",
        choices=[("sealed", "Sealed"), ("unsealed", "Not sealed")],
        method="filter_sealed",
        empty_label="All",
        widget=QuickSelect,
    )

    class Meta:
        model = m.Candidate
        fields = ["sealed"]

    def filter_sealed(self, qs, name, value):
        return qs.sealed() if value == "sealed" else qs.unsealed()


class InfluencerFilter(django_filters.FilterSet):
    class Meta:
        model = m.Influencer
        fields = ["candidate", "relationship", "is_legal_guardian"]


class ReferralFilter(django_filters.FilterSet):
    referred_after = django_filters.DateFilter(field_name="referred_on", lookup_expr="gte")
    referred_before = django_filters.DateFilter(field_name="referred_on", lookup_expr="lte")

    class Meta:
        model = m.Referral
        fields = ["candidate", "source"]


class EligibilityBasisFilter(django_filters.FilterSet):
    class Meta:
        model = m.EligibilityBasis
        fields = ["candidate", "kind", "shooting", "gvis_meeting"]


class MembershipFilter(django_filters.FilterSet):
    class Meta:
        model = m.GroupMembership
        fields = ["candidate", "group", "source"]


class GroupFilter(django_filters.FilterSet):
    name = django_filters.CharFilter(lookup_expr="icontains")

    class Meta:
        model = m.Group
        fields = ["name"]


class ShootingFilter(django_filters.FilterSet):
    occurred_after = django_filters.DateFilter(field_name="occurred_on", lookup_expr="gte")
    occurred_before = django_filters.DateFilter(field_name="occurred_on", lookup_expr="lte")
    incident_number = django_filters.CharFilter(lookup_expr="icontains")
    participant = django_filters.NumberFilter(field_name="participants__candidate", distinct=True)

    class Meta:
        model = m.Shooting
        fields = ["incident_number"]


class GVISMeetingFilter(django_filters.FilterSet):
    held_after = django_filters.DateFilter(field_name="held_on", lookup_expr="gte")
    held_before = django_filters.DateFilter(field_name="held_on", lookup_expr="lte")
    shooting = django_filters.NumberFilter(field_name="shootings_reviewed", distinct=True)
    group = django_filters.NumberFilter(field_name="groups_identified", distinct=True)

    class Meta:
        model = m.GVISMeeting
        fields = ["held_on"]
