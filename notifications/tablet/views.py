"""The officer's tablet pages: one step a screen, over the same services as every other interface.

Every form carries a hidden idempotency key, claimed with the API's layer (vip/idempotency.py: one row per
user and key): a retry of the same form is answered with the first redirect and never applied twice; the same
key with a different body is refused (422). The offline queue (static/tablet/tablet.js) replays the very same
form POST with the header `X-VIP-Queue: 1` and gets JSON instead of a redirect: 200 with where to go, or
the refusal (409 when the CN moved meanwhile) with its reasons in words.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.staticfiles import finders
from django.core.exceptions import PermissionDenied
from django.db.models import Case, IntegerField, Prefetch, Q, Value, When
from django.http import FileResponse, Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from candidates import photos
from candidates.models import Address
from notifications import guards, rules, services, steps
from notifications.models import Delivery, State, TeamMember
from notifications.selectors import deliveries_on_team_of, deliveries_visible_to, get_delivery_for_user
from notifications.tablet import briefing
from notifications.tablet import forms as f
from vip import idempotency, roles
from vip.errors import DomainError
from vip.kept import kept
from vip.paging import ids_first

QUEUE_HEADER = "X-VIP-Queue"

NEXT_STEP = {
    State.IDENTIFIED: "Not ready yet: the LE Lead is determining eligibility",
    State.ELIGIBLE: "Not ready yet: preparation has not started",
    State.IN_PREPARATION: "Not ready yet: in preparation",
    State.READY: "Advise ECC",
    State.ECC_ADVISED: "Record the encounter",
    State.DELIVERED: "Record the after-action",
    State.DELIVERED_TO_INFLUENCER: "Record the after-action",
    State.REFUSED: "Record the after-action",
    State.NOT_LOCATED: "Record the after-action, or try again",
    State.AFTER_ACTION: "Nothing: the LE Lead confirms and closes",
    State.CLOSED: "Nothing: closed",
    State.CANCELLED: "Nothing: cancelled",
}


def tablet_view(view):
    """Signed in, and an officer or the LE Lead: the people who deliver CNs (SOP 2-64-4 B.1.c)."""

    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not (roles.is_officer(request.user) or roles.is_le_lead(request.user)):
            raise PermissionDenied("The tablet is for officers and the VIP LE Lead.")
        return view(request, *args, **kwargs)

    return wrapper


# --- My deliveries -------------------------------------------------------------------------------------


@tablet_view
@require_GET
def home(request):
    # Reloaded all day at the doors: the list is kept, rendered, until a CN, a team or an address changes.
    rows_html = kept("tablet-home", request.user, lambda: _home_rows_html(request.user))
    return render(request, "tablet/home.html", {"rows_html": rows_html})


def _home_rows_html(user) -> str:
    today = timezone.localdate()
    deliveries = (
        deliveries_on_team_of(user)
        .filter(state__in=rules.OPEN_STATES)
        .annotate(
            rank=Case(
                When(Q(planned_for=today) & Q(state__in=rules.DOOR_STATES), then=Value(0)),
                When(state__in=rules.DOOR_STATES, then=Value(1)),
                When(planned_for=today, then=Value(2)),
                default=Value(3),
                output_field=IntegerField(),
            )
        )
        .annotate(due_at=rules.due_at_expression())  # the rulebook's due time, as the sweep and the dashboard
        .order_by("rank", "planned_for", "pk")
        .prefetch_related(
            Prefetch("candidate__addresses", queryset=Address.objects.order_by("-valid_from", "-id")),
            Prefetch("team_members", queryset=TeamMember.objects.select_related("user").order_by("role", "pk")),
        )
    )
    rows = [
        {
            "delivery": d,
            "address": next(iter(d.candidate.addresses.all()), None),
            "team": list(d.team_members.all()),
            "next_step": NEXT_STEP[d.state],
            "today": d.planned_for == today,
            "juvenile": briefing.juvenile_at_the_door(d),
            "actionable": d.state in rules.DOOR_STATES,
        }
        # The open CNs an officer is on are few in practice; the cap keeps a tablet page small on a weak
        # link whatever the data holds (the benchmark's officer is on thousands).
        for d in ids_first(deliveries, 0, TABLET_LIST_LIMIT)
    ]
    return render_to_string("tablet/_home_rows.html", {"rows": rows, "limited": len(rows) == TABLET_LIST_LIMIT})


TABLET_LIST_LIMIT = 25  # a tablet screen's worth: the ones at the door and today's come first


@tablet_view
@require_GET
def photo(request, pk: int):
    delivery = get_delivery_for_user(request.user, pk)
    if not delivery.candidate.photo:
        raise Http404("No photo.")
    handle = delivery.candidate.photo.open("rb")
    content_type = photos.content_type_of(handle.read(8))  # what the bytes are, not what the name says
    if content_type is None:
        handle.close()
        raise Http404("No photo.")
    handle.seek(0)
    response = FileResponse(handle, content_type=content_type)
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


# --- The door kit: a briefing card for each CN on the team (notifications/tablet/briefing.py) -------------


@tablet_view
@require_GET
def briefing_card(request, pk: int):
    delivery = briefing.get_briefing_delivery(request.user, pk)
    ctx = _context(request, delivery, step_no=None, card=briefing.card_of(delivery, request.user))
    response = render(request, "tablet/briefing.html", ctx)
    response["Cache-Control"] = "private, no-store"
    return response


@tablet_view
@require_GET
def briefing_cards(request):
    """The team's cards as values, for tablet.js to keep encrypted and show without signal."""
    response = JsonResponse({"cards": briefing.cards_for(request.user), "kept_at": timezone.now().isoformat()})
    response["Cache-Control"] = "private, no-store"
    return response


# --- The step router ------------------------------------------------------------------------------------


def step_url(delivery: Delivery) -> str:
    """The screen of the step the team takes next at the door (the registry's `tablet_screen`), else the status."""
    return reverse(steps.tablet_screen(delivery.state), args=[delivery.pk])


@tablet_view
@require_GET
def step(request, pk: int):
    return redirect(step_url(get_delivery_for_user(request.user, pk)))


@tablet_view
@require_GET
def status(request, pk: int):
    delivery = get_delivery_for_user(request.user, pk)
    if delivery.state in rules.DOOR_STATES:
        return redirect(step_url(delivery))
    return render(request, "tablet/status.html", _context(request, delivery, step_no=None))


# --- Idempotency ------------------------------------------------------------------------------------------


def _fingerprint(request) -> str:
    answers = sorted(
        (key, value)
        for key in request.POST
        if key not in ("csrfmiddlewaretoken", "idempotency_key")
        for value in request.POST.getlist(key)
    )
    return idempotency.fingerprint(request.method, request.path, answers)


def _wants_json(request) -> bool:
    return request.headers.get(QUEUE_HEADER) == "1"


def _success(request, location: str, *, replayed: bool = False, message: str = "") -> HttpResponse:
    if _wants_json(request):
        if message and not replayed:
            messages.success(request, message)
        return JsonResponse({"ok": True, "location": location, "replayed": replayed})
    if message and not replayed:
        messages.success(request, message)
    return redirect(location, permanent=False)


def _mismatch(request) -> HttpResponse:
    detail = (
        "This form was already sent with different answers. Nothing was changed by this submission. "
        "Open the CN again to see what was recorded, and fill in the step afresh if it still needs doing."
    )
    if _wants_json(request):
        return JsonResponse({"ok": False, "code": "idempotency_mismatch", "detail": detail}, status=422)
    return render(request, "tablet/problem.html", {"title": "Already sent differently", "detail": detail}, status=422)


def _bad_key(request, problem: str) -> HttpResponse:
    detail = f"This form's key {problem}. Nothing was changed: open the CN again and fill in the step afresh."
    if _wants_json(request):
        return JsonResponse({"ok": False, "code": "invalid", "detail": detail}, status=400)
    return render(request, "tablet/problem.html", {"title": "This form cannot be sent", "detail": detail}, status=400)


def _in_progress(request) -> HttpResponse:
    detail = "The first send of this form is still being processed. Wait a moment, then open the CN again."
    if _wants_json(request):
        return JsonResponse({"ok": False, "code": "in_progress", "detail": detail}, status=409)
    return render(request, "tablet/problem.html", {"title": "Still being processed", "detail": detail}, status=409)


def _refused(request, exc: DomainError, render_page: Callable[[int], HttpResponse]) -> HttpResponse:
    status_code = 404 if exc.code == "not_found" else exc.status_code
    if _wants_json(request):
        return JsonResponse(
            {"ok": False, **exc.as_dict(), "reasons": list(exc.reasons.values()) or [exc.message]}, status=status_code
        )
    return render_page(status_code)


def _submit(request, delivery, form, *, apply: Callable[[dict], None], page: Callable, done: str) -> HttpResponse:
    """POST-redirect-GET for one step, applied once per form key (vip/idempotency.py): validate, call the
    service, answer; a retry is answered where the first went, while the CN is still the officer's."""
    key = request.POST.get("idempotency_key", "").strip()
    problem = idempotency.key_problem(key)
    if problem:
        return _bad_key(request, problem)
    location = reverse("tablet:step", args=[delivery.pk])

    def run() -> HttpResponse | None:
        """The step applied (None), or the refusal to show."""
        if not form.is_valid():
            exc = DomainError("Please correct the highlighted fields.", reasons=_form_reasons(form))
            return _refused(request, exc, lambda code: page(form, 400))
        try:
            apply(form.cleaned_data)
        except DomainError as exc:
            _attach(form, exc)
            return _refused(request, exc, lambda code: page(form, code))
        return None

    outcome = idempotency.once(
        user=request.user,
        key=key,
        request_fingerprint=_fingerprint(request),
        path=request.path,
        apply=run,
        answer_of=lambda refusal: idempotency.Answer(303, {"location": location}) if refusal is None else None,
        still_visible=lambda answer: deliveries_visible_to(request.user).filter(pk=delivery.pk).exists(),
    )
    verdict = idempotency.Verdict
    if outcome.verdict is verdict.APPLIED:
        return _success(request, location, message=done)
    if outcome.verdict is verdict.REFUSED:
        return outcome.result
    if outcome.verdict is verdict.REPLAYED:
        return _success(request, outcome.answer.body["location"], replayed=True)
    if outcome.verdict is verdict.GONE:
        raise Http404("No such CN.")
    if outcome.verdict is verdict.MISMATCH:
        return _mismatch(request)
    return _in_progress(request)


def _form_reasons(form) -> dict[str, str]:
    return {name: " ".join(errors) for name, errors in form.errors.items()}


def _attach(form, exc: DomainError) -> None:
    """Show each guard's reason next to the field it concerns; the rest at the top of the form."""
    placed = False
    for name, reason in exc.reasons.items():
        field = f.FIELD_FOR_GUARD.get(name, name)
        if field in form.fields and field != "idempotency_key":
            form.add_error(field, reason)
            placed = True
        else:
            # A refusal by state ("the CN moved") reads best as the whole message: what it is now, what failed.
            form.add_error(None, exc.message if name == "state" else reason)
            placed = True
    if not placed:
        form.add_error(None, exc.message)


# --- Screens ---------------------------------------------------------------------------------------------


def _context(request, delivery, *, step_no: int | None, **extra) -> dict:
    options = {o.name: o for o in services.transition_options(delivery, request.user)}
    return {
        "delivery": delivery,
        "candidate": delivery.candidate,
        "juvenile": delivery.candidate_is_juvenile(),
        "options": options,
        "step_no": step_no,
        "next_step": NEXT_STEP[delivery.state],
        **extra,
    }


def _unavailable(delivery, options: dict, name: str) -> list[str]:
    """Why a step can't be recorded now, in words (the guards' reasons; else the state or the role)."""
    option = options.get(name)
    if option is None:
        step = steps.TRANSITIONS[name]
        if step.from_state(delivery.state) is None:
            return [f"Not possible while the CN is {delivery.get_state_display().lower()}."]
        return [step.who(delivery.state).refusal]
    return list(option.reasons.values())


def _requirements(ctx: dict, name: str) -> list[str]:
    """What the step's record must show (the payload guards), less what the form itself takes care of."""
    option = ctx["options"].get(name)
    if option is None or ctx["blocked"]:
        return []
    skip = {"encounter_recorded"} | (set() if ctx["juvenile"] else {"guardian_present_for_juvenile"})
    return [reason for guard, reason in option.requires.items() if guard not in skip]


def _moved_on(request, delivery, expected: tuple) -> HttpResponse | None:
    if delivery.state in expected:
        return None
    messages.info(request, f"This CN has moved on: it is now {delivery.get_state_display().lower()}.")
    return redirect(step_url(delivery))


def _step_screen(
    request,
    delivery,
    *,
    name: str,
    template: str,
    step_no: int,
    form_class,
    apply,
    done: str,
    initial=None,
    more=None,
    **context,
):
    """A screen that takes one form for the transition `name`: shown while the CN is in a state the registry
    lets the transition leave, submitted through `_submit`; `more(ctx)` adds what the screen shows besides."""

    def page(form, code=200):
        form.mark_invalid()
        ctx = _context(request, delivery, step_no=step_no, form=form, **context)
        ctx["blocked"] = _unavailable(delivery, ctx["options"], name)
        if more is not None:
            more(ctx)
        return render(request, template, ctx, status=code)

    if request.method == "POST":
        return _submit(request, delivery, form_class(request.POST), apply=apply, page=page, done=done)
    return _moved_on(request, delivery, steps.TRANSITIONS[name].sources) or page(
        form_class(initial=dict(initial or {}))
    )


@tablet_view
def advise_ecc(request, pk: int):
    delivery = get_delivery_for_user(request.user, pk)
    return _step_screen(
        request,
        delivery,
        name="advise-ecc",
        template="tablet/advise_ecc.html",
        step_no=1,
        form_class=f.AdviseEccForm,
        initial={"location": delivery.location},
        apply=lambda d: services.delivery_advise_ecc(
            delivery.pk,
            user=request.user,
            ecc_reference=d["ecc_reference"],
            advised_at=d["advised_at"],
            location=d["location"],
        ),
        done="ECC advisement recorded.",
    )


def _influencers(delivery):
    return list(delivery.candidate.influencers.order_by("-is_legal_guardian", "name"))


def _chosen_guardian(request, influencers):
    chosen = request.GET.get("guardian", "")
    return next((i for i in influencers if str(i.pk) == chosen), None)


@tablet_view
@require_GET
def encounter(request, pk: int):
    delivery = get_delivery_for_user(request.user, pk)
    moved = _moved_on(request, delivery, steps.TRANSITIONS["record-delivery"].sources)
    if moved:
        return moved
    ctx = _context(request, delivery, step_no=2)
    options = ctx["options"]
    influencers = _influencers(delivery)
    guardian = _chosen_guardian(request, influencers) if ctx["juvenile"] else None
    delivered_blocked = _unavailable(delivery, options, "record-delivery")
    if ctx["juvenile"] and guardian is None:
        delivered_blocked.append(guardians_reason())
    ctx.update(
        influencers=influencers,
        guardian=guardian,
        delivered_blocked=delivered_blocked,
        influencer_blocked=_unavailable(delivery, options, "record-influencer-delivery"),
        refusal_blocked=_unavailable(delivery, options, "record-refusal"),
        not_located_blocked=_unavailable(delivery, options, "record-not-located"),
    )
    return render(request, "tablet/encounter.html", ctx)


def guardians_reason() -> str:
    return (
        "Choose the parent or guardian who is present first. "
        + guards.guardian_present_for_juvenile.reason
        + " If none is present, deliver to no one: choose refused, not located, or come back later."
    )


@tablet_view
def delivered(request, pk: int):
    delivery = get_delivery_for_user(request.user, pk)
    influencers = _influencers(delivery)
    juvenile = delivery.candidate_is_juvenile()

    def page(form, code=200):
        form.mark_invalid()
        ctx = _context(request, delivery, step_no=2, form=form)
        ctx["blocked"] = _unavailable(delivery, ctx["options"], "record-delivery")
        ctx["requires"] = _requirements(ctx, "record-delivery")
        return render(request, "tablet/delivered.html", ctx, status=code)

    if request.method == "POST":
        form = f.DeliveredForm(request.POST, influencers=influencers, juvenile=juvenile)
        return _submit(
            request,
            delivery,
            form,
            apply=lambda d: services.delivery_record_delivery(
                delivery.pk, user=request.user, note=d["notes"], **form.encounter_fields()
            ),
            page=page,
            done="Delivery recorded.",
        )
    moved = _moved_on(request, delivery, steps.TRANSITIONS["record-delivery"].sources)
    if moved:
        return moved
    guardian = _chosen_guardian(request, influencers)
    initial = {"guardian_influencer": str(guardian.pk)} if guardian else {}
    return page(f.DeliveredForm(initial=initial, influencers=influencers, juvenile=juvenile))


@tablet_view
def influencer(request, pk: int):
    delivery = get_delivery_for_user(request.user, pk)
    influencers = _influencers(delivery)

    def page(form, code=200):
        form.mark_invalid()
        ctx = _context(request, delivery, step_no=2, form=form)
        ctx["blocked"] = _unavailable(delivery, ctx["options"], "record-influencer-delivery")
        return render(request, "tablet/influencer.html", ctx, status=code)

    if request.method == "POST":
        form = f.InfluencerDeliveryForm(request.POST, influencers=influencers)
        return _submit(
            request,
            delivery,
            form,
            apply=lambda d: services.delivery_record_influencer_delivery(
                delivery.pk, user=request.user, note=d["notes"], **form.encounter_fields()
            ),
            page=page,
            done="Delivery to a family member, influencer or associate recorded.",
        )
    moved = _moved_on(request, delivery, steps.TRANSITIONS["record-influencer-delivery"].sources)
    if moved:
        return moved
    return page(f.InfluencerDeliveryForm(influencers=influencers))


def _one_tap(request, pk: int, *, service, done: str, title: str):
    delivery = get_delivery_for_user(request.user, pk)
    form = f.NoteForm(request.POST)

    def page(form, code=200):
        form.mark_invalid()
        ctx = _context(request, delivery, step_no=None, form=form, title=title)
        return render(request, "tablet/one_tap.html", ctx, status=code)

    return _submit(
        request,
        delivery,
        form,
        apply=lambda d: service(delivery.pk, user=request.user, note=d["note"]),
        page=page,
        done=done,
    )


def _confirmed_outcome(request, pk: int, *, name: str, outcome: str, service, done: str, title: str, meaning: str):
    """An outcome that ends the encounter (refused, not located): GET asks "are you sure?", POST records it.

    Confirmed on a page of its own, so that no tap on the encounter screen records it by mistake (issue 18).
    With the tablet script, the confirmed outcome is kept on the tablet for 10 seconds before it is sent, with
    an Undo button (static/tablet/tablet.js, `data-hold`); without it, confirming records it at once."""
    if request.method == "POST":
        return _one_tap(request, pk, service=service, done=done, title=title)
    delivery = get_delivery_for_user(request.user, pk)
    moved = _moved_on(request, delivery, steps.TRANSITIONS[name].sources)
    if moved:
        return moved
    ctx = _context(request, delivery, step_no=2, form=f.NoteForm(), title=title, meaning=meaning, outcome=outcome)
    ctx["blocked"] = _unavailable(delivery, ctx["options"], name)
    return render(request, "tablet/confirm_outcome.html", ctx)


@tablet_view
@require_http_methods(["GET", "POST"])
def refusal(request, pk: int):
    """SOP 2-64-4 C.1.d: the encounter is consensual; the team records the refusal and leaves."""
    return _confirmed_outcome(
        request,
        pk,
        name="record-refusal",
        outcome="refused",
        service=services.delivery_record_refusal,
        done="Refusal recorded. Leave now; the after-action is next.",
        title="Refused or asked us to leave",
        meaning="The CN is recorded as refused and the team leaves at once (SOP 2-64-4 C.1.d). "
        "The after-action comes next.",
    )


@tablet_view
@require_http_methods(["GET", "POST"])
def not_located(request, pk: int):
    return _confirmed_outcome(
        request,
        pk,
        name="record-not-located",
        outcome="not-located",
        service=services.delivery_record_not_located,
        done="Recorded as not located.",
        title="Not located",
        meaning="The CN is recorded as not located. The after-action comes next; you may then try again later.",
    )


@tablet_view
@require_POST
def retry(request, pk: int):
    return _one_tap(
        request, pk, service=services.delivery_retry, done="Back to ready: advise ECC again.", title="Try again"
    )


@tablet_view
def after_action(request, pk: int):
    delivery = get_delivery_for_user(request.user, pk)

    def more(ctx):
        ctx["requires"] = _requirements(ctx, "record-after-action")
        ctx["outcome"] = delivery.latest_encounter()

    return _step_screen(
        request,
        delivery,
        name="record-after-action",
        template="tablet/after_action.html",
        step_no=3,
        form_class=f.AfterActionForm,
        retry_form=f.NoteForm(auto_id="retry_%s"),
        more=more,
        apply=lambda d: services.delivery_record_after_action(
            delivery.pk,
            user=request.user,
            cad_report_number=d["cad_report_number"],
            ecc_advised_of_outcome=d["ecc_advised_of_outcome"],
            notes=d["notes"],
        ),
        done="After-action recorded. The LE Lead will confirm and close the CN.",
    )


# --- Offline support -------------------------------------------------------------------------------------


@require_GET
def service_worker(request):
    """static/tablet/sw.js served from /tablet/ so that its scope is the tablet pages."""
    path = finders.find("tablet/sw.js")
    with open(path, encoding="utf-8") as handle:
        body = handle.read()
    body = body.replace("__STATIC_URL__", settings.STATIC_URL).replace("__OFFLINE_URL__", reverse("tablet:offline"))
    response = HttpResponse(body, content_type="text/javascript")
    response["Service-Worker-Allowed"] = reverse("tablet:home")
    response["Cache-Control"] = "no-cache"
    return response


@require_GET
def offline(request):
    """The page the service worker shows when there is no signal: nothing about any person on it."""
    return render(request, "tablet/offline.html")
