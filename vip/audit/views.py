"""The audit viewer and its CSV export.

Thin views: access by a named helper (`may_read_audit`); what a user may read of the trail is
`audit_events_visible_to`. Sealing on a court order and the intelligence review queue, under the same
/audit/ address, are the candidates' pages (candidates/records_views.py).
"""

from __future__ import annotations

import datetime as dt
from functools import cache
from urllib.parse import urlencode

import django_filters as df
from django import forms
from django.apps import apps
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from vip import roles, scopes
from vip.audit import audit_events_visible_to, reads
from vip.errors import DomainError
from vip.exports import audit_export, csv_response, require_export_reason
from vip.models import AuditEvent
from vip.paging import UncountedPaginator
from vip.replica import reads_replica

# The list is not counted (the trail holds tens of millions of rows: docs/access-and-audit.md); a page shows
# which events it holds and links the newer and older pages.
PAGE_SIZE = 50
DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def may_read_audit(user) -> bool:
    return roles.has_role(user, roles.PROGRAM_MANAGER, roles.ADMINISTRATOR, roles.RECORDS_CUSTODIAN)


class _DatesInOrder(forms.Form):
    def clean(self):
        data = super().clean()
        if data.get("date_from") and data.get("date_to") and data["date_to"] < data["date_from"]:
            self.add_error("date_to", "The end date is before the start date.")
        return data


class AuditFilter(df.FilterSet):
    """The viewer's and the export's filters (django-filter: each declared once with its label and lookup)."""

    actor = df.CharFilter(field_name="actor_username", lookup_expr="icontains", label="Who (user name)")
    action = df.ChoiceFilter(choices=AuditEvent.Action.choices, empty_label="Any action")
    object_type = df.CharFilter(method="filter_object_type", label="Record type", help_text="e.g. candidates.Candidate")
    object_id = df.CharFilter(label="Record number")
    # A day of the project's time zone, as a range of `at`: `at__date` would cast each row's time to a date,
    # which neither an index nor the trail's monthly partitions can serve (vip/audit/partitions.py).
    date_from = df.DateFilter(method="filter_from", label="From", widget=DATE)
    date_to = df.DateFilter(method="filter_to", label="To", widget=DATE)

    class Meta:
        model = AuditEvent
        fields: list[str] = []
        form = _DatesInOrder

    def filter_object_type(self, queryset, name, value):
        """Case does not matter: a model's label as typed in any case is that label, which the trail's index on
        (type, id, time) serves; any other text is matched regardless of case, as before."""
        label = _labels().get(value.strip().lower())
        return queryset.filter(object_type=label) if label else queryset.filter(object_type__iexact=value)

    def filter_from(self, queryset, name, value):
        return queryset.filter(at__gte=_local_midnight(value))

    def filter_to(self, queryset, name, value):
        return queryset.filter(at__lt=_local_midnight(value + dt.timedelta(days=1)))


def _local_midnight(day: dt.date) -> dt.datetime:
    """The instant `day` begins in the current time zone (the project's): where `at__date` counted it from."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


@cache
def _labels() -> dict[str, str]:
    return {model._meta.label.lower(): model._meta.label for model in apps.get_models()}


def _as_filters(form) -> dict[str, str]:
    """The filters a valid form was given, as text: the list's links keep them and the export records them."""
    return {k: str(v) for k, v in form.cleaned_data.items() if v not in (None, "")}


def _filtered_events(request: HttpRequest, source):
    filters = AuditFilter(source, queryset=audit_events_visible_to(request.user))
    return filters.form, (filters.qs if filters.is_valid() else filters.queryset.none())


@login_required
def audit_list(request: HttpRequest) -> HttpResponse:
    if not may_read_audit(request.user):
        raise PermissionDenied("The audit trail is for the Program Manager and administrators.")
    form, qs = _filtered_events(request, request.GET)
    page = UncountedPaginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    page.object_list = list(page.object_list)
    for event in page.object_list:
        scopes.withhold_walled(event)  # the services wall (issue 19): that it changed, never what it says
        event.shown_summary = reads.summary(event.changes)  # a read row: who was shown, for what question
    query = urlencode(_as_filters(form)) if form.is_valid() else ""
    return render(request, "audit/list.html", {"form": form, "page": page, "query": query})


@login_required
@reads_replica
def audit_export_csv(request: HttpRequest) -> HttpResponse:
    """The trail as CSV for an inspector: asks why, and the export itself is audited."""
    if not may_read_audit(request.user):
        raise PermissionDenied("The audit trail is for the Program Manager and administrators.")
    source = request.POST if request.method == "POST" else request.GET
    form, qs = _filtered_events(request, source)
    error = ""
    if request.method == "POST" and form.is_valid():
        try:
            reason = require_export_reason(request)
        except DomainError as exc:
            error = exc.message
        else:
            rows = list(qs)
            for event in rows:
                scopes.withhold_walled(event)
            audit_export(
                request.user,
                what="vip.AuditEvent",
                reason=reason,
                count=len(rows),
                request=request,
                filters=_as_filters(form),
            )
            header = ["at", "actor", "action", "object_type", "object_id", "object", "from", "to", "note", "ip"]
            data = (
                [
                    e.at.isoformat(),
                    e.actor_username,
                    e.action,
                    e.object_type,
                    e.object_id,
                    e.object_repr,
                    e.from_state,
                    e.to_state,
                    e.note,
                    e.ip_address,
                ]
                for e in rows
            )
            return csv_response(f"audit-trail-{timezone.localdate():%Y%m%d}.csv", header, data)
    return render(
        request,
        "audit/export.html",
        {"form": form, "count": qs.count(), "error": error, "reason": request.POST.get("reason", "")},
        status=400 if error else 200,
    )
