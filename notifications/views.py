"""The LE Lead's pages: the CN board, the CN page with its SOP checklist, forms and transitions, the
printable letter, a new CN, and personnel qualification.

Each view checks access with a named helper, binds one form, calls one service, and shows the
service's reasons on the form when it refuses. No rule lives here.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Case, IntegerField, Value, When
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.views.decorators.http import require_POST

from candidates.selectors import get_candidate_for_user, may_see_checks
from notifications import forms as f
from notifications import guards, rules, services, steps
from notifications.corrections.fields import frozen_fields
from notifications.corrections.selectors import corrections_of
from notifications.finding.selectors import mark_due, with_due
from notifications.models import (
    AfterAction,
    Check,
    EligibilityDetermination,
    JPOCheck,
    Letter,
    SocialServicesCoordination,
    State,
)
from notifications.personnel import personnel_overview
from notifications.selectors import (
    count_by_state,
    count_on_team_of,
    deliveries_on_team_of,
    deliveries_visible_to,
    first_in_each_state,
    get_delivery_for_user,
)
from vip import roles
from vip.errors import DomainError
from vip.kept import kept
from vip.paging import CountedPaginator


def _require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied


def _sees_program(user) -> bool:
    return roles.sees_all_candidates(user)


FINISHED_SHOWN_FOR = dt.timedelta(days=90)  # finished CNs the full board shows: the last 90 days'

# --- the board ------------------------------------------------------------------------------------------


BOARD_ROWS_PER_STATE = 10
# What a board card shows: a CN of a city's program is read 120 times a board, not its whole record.
BOARD_FIELDS = (
    "state",
    "state_entered_at",
    "attempt",
    "candidate__first_name",
    "candidate__middle_name",
    "candidate__last_name",
    "candidate__date_of_birth",
    "planned_for",
)
BOARD_PAGE_SIZE = 100
MY_DELIVERIES_PAGE_SIZE = 50


@login_required
def board(request):
    """Every CN the user may see, grouped by state, with the count per state and days in state.

    Two queries whatever the number of CNs: the rows (candidate joined) and the counts.
    """
    _require(_sees_program(request.user))
    visible = deliveries_visible_to(request.user)
    chosen = request.GET.get("state", "")
    if chosen and chosen not in State.values:
        chosen = ""
    counts = count_by_state(request.user)
    page, columns_html = None, None
    if chosen:
        # One state: every CN in it, a page at a time (a city's program holds hundreds of thousands).
        # The count is known: the paginator need not count again.
        rows = with_due(visible.filter(state=chosen)).order_by("state_entered_at", "id")
        page = CountedPaginator(rows, BOARD_PAGE_SIZE, counts.get(chosen, 0)).get_page(request.GET.get("page"))
        columns_html = _board_columns(page.object_list, counts, chosen)
    else:
        # The whole board is the same for everyone who sees the same CNs until the data changes (or the day
        # does: days in state): it is kept, rendered (`kept`).
        columns_html = kept(
            "board", request.user, lambda: _board_columns(_longest_waiting(visible), counts, chosen), shared=True
        )
    return render(
        request,
        "notifications/board.html",
        {
            "columns_html": columns_html,
            "states": State.choices,
            "chosen": chosen,
            "total": sum(counts.values()),
            "page": page,
            "may_open_cn": rules.may_open_cn(request.user),
        },
    )


def _longest_waiting(visible):
    """Each state's longest-waiting CNs, at most BOARD_ROWS_PER_STATE; finished CNs pile up over the years:
    for those the board shows the recent ones (filter by state to see all)."""
    since = timezone.make_aware(dt.datetime.combine(timezone.localdate() - FINISHED_SHOWN_FOR, dt.time.min))
    recent = visible.filter(state_entered_at__gte=since)
    sources = {state: visible if state in rules.OPEN_STATES else recent for state in State.values}
    ids = first_in_each_state(sources, BOARD_ROWS_PER_STATE)
    rows = visible.filter(pk__in=ids).order_by("state_entered_at", "id").select_related(None)
    # When each is due: the rulebook's due time, the one the reminder sweep and the dashboard read.
    return with_due(rows.select_related("candidate").only(*BOARD_FIELDS))


def _board_columns(rows, counts: dict[str, int], chosen: str) -> str:
    today = timezone.localdate()
    columns = {state: [] for state in State.values}
    for delivery in rows:
        delivery.days_in_state = (today - timezone.localdate(delivery.state_entered_at)).days  # calendar days
        delivery.juvenile = delivery.candidate.is_juvenile(today)
        mark_due(delivery, today)  # the step due, and each date flagged in words once passed
        columns[delivery.state].append(delivery)
    sections = [
        {
            "state": state,
            "label": label,
            "count": counts.get(state, 0),
            "deliveries": columns[state],
            "recent_only": not chosen and state not in rules.OPEN_STATES,
            "truncated": not chosen and counts.get(state, 0) > len(columns[state]),
        }
        for state, label in State.choices
        if not chosen or state == chosen
    ]
    return render_to_string("notifications/_board_columns.html", {"sections": sections})


@login_required
def my_deliveries(request):
    """The CNs the user is on the team of: open ones first, a page at a time; kept, rendered, until a CN or a
    team changes (`kept`)."""
    asked = request.GET.get("page", "")
    page_number = asked if asked == "last" or (asked.isdigit() and len(asked) < 7) else "1"
    list_html = kept("my-deliveries", request.user, lambda: _my_deliveries_html(request.user, page_number), page_number)
    return render(request, "notifications/my_deliveries.html", {"list_html": list_html})


def _my_deliveries_html(user, page_number: str) -> str:
    deliveries = (
        deliveries_on_team_of(user)
        .annotate(
            finished=Case(
                When(state__in=rules.OPEN_STATES, then=Value(0)), default=Value(1), output_field=IntegerField()
            )
        )
        .order_by("finished", "-state_entered_at", "-id")
    )
    page = CountedPaginator(deliveries, MY_DELIVERIES_PAGE_SIZE, count_on_team_of(user)).get_page(page_number)
    return render_to_string("notifications/_my_deliveries_list.html", {"deliveries": page.object_list, "page": page})


# --- personnel (SOP 2-64-6) -----------------------------------------------------------------------------


@login_required
def personnel(request):
    _require(_sees_program(request.user) or roles.is_administrator(request.user))
    rows = personnel_overview()
    return render(
        request,
        "notifications/personnel.html",
        {
            "qualified": [r for r in rows if r.qualified],
            "not_qualified": [r for r in rows if not r.qualified],
            "rule": rules.QUALIFICATION_SUMMARY,
        },
    )


# --- new CN ---------------------------------------------------------------------------------------------


@login_required
def delivery_new(request):
    _require(rules.may_open_cn(request.user))
    candidate_id = request.GET.get("candidate") or request.POST.get("candidate")
    if not candidate_id:
        raise Http404("Open a new CN from a candidate's page.")
    candidate = get_candidate_for_user(request.user, candidate_id)
    form = f.NewDeliveryForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            delivery = services.delivery_create(user=request.user, candidate=candidate, **form.cleaned_data)
        except DomainError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, f"CN #{delivery.pk} opened for {candidate}.")
            return redirect("notifications:detail", pk=delivery.pk)
    f.focus_first_error(form)
    return render(
        request,
        "notifications/new.html",
        {"candidate": candidate, "juvenile": candidate.is_juvenile(), "form": form},
        status=400 if form.errors else 200,
    )


# --- the CN page ----------------------------------------------------------------------------------------


@dataclass
class ChecklistItem:
    label: str
    sop: str
    done: bool
    who: str = ""
    when: object = ""
    detail: str = ""
    missing: str = ""  # what is still missing, in the guard's words
    step: str = ""  # the preparation step (steps.py) whose form records it, if the page offers one
    notes: str = ""  # what was written down with it (a check's notes: safety information for the team)

    def __post_init__(self):
        # A date or a date and time, shown the same way whichever it is (local time).
        self.when = _when(self.when) if self.when else ""


def _when(value) -> str:
    if value is None:
        return ""
    if hasattr(value, "hour"):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
    return value.strftime("%Y-%m-%d")


def _who(user) -> str:
    return (user.get_full_name() or user.username) if user else ""


def _judged(delivery, *conditions) -> tuple[bool, str]:
    """Done when each guard the transitions run is met; else what the unmet ones say (never a met one)."""
    unmet = [guards.reason_for(condition, delivery) for condition in conditions if not condition(delivery)]
    return not unmet, " ".join(unmet)


def checklist(delivery, user) -> list[ChecklistItem]:
    """The SOP steps of this CN, done and to do, each with who and when. Whether a step is done is what the
    guards of the state machine say (notifications/guards.py), not a check of its own."""
    juvenile = delivery.candidate_is_juvenile()
    items = []
    eligibility = EligibilityDetermination.objects.filter(delivery=delivery).select_related("recorded_by").first()
    items.append(
        ChecklistItem(
            "Eligibility determined",
            "2-64-5 A" if juvenile else "2-64-4 A",
            eligibility is not None,
            _who(eligibility and eligibility.recorded_by),
            eligibility and eligibility.recorded_at,
            "; ".join(str(b) for b in eligibility.bases.all()) if eligibility else "",
        )
    )
    checks = {c.kind: c for c in Check.objects.filter(delivery=delivery).select_related("completed_by")}
    show_checks = may_see_checks(user)
    for (kind, label), condition in zip(
        Check.Kind.choices, (guards.threat_assessment_done, guards.background_check_done), strict=True
    ):
        check = checks.get(kind)
        done, missing = _judged(delivery, condition)
        items.append(
            ChecklistItem(
                f"{label} completed",
                "2-64-4 B.1.a",
                done,
                _who(check and check.completed_by),
                check and check.completed_on,
                check.get_result_display() if (check and show_checks) else "",
                missing,
                step=kind.replace("_", "-"),
                notes=check.notes if (check and show_checks) else "",
            )
        )
    letter = Letter.objects.filter(delivery=delivery).select_related("recorded_by").first()
    done, missing = _judged(delivery, guards.letter_drafted_or_not_warranted)
    items.append(
        ChecklistItem(
            "Letter drafted, or recorded as not warranted",
            "2-64-4 B.1.b",
            done,
            _who(letter and letter.recorded_by),
            letter and letter.recorded_at,
            (letter.get_status_display() + (f": {letter.not_warranted_reason}" if letter.not_warranted_reason else ""))
            if letter
            else "",
            missing,
            step="letter",
        )
    )
    team = list(delivery.team_members.select_related("user", "added_by"))
    done, missing = _judged(delivery, guards.team_has_qualified_officer, guards.team_officers_meet_sop_2_64_6)
    items.append(
        ChecklistItem(
            "Delivering personnel coordinated",
            "2-64-4 B.1.c, 2-64-6",
            done,
            detail=", ".join(str(m) for m in team),
            missing=missing,
            step="team-add",
        )
    )
    social = SocialServicesCoordination.objects.filter(delivery=delivery).select_related("recorded_by").first()
    done, missing = _judged(delivery, guards.social_services_coordinated)
    items.append(
        ChecklistItem(
            "Social services component coordinated",
            "2-64-4 B.1.d",
            done,
            _who(social and social.recorded_by),
            social and social.coordinated_on,
            social.plan if social else "",
            missing,
            step="social-services",
        )
    )
    jpo = JPOCheck.objects.filter(delivery=delivery).select_related("recorded_by").first()
    if juvenile or jpo is not None:
        done, missing = _judged(delivery, guards.jpo_cleared_if_juvenile)
        items.append(
            ChecklistItem(
                "Juvenile Probation Office contacted; decision recorded",
                "2-64-5 B.1",
                done and jpo is not None,
                _who(jpo and jpo.recorded_by),
                jpo and jpo.contacted_on,
                f"{jpo.get_decision_display()}: {jpo.reasons}" if jpo else "",
                missing,
                step="jpo-check",
            )
        )
        attempts = list(delivery.guardian_contacts.select_related("recorded_by").order_by("attempted_at"))
        done, missing = _judged(delivery, guards.guardian_contact_attempted_if_juvenile)
        items.append(
            ChecklistItem(
                "Parent or guardian contact attempted",
                "2-64-5 B.1.f",
                done and bool(attempts),
                _who(attempts[-1].recorded_by) if attempts else "",
                attempts[-1].attempted_at if attempts else None,
                "; ".join(
                    f"{a.guardian_name} ({a.get_method_display()}, {'reached' if a.reached else 'not reached'})"
                    for a in attempts
                ),
                missing,
                step="guardian-contact",
            )
        )
    ecc = delivery.latest_ecc_advisement()
    done, missing = _judged(delivery, guards.ecc_advisement_recorded)
    items.append(
        ChecklistItem(
            "ECC advised of location, team and identity",
            "2-64-4 C.1.a",
            done,
            _who(ecc and ecc.recorded_by),
            ecc and ecc.advised_at,
            ecc.location if ecc else "",
            missing,
        )
    )
    encounter = delivery.latest_encounter()
    done, missing = _judged(delivery, guards.encounter_recorded)
    items.append(
        ChecklistItem(
            "Encounter and outcome recorded",
            "2-64-4 C",
            done,
            _who(encounter and encounter.recorded_by),
            encounter and encounter.occurred_at,
            encounter.get_outcome_display() if encounter else "",
            missing,
        )
    )
    after = AfterAction.objects.filter(delivery=delivery).select_related("recorded_by", "confirmed_by").first()
    done, missing = _judged(delivery, guards.ecc_advised_of_outcome, guards.cad_report_number_valid)
    items.append(
        ChecklistItem(
            "ECC advised of the outcome; CAD report number recorded",
            "2-64-4 D.1",
            done,
            _who(after and after.recorded_by),
            after and after.recorded_at,
            after.cad_report_number if after else "",
            missing if after else "",
        )
    )
    items.append(
        ChecklistItem(
            "Record confirmed by the LE Lead; CN closed",
            "2-64-4 D.2",
            delivery.state == State.CLOSED,
            _who(after and after.confirmed_by),
            delivery.closed_at,
        )
    )
    return items


def _add_errors(form, exc: DomainError) -> None:
    """Show a service's refusal on the form once. A refusal about one field is said in full by that field (its
    message is written for the person; its reason is the field's short form); one about several gives each
    field its reason; reasons about no field of the form go on top, and the message with them when no field is
    named."""
    on_fields = [key for key in exc.reasons if key in form.fields]
    for key, reason in exc.reasons.items():
        if key in form.fields:
            form.add_error(key, exc.message if len(on_fields) == 1 else reason)
        else:
            form.add_error(None, reason)
    if not on_fields and exc.message not in exc.reasons.values():
        form.add_error(None, exc.message)


def _page(request, delivery, *, bound: tuple[str, str, object] | None = None, status: int = 200):
    """Render the CN page; `bound` = (kind, name, form) keeps a refused form with what was typed.

    Preparation reads as a sequence: each SOP step of the checklist with what was recorded (who, when, notes)
    and, where the page offers its form, the form, starting from what is on record. The current step (the
    first to do that the user can record, or the one just refused) is open; the others are folded.

    The preparation forms and the next steps are the registry's (notifications/steps.py): a step is offered
    only where it can succeed (its states, its actor, a juvenile's steps for a juvenile), a transition only to
    whom the state machine lets take it, with its form only when no guard blocks it now."""
    user = request.user
    juvenile = delivery.candidate_is_juvenile()

    def form_for(kind, name, form_class, **kwargs):
        if bound and bound[:2] == (kind, name):
            return bound[2]
        return form_class(delivery=delivery, prefix=name, **kwargs)

    step_forms = {
        step.name: form_for("step", step.name, step.form, initial=step.initial(), saved=step.saved_record(delivery))
        for step in steps.PREPARATION_STEPS.values()
        if step.offered(delivery, user, juvenile=juvenile)
    }
    options = [
        {"option": option, "form": form_for("transition", option.name, steps.TRANSITIONS[option.name].form)}
        for option in services.transition_options(delivery, user)
    ]
    sequence = _sequence(
        checklist(delivery, user), step_forms, refused=bound[1] if bound and bound[0] == "step" else ""
    )
    shown = [item["form"] for item in sequence if item["form"] is not None]
    shown += [o["form"] for o in options if o["option"].allowed]
    refused_form = bound[2] if bound else None
    if refused_form is not None:
        f.focus_first_error(refused_form)
    team = list(delivery.team_members.select_related("user"))
    corrections = corrections_of(delivery)
    return render(
        request,
        "notifications/detail.html",
        {
            "delivery": delivery,
            "juvenile": juvenile,
            "sequence": sequence,
            "checklist": [entry["item"] for entry in sequence],
            "options": options,
            "team": team,
            "may_edit_team": steps.PREPARATION_STEPS["team-remove"].allows(delivery, user, juvenile=juvenile),
            "letter": Letter.objects.filter(delivery=delivery).first(),
            # What the SOP froze changes only by an audited correction: the LE Lead proposes, the PM approves.
            "corrections": corrections,
            "corrected": [c for c in corrections if c.status == c.Status.APPROVED],
            "correctable": frozen_fields(delivery) if rules.PROPOSER.may(delivery, user) else [],
            "may_decide_corrections": rules.APPROVER.may(delivery, user),
            "refused_form": refused_form,
            # Shown at the top only when the refused form is not on the page (a step no longer offered to
            # this user, a team member's Remove): otherwise its errors are by its fields, once.
            "refused_elsewhere": refused_form is not None and not any(form is refused_form for form in shown),
        },
        status=status,
    )


def _sequence(items: list[ChecklistItem], step_forms: dict, *, refused: str) -> list[dict]:
    """The checklist as the page's sequence: each item with its step's form, if offered, and whether it is open:
    the refused step, else the first step to do when the page records it. When the first step to do is a
    transition (eligibility, the door, closing), none is open: "Next step" above is what to do."""
    sequence = [{"item": item, "form": step_forms.get(item.step), "open": False} for item in items]
    current = next((entry for entry in sequence if refused and entry["item"].step == refused), None)
    if current is None:
        first_to_do = next((entry for entry in sequence if not entry["item"].done), None)
        current = first_to_do if first_to_do is not None and first_to_do["form"] is not None else None
    if current is not None:
        current["open"] = True
    return sequence


@login_required
def delivery_detail(request, pk: int):
    return _page(request, get_delivery_for_user(request.user, pk))


def _post_declared(request, pk: int, name: str, kind: str, declared, done) -> HttpResponse:
    """A preparation step's or a transition's form, POSTed from the CN page: the registry's form, its service,
    and on a refusal the page again with the form as typed and the reasons by its fields."""
    delivery = get_delivery_for_user(request.user, pk)
    step = declared.get(name)
    if step is None or step.form is None:
        raise Http404
    saved = step.saved_record(delivery) if isinstance(step, steps.PreparationStep) else None
    form = step.form(request.POST, delivery=delivery, prefix=name, saved=saved)
    status = 400
    if form.is_valid():
        try:
            result = step.perform(delivery.pk, request.user, form.service_kwargs())
        except DomainError as exc:
            _add_errors(form, exc)
            status = exc.status_code
        else:
            messages.success(request, done(step, result))
            return redirect("notifications:detail", pk=delivery.pk)
    delivery = get_delivery_for_user(request.user, pk)
    return _page(request, delivery, bound=(kind, name, form), status=status)


@login_required
@require_POST
def delivery_step(request, pk: int, name: str):
    return _post_declared(
        request, pk, name, "step", steps.PREPARATION_STEPS, lambda step, _record: f"{step.title}: recorded."
    )


@login_required
@require_POST
def delivery_transition(request, pk: int, name: str):
    return _post_declared(
        request,
        pk,
        name,
        "transition",
        steps.TRANSITIONS,
        lambda _step, moved: f"CN #{moved.pk} is now {moved.get_state_display().lower()}.",
    )


@login_required
def delivery_letter(request, pk: int):
    """The letter as printed and presented (plain text, escaped here)."""
    delivery = get_delivery_for_user(request.user, pk)
    letter = Letter.objects.filter(delivery=delivery, status=Letter.Status.DRAFTED).first()
    if letter is None:
        raise Http404("No letter has been drafted for this CN.")
    return render(request, "notifications/letter.html", {"delivery": delivery, "letter": letter})
