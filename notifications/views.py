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
from django.http import Http404
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.views.decorators.http import require_POST

from candidates.selectors import get_candidate_for_user, may_see_checks
from notifications import forms as f
from notifications import services
from notifications.models import (
    OPEN_STATES,
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
        page = CountedPaginator(
            visible.filter(state=chosen).order_by("state_entered_at", "id"), BOARD_PAGE_SIZE, counts.get(chosen, 0)
        ).get_page(request.GET.get("page"))
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
        },
    )


def _longest_waiting(visible):
    """Each state's longest-waiting CNs, at most BOARD_ROWS_PER_STATE; finished CNs pile up over the years:
    for those the board shows the recent ones (filter by state to see all)."""
    since = timezone.make_aware(dt.datetime.combine(timezone.localdate() - FINISHED_SHOWN_FOR, dt.time.min))
    recent = visible.filter(state_entered_at__gte=since)
    sources = {state: visible if state in OPEN_STATES else recent for state in State.values}
    ids = first_in_each_state(sources, BOARD_ROWS_PER_STATE)
    rows = visible.filter(pk__in=ids).order_by("state_entered_at", "id").select_related(None)
    return rows.select_related("candidate").only(*BOARD_FIELDS)


def _board_columns(rows, counts: dict[str, int], chosen: str) -> str:
    today = timezone.localdate()
    columns = {state: [] for state in State.values}
    for delivery in rows:
        delivery.days_in_state = (today - timezone.localdate(delivery.state_entered_at)).days  # calendar days
        delivery.juvenile = delivery.candidate.is_juvenile(today)
        columns[delivery.state].append(delivery)
    sections = [
        {
            "state": state,
            "label": label,
            "count": counts.get(state, 0),
            "deliveries": columns[state],
            "recent_only": not chosen and state not in OPEN_STATES,
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
            finished=Case(When(state__in=OPEN_STATES, then=Value(0)), default=Value(1), output_field=IntegerField())
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
        },
    )


# --- new CN ---------------------------------------------------------------------------------------------


@login_required
def delivery_new(request):
    _require(roles.is_le_lead(request.user))
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


def checklist(delivery, user) -> list[ChecklistItem]:
    """The SOP steps of this CN, done and to do, each with who and when."""
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
    for kind, label in Check.Kind.choices:
        check = checks.get(kind)
        items.append(
            ChecklistItem(
                f"{label} completed",
                "2-64-4 B.1.a",
                check is not None,
                _who(check and check.completed_by),
                check and check.completed_on,
                check.get_result_display() if (check and show_checks) else "",
            )
        )
    letter = Letter.objects.filter(delivery=delivery).select_related("recorded_by").first()
    items.append(
        ChecklistItem(
            "Letter drafted, or recorded as not warranted",
            "2-64-4 B.1.b",
            letter is not None,
            _who(letter and letter.recorded_by),
            letter and letter.recorded_at,
            (letter.get_status_display() + (f": {letter.not_warranted_reason}" if letter.not_warranted_reason else ""))
            if letter
            else "",
        )
    )
    team = list(delivery.team_members.select_related("user", "added_by"))
    items.append(
        ChecklistItem(
            "Delivering personnel coordinated",
            "2-64-4 B.1.c, 2-64-6",
            any(m.role in ("officer", "le_lead") for m in team),
            detail=", ".join(str(m) for m in team),
        )
    )
    social = SocialServicesCoordination.objects.filter(delivery=delivery).select_related("recorded_by").first()
    items.append(
        ChecklistItem(
            "Social services component coordinated",
            "2-64-4 B.1.d",
            social is not None,
            _who(social and social.recorded_by),
            social and social.coordinated_on,
            social.plan if social else "",
        )
    )
    if juvenile or JPOCheck.objects.filter(delivery=delivery).exists():
        jpo = JPOCheck.objects.filter(delivery=delivery).select_related("recorded_by").first()
        items.append(
            ChecklistItem(
                "Juvenile Probation Office contacted; decision recorded",
                "2-64-5 B.1",
                jpo is not None,
                _who(jpo and jpo.recorded_by),
                jpo and jpo.contacted_on,
                f"{jpo.get_decision_display()}: {jpo.reasons}" if jpo else "",
            )
        )
        attempts = list(delivery.guardian_contacts.select_related("recorded_by").order_by("attempted_at"))
        items.append(
            ChecklistItem(
                "Parent or guardian contact attempted",
                "2-64-5 B.1.f",
                bool(attempts),
                _who(attempts[-1].recorded_by) if attempts else "",
                attempts[-1].attempted_at if attempts else None,
                "; ".join(
                    f"{a.guardian_name} ({a.get_method_display()}, {'reached' if a.reached else 'not reached'})"
                    for a in attempts
                ),
            )
        )
    ecc = delivery.latest_ecc_advisement()
    items.append(
        ChecklistItem(
            "ECC advised of location, team and identity",
            "2-64-4 C.1.a",
            bool(ecc and ecc.attempt == delivery.attempt),
            _who(ecc and ecc.recorded_by),
            ecc and ecc.advised_at,
            ecc.location if ecc else "",
        )
    )
    encounter = delivery.latest_encounter()
    items.append(
        ChecklistItem(
            "Encounter and outcome recorded",
            "2-64-4 C",
            bool(encounter and encounter.attempt == delivery.attempt),
            _who(encounter and encounter.recorded_by),
            encounter and encounter.occurred_at,
            encounter.get_outcome_display() if encounter else "",
        )
    )
    after = AfterAction.objects.filter(delivery=delivery).select_related("recorded_by", "confirmed_by").first()
    items.append(
        ChecklistItem(
            "ECC advised of the outcome; CAD report number recorded",
            "2-64-4 D.1",
            after is not None,
            _who(after and after.recorded_by),
            after and after.recorded_at,
            after.cad_report_number if after else "",
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


STEP_FORMS = {
    # name: (form, service call, title)
    "threat-assessment": (
        f.CheckForm,
        lambda pk, user, data: services.record_check(pk, user=user, kind="threat_assessment", **data),
        "Threat assessment",
    ),
    "background-check": (
        f.CheckForm,
        lambda pk, user, data: services.record_check(pk, user=user, kind="background_check", **data),
        "Background check",
    ),
    "letter": (f.LetterForm, lambda pk, user, data: services.record_letter(pk, user=user, **data), "Letter"),
    "team-add": (f.TeamAddForm, lambda pk, user, data: services.add_team_member(pk, user=user, **data), "Add to team"),
    "team-remove": (
        f.TeamRemoveForm,
        lambda pk, user, data: services.remove_team_member(pk, user=user, **data),
        "Remove from team",
    ),
    "social-services": (
        f.SocialServicesForm,
        lambda pk, user, data: services.record_social_services(pk, user=user, **data),
        "Social services coordination",
    ),
    "jpo-check": (
        f.JPOCheckForm,
        lambda pk, user, data: services.record_jpo_check(pk, user=user, **data),
        "Juvenile Probation Office",
    ),
    "guardian-contact": (
        f.GuardianContactForm,
        lambda pk, user, data: services.record_guardian_contact(pk, user=user, **data),
        "Parent or guardian contact attempt",
    ),
}
JUVENILE_STEPS = ("jpo-check", "guardian-contact")
PREPARATION_STATES = (State.IDENTIFIED, State.ELIGIBLE, State.IN_PREPARATION)


def _step_initial(name) -> dict:
    today = timezone.localdate()
    return {
        "threat-assessment": {"completed_on": today},
        "background-check": {"completed_on": today},
        "social-services": {"coordinated_on": today},
        "jpo-check": {"contacted_on": today},
        "guardian-contact": {"attempted_at": timezone.localtime().replace(second=0, microsecond=0)},
    }.get(name, {})


def _add_errors(form, exc: DomainError) -> None:
    """Show a service's refusal on the form: each reason on its field when the form has it, else on top."""
    on_top = False
    for key, reason in exc.reasons.items():
        if key in form.fields:
            form.add_error(key, reason)
        else:
            form.add_error(None, reason)
            on_top = True
    if not on_top:
        form.add_error(None, exc.message)


def _page(request, delivery, *, bound: tuple[str, str, object] | None = None, status: int = 200):
    """Render the CN page; `bound` = (kind, name, form) keeps a refused form with what was typed."""
    user = request.user
    lead = roles.is_le_lead(user)
    juvenile = delivery.candidate_is_juvenile()
    steps = []
    if lead and not delivery.is_read_only:
        for name, (form_class, _call, title) in STEP_FORMS.items():
            if name == "team-remove" or (name in JUVENILE_STEPS and not juvenile):
                continue
            if delivery.state not in PREPARATION_STATES and name not in ("team-add", "guardian-contact"):
                continue
            if bound and bound[:2] == ("step", name):
                form = bound[2]
            else:
                form = form_class(delivery=delivery, initial=_step_initial(name), prefix=name)
            steps.append({"name": name, "title": title, "form": form})
    options = []
    for option in services.transition_options(delivery, user):
        form_class = f.TRANSITION_FORMS[option.name]
        if bound and bound[:2] == ("transition", option.name):
            form = bound[2]
        else:
            form = form_class(delivery=delivery, prefix=option.name)
        options.append({"option": option, "form": form, "label": option.name.replace("-", " ").capitalize()})
    team = list(delivery.team_members.select_related("user"))
    return render(
        request,
        "notifications/detail.html",
        {
            "delivery": delivery,
            "juvenile": juvenile,
            "checklist": checklist(delivery, user),
            "steps": steps,
            "options": options,
            "team": team,
            "may_edit_team": lead and not delivery.is_read_only,
            "letter": Letter.objects.filter(delivery=delivery).first(),
            # Shown at the top too: a refused form may belong to a step no longer offered to this user.
            "refused_form": bound[2] if bound else None,
        },
        status=status,
    )


@login_required
def delivery_detail(request, pk: int):
    return _page(request, get_delivery_for_user(request.user, pk))


@login_required
@require_POST
def delivery_step(request, pk: int, name: str):
    delivery = get_delivery_for_user(request.user, pk)
    if name not in STEP_FORMS:
        raise Http404
    form_class, call, title = STEP_FORMS[name]
    form = form_class(request.POST, delivery=delivery, prefix=name)
    status = 400
    if form.is_valid():
        try:
            call(delivery.pk, request.user, form.service_kwargs())
        except DomainError as exc:
            _add_errors(form, exc)
            status = exc.status_code
        else:
            messages.success(request, f"{title}: recorded.")
            return redirect("notifications:detail", pk=delivery.pk)
    delivery = get_delivery_for_user(request.user, pk)
    return _page(request, delivery, bound=("step", name, form), status=status)


@login_required
@require_POST
def delivery_transition(request, pk: int, name: str):
    delivery = get_delivery_for_user(request.user, pk)
    if name not in services.TRANSITIONS:
        raise Http404
    form = f.TRANSITION_FORMS[name](request.POST, delivery=delivery, prefix=name)
    status = 400
    if form.is_valid():
        try:
            moved = services.transition_by_api_name(name)(delivery.pk, user=request.user, **form.service_kwargs())
        except DomainError as exc:
            _add_errors(form, exc)
            status = exc.status_code
        else:
            messages.success(request, f"CN #{moved.pk} is now {moved.get_state_display().lower()}.")
            return redirect("notifications:detail", pk=delivery.pk)
    delivery = get_delivery_for_user(request.user, pk)
    return _page(request, delivery, bound=("transition", name, form), status=status)


@login_required
def delivery_letter(request, pk: int):
    """The letter as printed and presented (plain text, escaped here)."""
    delivery = get_delivery_for_user(request.user, pk)
    letter = Letter.objects.filter(delivery=delivery, status=Letter.Status.DRAFTED).first()
    if letter is None:
        raise Http404("No letter has been drafted for this CN.")
    return render(request, "notifications/letter.html", {"delivery": delivery, "letter": letter})
