"""Candidate pages: the list with search and filters, the one-screen candidate page, intake and edit forms.

Each view: find the record through the selectors (a person the user may not see is a 404), check who may
write, call one service, and on a refusal show the form again with what was typed and what to fix.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse

from candidates import extensions, sealing, services
from candidates import forms as f
from candidates import models as m
from candidates.filters import CandidateFilter, SealedFilter
from candidates.selectors import (
    candidate_list_for,
    candidate_page_sections,
    candidates_visible_to,
    get_candidate_for_user,
    may_see_intelligence,
    may_use_candidate_records,
    possible_duplicates,
    services_as_yes_or_no,
    services_offered_and_accepted,
)
from vip.context_processors import role_flags
from vip.kept import kept
from vip.paging import CountingPaginator, query_without_page

PAGE_SIZE = 25


def _require_reader(user) -> None:
    if not may_use_candidate_records(user):
        raise Http404("No such page.")


def _require_writer(user) -> None:
    if not services.may_write_candidates(user):
        raise PermissionDenied("Only the VIP LE Lead may change candidate records.")


# --- the list ------------------------------------------------------------------------------------------


@login_required
def candidate_list(request):
    _require_reader(request.user)
    filterset = CandidateFilter(request.GET or None, queryset=candidate_list_for(request.user))
    qs = filterset.qs if filterset.is_bound and filterset.is_valid() else filterset.queryset
    sealed_filter = None
    if sealing.may_seal(request.user):  # only the custodian's list holds sealed records, and filters them
        sealed_filter = SealedFilter(request.GET or None, queryset=qs)
        qs = sealed_filter.qs if sealed_filter.is_bound and sealed_filter.is_valid() else qs
    page = CountingPaginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    page.object_list = list(page.object_list)  # read once: the rows, then "nobody matches" if there are none
    return render(
        request,
        "candidates/list.html",
        {
            "filter": filterset,
            "sealed_filter": sealed_filter,
            "page": page,
            "query": query_without_page(request),
            "may_write": services.may_write_candidates(request.user),
            "list_columns": extensions.LIST_COLUMNS.values(),  # the latest CN's state (notifications)
        },
    )


# --- the candidate page -----------------------------------------------------------------------------


@login_required
def candidate_detail(request, pk: int):
    _require_reader(request.user)
    candidate = get_candidate_for_user(request.user, pk)  # who may see it, read each time
    # The read itself is logged once, for every interface, by vip.audit.middleware. What the page shows is
    # kept, rendered, until any record changes (`kept`): the person's file is reopened often while working on it.
    params = extensions.page_params(request.GET)  # what its sections read (the CNs: ?cns=all)
    body_html = kept(
        "candidate-page",
        request.user,
        lambda: _detail_body_html(request.user, candidate, params),
        pk,
        *params.values(),
    )
    return render(request, "candidates/detail.html", {"candidate": candidate, "body_html": body_html})


def _detail_body_html(user, candidate, params: dict[str, str]) -> str:
    context = {
        "candidate": candidate,
        **role_flags(user),  # rendered apart from the request: its buttons test the roles
        **candidate_page_sections(user, candidate),
        "sections": extensions.render_sections(user, candidate, params),  # the CNs (notifications)
        "may_write": services.may_write_candidates(user),
        "may_see_network": may_see_intelligence(user),  # the person's network (candidates.network)
        # the Records Custodian's "Seal on a court order": only for a juvenile's record (NMSA 32A-2-26)
        "sealable": sealing.may_seal(user) and not sealing.sealable_errors(candidate),
    }
    if services_as_yes_or_no(user):  # the services wall (issue 19): officers learn only whether, never what
        context["services_yes_no"] = services_offered_and_accepted(context.pop("services"))
    return render_to_string("candidates/_detail_body.html", context)


# --- intake and edits ----------------------------------------------------------------------------------


def _photo(value):
    """A ClearableFileInput gives None (nothing new), False (cleared) or a file."""
    if value is False:
        return ""
    return value


def _candidate_forms(request, instance):
    data = request.POST if request.method == "POST" else None
    files = request.FILES if request.method == "POST" else None
    return (
        f.CandidateForm(data, files, instance=instance),
        f.AliasFormSet(data, instance=instance, prefix="aliases"),
        f.AddressFormSet(data, instance=instance, prefix="addresses"),
        f.PhoneFormSet(data, instance=instance, prefix="phones"),
    )


def _candidate_fields(form) -> dict:
    fields = dict(form.cleaned_data)
    photo = _photo(fields.pop("photo", None))
    if photo is not None:
        fields["photo"] = photo
    return fields


def _candidate_form_page(request, candidate: m.Candidate, *, title: str, save, find_duplicates: bool = False):
    """Intake and edit: the person's form with their aliases, addresses and phones. On a valid POST, `save(rows,
    fields)` returns the person and the message to show; a refusal is shown on the form as typed."""
    form, aliases, addresses, phones = _candidate_forms(request, candidate)
    formsets = [("Aliases", aliases), ("Addresses", addresses), ("Phones", phones)]
    duplicates: list = []
    row_errors: dict[str, list[str]] = {"aliases": [], "addresses": [], "phones": []}
    if request.method == "POST" and all(x.is_valid() for x in (form, aliases, addresses, phones)):
        rows = {
            "aliases": f.formset_rows(aliases),
            "addresses": f.formset_rows(addresses),
            "phones": f.formset_rows(phones),
        }
        # "Create, then propose merging" (merge_with) takes the person in too: the merge needs both records.
        if find_duplicates and not (request.POST.get("create_anyway") or request.POST.get("merge_with")):
            duplicates = possible_duplicates(
                request.user,
                first_name=form.cleaned_data["first_name"],
                last_name=form.cleaned_data["last_name"],
                date_of_birth=form.cleaned_data["date_of_birth"],
                aliases=[row["name"] for row in rows["aliases"]],
            )
        if not duplicates:
            try:
                person, message = save(rows, _candidate_fields(form))
            except ValidationError as exc:
                f.show_errors(form, exc, elsewhere=row_errors)
            else:
                messages.success(request, message)
                merge_with = request.POST.get("merge_with", "")
                if find_duplicates and merge_with.isdigit():
                    return redirect(f"{reverse('candidates:merge_propose', args=[person.pk])}?other={merge_with}")
                return redirect("candidates:detail", pk=person.pk)
    context = {"form": form, "formsets": formsets, "row_errors": row_errors, "duplicates": duplicates, "title": title}
    if candidate.pk:
        context["candidate"] = candidate
    return render(request, "candidates/candidate_form.html", context)


@login_required
def candidate_create(request):
    """Intake. Before saving, people with the same date of birth and a similar name or alias are shown, so the
    user can open the existing record; "create anyway" goes ahead."""
    _require_writer(request.user)

    def save(rows, fields):
        candidate = services.candidate_create(user=request.user, **rows, **fields)
        return candidate, f"{candidate} was taken in."

    return _candidate_form_page(
        request, m.Candidate(), title="Intake: a new candidate", save=save, find_duplicates=True
    )


@login_required
def candidate_edit(request, pk: int):
    candidate = get_candidate_for_user(request.user, pk)
    _require_writer(request.user)

    def save(rows, fields):
        return services.candidate_update(user=request.user, candidate=candidate, **rows, **fields), "Saved."

    return _candidate_form_page(request, candidate, title=f"Edit {candidate}", save=save)


# --- the person's network and evidence: one small form each ------------------------------------------------


def _record_form(request, *, candidate, form, save, title, success):
    """Show `form`; on a valid POST call `save(cleaned_data)`; a refusal is shown on the form as typed."""
    if request.method == "POST" and form.is_valid():
        try:
            save(dict(form.cleaned_data))
        except ValidationError as exc:
            f.show_errors(form, exc)
        else:
            messages.success(request, success)
            return redirect("candidates:detail", pk=candidate.pk)
    return render(request, "candidates/record_form.html", {"form": form, "candidate": candidate, "title": title})


def _post(request):
    return request.POST if request.method == "POST" else None


@dataclass(frozen=True)
class _PersonRecord:
    """One kind of record kept on a person's page (their network and evidence): its form, its two services and
    the words of its pages. The add and edit views of every kind are the two views below."""

    model: type
    form: type
    add: Callable[..., object]
    update: Callable[..., object]
    add_title: str
    edit_title: Callable[[object], str]
    added: str
    saved: str
    form_kwargs: Callable[[object, object], dict] = lambda request, candidate: {}
    edit_drops: tuple[str, ...] = ()


def _basis_people(request, candidate) -> dict:
    return {"candidate": candidate, "people": candidates_visible_to(request.user)}


PERSON_RECORDS = {
    "influencer": _PersonRecord(
        m.Influencer,
        f.InfluencerForm,
        services.influencer_add,
        services.influencer_update,
        add_title="Add an influencer",
        edit_title=lambda influencer: f"Edit {influencer.name}",
        added="Influencer added.",
        saved="Influencer saved.",
    ),
    "referral": _PersonRecord(
        m.Referral,
        f.ReferralForm,
        services.referral_add,
        services.referral_update,
        add_title="Add a referral",
        edit_title=lambda referral: "Edit the referral",
        added="Referral added.",
        saved="Referral saved.",
        edit_drops=("add_basis",),
    ),
    "basis": _PersonRecord(
        m.EligibilityBasis,
        f.BasisForm,
        services.basis_add,
        services.basis_update,
        add_title="Add an eligibility basis",
        edit_title=lambda basis: "Edit the eligibility basis",
        added="Eligibility basis added.",
        saved="Eligibility basis saved.",
        form_kwargs=_basis_people,
    ),
    "membership": _PersonRecord(
        m.GroupMembership,
        f.MembershipForm,
        services.membership_add,
        services.membership_update,
        add_title="Add a group membership",
        edit_title=lambda membership: "Edit the group membership",
        added="Membership added.",
        saved="Membership saved.",
    ),
}


@login_required
def person_record_add(request, pk: int, *, kind: str):
    record = PERSON_RECORDS[kind]
    candidate = get_candidate_for_user(request.user, pk)
    _require_writer(request.user)
    instance = record.model(candidate=candidate)
    form = record.form(_post(request), instance=instance, **record.form_kwargs(request, candidate))
    return _record_form(
        request,
        candidate=candidate,
        form=form,
        title=record.add_title,
        success=record.added,
        save=lambda data: record.add(user=request.user, candidate=candidate, **data),
    )


@login_required
def person_record_edit(request, pk: int, record_pk: int, *, kind: str):
    record = PERSON_RECORDS[kind]
    candidate = get_candidate_for_user(request.user, pk)
    _require_writer(request.user)
    instance = get_object_or_404(record.model, pk=record_pk, candidate=candidate)
    form = record.form(_post(request), instance=instance, **record.form_kwargs(request, candidate))
    for name in record.edit_drops:
        del form.fields[name]
    return _record_form(
        request,
        candidate=candidate,
        form=form,
        title=record.edit_title(instance),
        success=record.saved,
        save=lambda data: record.update(user=request.user, **{kind: instance}, **data),
    )


# --- groups, shootings and GVIS meetings -----------------------------------------------------------------


def _require_sees_all(user) -> None:
    if not may_see_intelligence(user):
        raise Http404("No such page.")


@login_required
def intelligence(request):
    """Shootings with injury, GVIS meetings and groups: what the weekly review works from."""
    _require_sees_all(request.user)
    return render(
        request,
        "candidates/intelligence.html",
        {
            "shootings": m.Shooting.objects.prefetch_related("participants__candidate")[:50],
            "meetings": m.GVISMeeting.objects.prefetch_related(
                "shootings_reviewed", "groups_identified", "individuals_identified"
            )[:50],
            "groups": m.Group.objects.all(),
            "may_write": services.may_write_candidates(request.user),
        },
    )


def _intelligence_form(request, *, form, save, title, success, formsets=(), row_errors=None):
    """Groups, shootings, GVIS meetings: show the form, call the service, keep what was typed on a refusal."""
    valid = request.method == "POST" and form.is_valid() and all(fs.is_valid() for _, fs in formsets)
    if valid:
        try:
            save(dict(form.cleaned_data))
        except ValidationError as exc:
            f.show_errors(form, exc, elsewhere=row_errors)
        else:
            messages.success(request, success)
            return redirect("candidates:intelligence")
    template = "candidates/candidate_form.html" if formsets else "candidates/record_form.html"
    context = {"form": form, "title": title, "formsets": list(formsets), "row_errors": row_errors or {}}
    return render(request, template, context)


@login_required
def group_form(request, group_pk: int | None = None):
    _require_writer(request.user)
    group = get_object_or_404(m.Group, pk=group_pk) if group_pk else None
    form = f.GroupForm(_post(request), instance=group)
    if group is None:
        save = lambda data: services.group_create(user=request.user, **data)  # noqa: E731
    else:
        save = lambda data: services.group_update(user=request.user, group=group, **data)  # noqa: E731
    title = f"Edit {group}" if group else "Add a group"
    return _intelligence_form(request, form=form, save=save, title=title, success="Group saved.")


def _participant_rows(formset) -> list[dict]:
    rows = []
    for form in formset.forms:
        data = form.cleaned_data
        if not data or data.get("DELETE") or not (form.has_changed() or form.instance.pk):
            continue
        rows.append({k: data.get(k) for k in ("candidate", "name", "role")})
    return rows


@login_required
def shooting_form(request, shooting_pk: int | None = None):
    _require_writer(request.user)
    shooting = get_object_or_404(m.Shooting, pk=shooting_pk) if shooting_pk else None
    people = candidates_visible_to(request.user)
    form = f.ShootingForm(_post(request), instance=shooting)
    participants = f.ParticipantFormSet(
        _post(request), instance=shooting or m.Shooting(), prefix="participants", form_kwargs={"people": people}
    )

    def save(data):
        rows = _participant_rows(participants)
        if shooting is None:
            return services.shooting_create(user=request.user, participants=rows, **data)
        return services.shooting_update(user=request.user, shooting=shooting, participants=rows, **data)

    return _intelligence_form(
        request,
        form=form,
        save=save,
        title=f"Edit shooting {shooting}" if shooting else "Record a shooting with injury",
        success="Shooting saved.",
        formsets=[("Victims and people involved", participants)],
        row_errors={"participants": []},
    )


@login_required
def gvis_meeting_form(request, meeting_pk: int | None = None):
    _require_writer(request.user)
    meeting = get_object_or_404(m.GVISMeeting, pk=meeting_pk) if meeting_pk else None
    form = f.GVISMeetingForm(_post(request), instance=meeting, people=candidates_visible_to(request.user))

    def save(data):
        links = {
            "shootings": data.pop("shootings_reviewed"),
            "groups": data.pop("groups_identified"),
            "individuals": data.pop("individuals_identified"),
        }
        if meeting is None:
            return services.gvis_meeting_create(user=request.user, **links, **data)
        return services.gvis_meeting_update(user=request.user, meeting=meeting, **links, **data)

    return _intelligence_form(
        request,
        form=form,
        save=save,
        title=f"Edit {meeting}" if meeting else "Record a GVIS meeting",
        success="GVIS meeting saved.",
    )
