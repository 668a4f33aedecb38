"""The weekly review's pages: the meetings, one meeting's agenda and record, its printable minutes.

The LE Lead records; the Program Manager (and the Records Custodian) read, as on the intelligence page
(`candidates.selectors.may_see_intelligence`). Each form posts to its own address; a refusal shows the meeting
page again with what was typed and the reason beside the field (status 400).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from candidates import services as candidate_services
from candidates.models import SEALED_PERSON, GVISIdentification, GVISMeeting, Shooting
from candidates.selectors import candidates_visible_to, may_see_intelligence
from notifications.review import agenda as a
from notifications.review import forms as f
from notifications.review import services
from vip.errors import DomainError


def _require_reader(user) -> None:
    if not may_see_intelligence(user):
        raise Http404("No such page.")


def _require_writer(user) -> None:
    if not candidate_services.may_write_candidates(user):
        raise PermissionDenied("Only the VIP LE Lead records the weekly review.")


def _meeting(user, pk: int) -> GVISMeeting:
    _require_reader(user)
    return get_object_or_404(GVISMeeting, pk=pk)


@login_required
def meeting_list(request):
    _require_reader(request.user)
    meetings = GVISMeeting.objects.prefetch_related("attendees", "identifications").order_by("-held_on", "-pk")[:52]
    return render(
        request,
        "review/list.html",
        {"meetings": meetings, "may_write": candidate_services.may_write_candidates(request.user)},
    )


@login_required
@require_POST
def meeting_start(request):
    _require_reader(request.user)
    _require_writer(request.user)
    meeting = services.review_start(user=request.user)
    return redirect("gvis:meeting", pk=meeting.pk)


def _agenda_people(agenda: a.Agenda) -> list:
    people = {}
    for shooting in agenda.shootings:
        for participant in shooting.participants.all():
            if participant.candidate and not participant.candidate.is_sealed:
                people[participant.candidate.pk] = participant.candidate
    for repeat in agenda.repeat_people:
        people[repeat.candidate.pk] = repeat.candidate
    for delivery in agenda.overdue:
        people[delivery.candidate.pk] = delivery.candidate
    return sorted(people.values(), key=lambda person: (person.last_name, person.first_name, person.pk))


def _page(request, meeting: GVISMeeting, *, bound: dict | None = None, status: int = 200):
    """The meeting page; `bound` holds the form that was posted and refused, shown as typed."""
    user = request.user
    bound = bound or {}
    agenda = a.agenda_for(user, meeting)
    visible = candidates_visible_to(user)
    identifications = list(meeting.identifications.select_related("candidate", "decided_by", "identified_by"))
    for identification in identifications:
        identification.form = bound.get(f"decide-{identification.pk}") or f.DecisionForm(identification=identification)
    initial = {"candidate": request.GET.get("identify")} if request.GET.get("identify") else None
    context = {
        "meeting": meeting,
        "agenda": agenda,
        "reviewed": set(meeting.shootings_reviewed.values_list("pk", flat=True)),
        "attendees": meeting.attendees.select_related("user"),
        "identifications": identifications,
        "groups": meeting.group_identifications.select_related("group"),
        "may_write": candidate_services.may_write_candidates(user),
        "attendee_form": bound.get("attendee") or f.AttendeeForm(),
        "identify_form": bound.get("identify")
        or f.IdentifyForm(initial=initial, people=_agenda_people(agenda), visible=visible),
        "group_form": bound.get("group") or f.GroupIdentifyForm(),
        "sealed_person": SEALED_PERSON,
    }
    return render(request, "review/meeting.html", context, status=status)


@login_required
def meeting_detail(request, pk: int):
    return _page(request, _meeting(request.user, pk))


def _show_refusal(form, refused: DomainError) -> None:
    placed = False
    for field, reason in refused.reasons.items():
        if field in form.fields:
            form.add_error(field, reason)
            placed = True
    if not placed:
        form.add_error(None, refused.message)


def _back_to(meeting, section: str):
    """The meeting page at the section just recorded: the Lead keeps their place in the meeting."""
    return redirect(reverse("gvis:meeting", args=[meeting.pk]) + f"#{section}")


def _record(request, meeting, *, key: str, form, save, success: str, section: str):
    """Check the form, call the service; a refusal shows the page again with the form as typed."""
    if form.is_valid():
        try:
            save(form.cleaned_data)
        except DomainError as refused:
            _show_refusal(form, refused)
        else:
            messages.success(request, success)
            return _back_to(meeting, section)
    return _page(request, meeting, bound={key: form}, status=400)


@login_required
@require_POST
def attendee_add(request, pk: int):
    meeting = _meeting(request.user, pk)
    _require_writer(request.user)
    form = f.AttendeeForm(request.POST)
    return _record(
        request,
        meeting,
        key="attendee",
        form=form,
        save=lambda data: services.attendee_add(
            user=request.user, meeting=meeting, staff=data["staff"], name=data["name"], agency=data["agency"]
        ),
        success="Attendee recorded.",
        section="attendees",
    )


@login_required
@require_POST
def shooting_reviewed(request, pk: int, shooting_pk: int):
    meeting = _meeting(request.user, pk)
    _require_writer(request.user)
    shooting = get_object_or_404(Shooting, pk=shooting_pk)
    services.shooting_mark_reviewed(user=request.user, meeting=meeting, shooting=shooting)
    messages.success(request, f"Shooting {shooting.incident_number} marked reviewed.")
    return _back_to(meeting, "agenda-shootings")


@login_required
@require_POST
def person_identify(request, pk: int):
    meeting = _meeting(request.user, pk)
    _require_writer(request.user)
    visible = candidates_visible_to(request.user)
    form = f.IdentifyForm(request.POST, people=_agenda_people(a.agenda_for(request.user, meeting)), visible=visible)
    return _record(
        request,
        meeting,
        key="identify",
        form=form,
        save=lambda data: services.person_identify(
            user=request.user, meeting=meeting, candidate=data["person"], kind=data["kind"], evidence=data["evidence"]
        ),
        success="Person identified: decide below whether to open a CN.",
        section="identified",
    )


@login_required
@require_POST
def group_identify(request, pk: int):
    meeting = _meeting(request.user, pk)
    _require_writer(request.user)
    return _record(
        request,
        meeting,
        key="group",
        form=f.GroupIdentifyForm(request.POST),
        save=lambda data: services.group_identify(
            user=request.user, meeting=meeting, group=data["group"], evidence=data["evidence"]
        ),
        success="Group identified.",
        section="groups",
    )


@login_required
@require_POST
def person_decide(request, pk: int, identification_pk: int):
    meeting = _meeting(request.user, pk)
    _require_writer(request.user)
    identification = get_object_or_404(
        GVISIdentification, pk=identification_pk, meeting=meeting, candidate__in=candidates_visible_to(request.user)
    )
    form = f.DecisionForm(request.POST, identification=identification)

    def save(data):
        decided = services.person_decide(
            user=request.user, identification=identification, decision=data["decision"], reason=data["reason"]
        )
        if decided.delivery_id:
            messages.success(request, f"CN #{decided.delivery_id} opened for {decided.candidate}, in identified.")

    return _record(
        request,
        meeting,
        key=f"decide-{identification.pk}",
        form=form,
        save=save,
        success="Decision recorded.",
        section=f"identification-{identification.pk}",
    )


@login_required
def minutes(request, pk: int):
    """The minutes, to print and hand out: who attended, what was reviewed, who was identified and decided on.
    Names only, of the people the reader may see; a sealed record is never named (NMSA 32A-2-26); no date of
    birth, address, phone, check or CN detail."""
    meeting = _meeting(request.user, pk)
    identifications = list(meeting.identifications.select_related("candidate", "decided_by"))
    named = [identification.candidate_id for identification in identifications]
    visible = set(candidates_visible_to(request.user).unsealed().filter(pk__in=named).values_list("pk", flat=True))
    for identification in identifications:
        identification.shown_name = (
            str(identification.candidate) if identification.candidate_id in visible else SEALED_PERSON
        )
    return render(
        request,
        "review/minutes.html",
        {
            "meeting": meeting,
            "attendees": meeting.attendees.select_related("user"),
            "shootings": meeting.shootings_reviewed.order_by("occurred_on", "pk"),
            "identifications": identifications,
            "groups": meeting.group_identifications.select_related("group"),
        },
    )
