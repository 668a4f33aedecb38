"""Pages of the reports app: small views that check access, call a selector or a service, render.

The dashboard, its drill-downs and cohort pages, the exports and the transparency report read the replica when
there is one (`reads_replica`, vip/replica.py), after their access checks, which read the primary."""

from __future__ import annotations

import datetime as dt
from functools import partial, wraps
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, HttpResponseBadRequest, JsonResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from candidates.models import ServiceOffer
from candidates.selectors import candidates_visible_to, get_candidate_for_user
from reports import charts, exports, follow_up, funnel, snapshots
from reports import extract as research
from reports import figures as f
from reports import transparency as public
from reports.filters import OutcomeFilter, ServiceFilter, filtered
from reports.forms import EvaluationExtractForm, ExportForm, OutcomeEventForm, ServiceOfferForm
from reports.services import (
    may_record_outcomes,
    may_record_services,
    offers_visible_to,
    outcome_event_create,
    outcomes_visible_to,
    service_offer_create,
    service_offer_update,
)
from vip import roles
from vip.audit import audit
from vip.errors import DomainError
from vip.kept import kept
from vip.paging import query_without_page
from vip.replica import reads_replica

PAGE_SIZE = 50


def role_required(test):
    def decorator(view):
        @wraps(view)
        @login_required
        def wrapper(request, *args, **kwargs):
            if not test(request.user):
                raise PermissionDenied("Your role does not give access to this page.")
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


program_leads = role_required(roles.sees_all_candidates)  # the VIP LE Lead and the Program Manager


def _refused(exc: DomainError) -> HttpResponse:
    """A request refused, with its reason in words and its status (400 what to fix; 403 a number the services
    wall keeps from every list)."""
    return HttpResponse(exc.message, status=exc.status_code, content_type="text/plain; charset=utf-8")


def _query(params, **extra) -> str:
    merged = {k: v for k, v in params.items() if v not in ("", None)}
    merged.update({k: v for k, v in extra.items() if v not in ("", None)})
    return urlencode(merged)


# --- the dashboard ---------------------------------------------------------------------------------------


OVERDUE_SHOWN = 25  # the longest late; the drill-down lists them all
THIS_WEEK_SHOWN = 25  # the first planned, by planned day; the drill-down lists all, and those met this week
PERIOD_PARAMS = ("start", "end", "window")


@program_leads
@reads_replica
def dashboard(request):
    period, window, errors = f.parse_period(request.GET)
    figures, freshness = snapshots.dashboard_figures(request.user, period, window)
    period_params = {"start": period.start.isoformat(), "end": period.end.isoformat(), "window": window}
    now = timezone.localtime()
    # each count links to its records with the period and the moment it was computed (the drill-down brings
    # the figure to its own moment if the records changed since: snapshots.agree)
    q = _query(period_params, as_of=_moment(freshness))
    # the pipeline and the overdue count may have been recounted alone since (snapshots.recount_the_moment)
    moment = freshness.of_the_moment
    q_moment = _query(period_params, as_of=_moment(moment))
    # The live lists (the longest late, this week's) are kept, rendered, until a CN changes or the minute
    # turns ("late by" is in minutes); everyone who sees the same CNs shares one copy.
    live_lists_html = kept(
        "dashboard-lists",
        request.user,
        lambda: _live_lists_html(f.scope_for(request.user), figures, moment, now, q_moment),
        freshness.cache_key,
        q_moment,
        now.strftime("%H%M"),
        shared=True,
    )
    context = {
        "period": period,
        "window": window,
        "errors": errors,
        "figures": figures,
        "freshness": freshness,
        "freshness_text": freshness.text(),
        # What is drawn from the snapshot's numbers alone is rendered once per snapshot (template cache).
        "figures_cache_key": freshness.cache_key,
        # what the "Recompute now" form sends back, so the page comes back on the same period
        "asked": period_params if any(request.GET.get(k) for k in PERIOD_PARAMS) else {},
        "pipeline": figures.pipeline,
        "live_lists_html": live_lists_html,
        "q": q,
        "as_of_text": freshness.as_of_text(),
        "q_moment": q_moment,
        "moment_as_of_text": moment.as_of_text(),
        "charts": partial(_charts, figures),  # called by the template only when not cached
    }
    return render(request, "reports/dashboard.html", context)


def _moment(freshness) -> str:
    return freshness.computed_at.astimezone(dt.UTC).isoformat(timespec="seconds")


def _live_lists_html(scope: f.Scope, figures: f.FigureCounts, freshness, now, q: str) -> str:
    this_week = f.planned_this_week(scope, THIS_WEEK_SHOWN + 1)
    return render_to_string(
        "reports/_live_lists.html",
        {
            "figures": figures,
            "freshness": freshness,
            "q": q,
            "as_of_text": freshness.as_of_text(now),
            "overdue": f.overdue(scope, limit=OVERDUE_SHOWN),
            "this_week": this_week[:THIS_WEEK_SHOWN],
            "this_week_more": len(this_week) > THIS_WEEK_SHOWN,
            "week": f.week_bounds(),
        },
    )


def _charts(figures: f.FigureCounts) -> list[charts.Chart]:
    months = [m.label for m in figures.months]
    return [
        charts.bar_chart(
            id="chart-contacts",
            title="CNs by month: contacts and refusals",
            categories=months,
            series=[
                charts.Series("Contacts", "bar-1", [m.contacts for m in figures.months]),
                charts.Series("Refusals", "bar-2", [m.refusals for m in figures.months]),
            ],
        ),
        charts.bar_chart(
            id="chart-services",
            title="Services by month: offered and accepted",
            categories=months,
            series=[
                charts.Series("Offered", "bar-3", [m.offered for m in figures.months]),
                charts.Series("Accepted", "bar-4", [m.accepted for m in figures.months]),
            ],
        ),
    ]


@program_leads
@require_POST
def recompute(request):
    """The dashboard's "Recompute now": its figures from the records at once, then back to the dashboard."""
    period, window, errors = f.parse_period(request.POST)
    if errors:
        return HttpResponseBadRequest(" ".join(errors.values()))
    _, freshness = snapshots.dashboard_figures(request.user, period, window, force=True)
    audit(
        actor=request.user,
        action="update",
        object_type="reports.FiguresSnapshot",
        object_id=freshness.snapshot_id or "",
        note="Dashboard figures recomputed on request.",
        changes={
            "period": [period.start.isoformat(), period.end.isoformat()],
            "window": window,
            "duration_ms": freshness.duration_ms,
        },
    )
    messages.success(request, f"Figures recomputed from the records ({freshness.duration_ms / 1000:.1f} s).")
    asked = {k: request.POST[k] for k in PERIOD_PARAMS if request.POST.get(k)}
    return redirect(reverse("reports:dashboard") + (f"?{urlencode(asked)}" if asked else ""))


def _as_of(params) -> dt.datetime | None:
    """The moment of the figure a drill-down was opened from (its link's `as_of`), or None."""
    raw = (params.get("as_of") or "").strip()
    if not raw:
        return None
    try:
        moment = dt.datetime.fromisoformat(raw)
    except ValueError:
        raise DomainError(f"“{raw}” is not a moment: as_of is a date and time such as 2026-12-02T10:42:00+00:00.")
    return moment if timezone.is_aware(moment) else timezone.make_aware(moment)


BACK_TO = {"funnel": "reports:funnel", "follow_up": "reports:follow_up"}  # the page a cohort figure is shown on


@program_leads
@reads_replica
def drill(request, figure: str):
    if figure not in f.FIGURES:
        raise Http404("No such figure.")
    records, title = f.FIGURES[figure].records, f.FIGURES[figure].title
    period, window, errors = f.parse_period(request.GET)
    if errors:
        return HttpResponseBadRequest(" ".join(errors.values()))
    try:
        came_from = _as_of(request.GET)
        cell = f.cell_of(figure, request.GET) if figure in f.COHORT_FIGURES else ""
    except DomainError as exc:
        return _refused(exc)
    scope = f.scope_for(request.user)
    program = f.program_figures(scope, period, window) if figure in f.PERIOD_FIGURES else None
    ids = f.drill_ids(figure, scope, period, window, request.GET, program=program)
    # The figure the user came from, brought to this moment if the records changed since it was computed.
    agreement = snapshots.agree(request.user, figure, period, window, request.GET, len(ids), program=program)
    if figure == "state":
        label = dict(f.State.choices).get(request.GET.get("state", ""), "?")
        title = f"CNs in the state “{label}”"
    if cell:
        title = f.COHORT_FIGURES[figure].title(cell)
    rows = {
        f.DELIVERIES: lambda: scope.deliveries.filter(pk__in=ids).select_related("candidate").order_by("pk"),
        f.CANDIDATES: lambda: scope.candidates.filter(pk__in=ids).order_by("last_name", "first_name", "pk"),
        f.OFFERS: lambda: offers_visible_to(request.user).filter(pk__in=ids).order_by("offered_on", "pk"),
        f.OUTCOMES: lambda: outcomes_visible_to(request.user).filter(pk__in=ids).order_by("occurred_on", "pk"),
    }[records]()
    export_kind = exports.EXPORT_FOR_RECORDS[records]
    params = {k: request.GET.get(k) for k in ("start", "end", "window", "state", "type", "cell")}
    # The list names people (juveniles among them): the request's read row names each (vip/audit/middleware.py).
    now = timezone.now()
    return render(
        request,
        "reports/drill.html",
        {
            "figure": figure,
            "title": title,
            "records": records,
            "rows": rows,
            "listed": len(ids),
            "period": period,
            "window": window,
            "dated": figure not in f.MOMENT_FIGURES,
            "agreement": agreement,
            "as_of_text": agreement.freshness.as_of_text(now) if agreement.freshness else "",
            "before_text": agreement.before[1].as_of_text(now) if agreement.before else "",
            # the figures were recomputed (by the task, "Recompute now" or another drill-down) since the
            # dashboard this drill-down was opened from
            "moved_on": bool(
                came_from
                and agreement.freshness
                and not agreement.recomputed
                and came_from < agreement.freshness.computed_at - dt.timedelta(seconds=1)
            ),
            "listed_at": timezone.localtime(now),
            "export_url": reverse("reports:export", args=[export_kind]) + "?" + _query(params, figure=figure),
            "back_url": reverse(BACK_TO.get(figure, "reports:dashboard"))
            + "?"
            + _query({"start": params["start"], "end": params["end"], "window": params["window"]}),
            "back_to": "Dashboard" if figure not in BACK_TO else f.FIGURES[figure].title.capitalize(),
        },
    )


# --- the delivery funnel and the follow-up outcomes (issue 19) ---------------------------------------------


def _cohort_page(request, template: str, extra):
    """A page of the dashboard's snapshot (its period form, its moment): numbers only, each opening its
    records through the dashboard's drill-down (`drill`, `?cell=`), which brings the figure to its moment."""
    period, window, errors = f.parse_period(request.GET)
    figures, freshness = snapshots.dashboard_figures(request.user, period, window)
    period_params = {"start": period.start.isoformat(), "end": period.end.isoformat(), "window": window}
    return render(
        request,
        template,
        {
            "period": period,
            "window": window,
            "errors": errors,
            "figures": figures,
            "freshness_text": freshness.text(),
            "as_of_text": freshness.as_of_text(),
            "computed_on": timezone.localdate(freshness.computed_at),
            "q": _query(period_params, as_of=_moment(freshness)),
            **extra(figures),
        },
    )


@program_leads
@reads_replica
def funnel_page(request):
    def extra(figures):
        stages, exits = funnel.lines(figures.funnel, request.user)
        return {
            "stages": stages,
            "exits": exits,
            "walled_from": funnel.walled_from(request.user),
            "walled_shown": any(line.stage.walled for line in stages),
            "wall_definition": funnel.WALL_DEFINITION,
            "times_definition": funnel.TIMES_DEFINITION,
        }

    return _cohort_page(request, "reports/funnel.html", extra)


@program_leads
@reads_replica
def follow_up_page(request):
    def extra(figures):
        return {
            "lines": follow_up.lines(figures.follow_up),
            "windows": follow_up.WINDOWS,
            "kinds": follow_up.KINDS,
            "categories": follow_up.CATEGORIES,
            "definitions": follow_up.DEFINITIONS,
            "news": [
                (key, label, definition, _news_number(figures, key))
                for key, label, definition in follow_up.NEWS_FIGURES
            ],
        }

    return _cohort_page(request, "reports/follow_up.html", extra)


def _news_number(figures: f.FigureCounts, key: str) -> tuple[str, str]:
    """The news figure as the page shows it, and what it is a share of."""
    if key == "reoffended":
        rate = figures.reoffence_rate
        return ("n/a" if rate is None else f"{rate}%"), f"{figures.reoffended} of {figures.contacted} people contacted"
    return str(getattr(figures, key)), ""


# --- services (the social services component) ------------------------------------------------------------


@role_required(may_record_services)
def service_list(request):
    all_offers = offers_visible_to(request.user)
    filterset, offers = filtered(ServiceFilter, request.GET, all_offers, when_invalid=all_offers)
    candidate = None
    if request.GET.get("candidate"):
        candidate = get_candidate_for_user(request.user, request.GET["candidate"])
    page = Paginator(offers.order_by("-offered_on", "-pk"), PAGE_SIZE).get_page(request.GET.get("page"))
    query = query_without_page(request)
    return render(
        request,
        "reports/services/list.html",
        {
            "form": filterset.form,
            "page": page,
            "candidate": candidate,
            "pickable": []
            if candidate
            else candidates_visible_to(request.user).order_by("last_name", "first_name")[:500],
            "q": query,
            "export_url": reverse("reports:export", args=["services"]) + "?" + query,
        },
    )


def _apply_service_errors(form, exc: ValidationError | DomainError) -> None:
    if isinstance(exc, ValidationError) and hasattr(exc, "error_dict"):
        for name, errors in exc.message_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, getattr(exc, "message", None) or " ".join(exc.messages))


@role_required(may_record_services)
@require_http_methods(["GET", "POST"])
def service_new(request):
    if not request.GET.get("candidate"):
        messages.info(request, "Pick the person the service is offered to first.")
        return redirect("reports:services")
    candidate = get_candidate_for_user(request.user, request.GET["candidate"])
    form = ServiceOfferForm(request.POST or None, user=request.user, candidate=candidate)
    if request.method == "POST" and form.is_valid():
        try:
            service_offer_create(user=request.user, candidate=candidate, **form.cleaned_data)
        except (ValidationError, DomainError) as exc:
            _apply_service_errors(form, exc)
        else:
            label = ServiceOffer.Type(form.cleaned_data["service_type"]).label
            messages.success(request, f"Recorded the offer of {label.lower()} for {candidate}.")
            return redirect(reverse("reports:services") + f"?candidate={candidate.pk}")
    return render(request, "reports/services/form.html", {"form": form, "candidate": candidate, "offer": None})


@role_required(may_record_services)
@require_http_methods(["GET", "POST"])
def service_edit(request, pk: int):
    try:
        offer = offers_visible_to(request.user).get(pk=pk)
    except ServiceOffer.DoesNotExist:
        raise Http404("No such service offer.") from None
    form = ServiceOfferForm(request.POST or None, instance=offer, user=request.user, candidate=offer.candidate)
    if request.method == "POST" and form.is_valid():
        changed = {name: form.cleaned_data[name] for name in form.changed_data}
        try:
            service_offer_update(user=request.user, offer_id=offer.pk, **changed)
        except (ValidationError, DomainError) as exc:
            _apply_service_errors(form, exc)
        else:
            messages.success(request, f"Saved the offer for {offer.candidate}.")
            return redirect(reverse("reports:services") + f"?candidate={offer.candidate_id}")
    return render(request, "reports/services/form.html", {"form": form, "candidate": offer.candidate, "offer": offer})


# --- outcomes after a CN -------------------------------------------------------------------------------------


@role_required(may_record_outcomes)
@require_http_methods(["GET", "POST"])
def outcome_list(request):
    all_events = outcomes_visible_to(request.user)
    filters, events = filtered(OutcomeFilter, request.GET, all_events, when_invalid=all_events)
    initial = {"occurred_on": timezone.localdate()}
    if request.GET.get("candidate"):
        initial["candidate"] = get_candidate_for_user(request.user, request.GET["candidate"]).pk
    form = OutcomeEventForm(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            event = outcome_event_create(user=request.user, **form.cleaned_data)
        except (ValidationError, DomainError) as exc:
            _apply_service_errors(form, exc)
        else:
            messages.success(request, f"Recorded: {event.get_kind_display()} for {event.candidate}.")
            return redirect(request.get_full_path())
    page = Paginator(events.order_by("-occurred_on", "-pk"), PAGE_SIZE).get_page(request.GET.get("page"))
    query = query_without_page(request)
    return render(
        request,
        "reports/outcomes/list.html",
        {
            "filters": filters.form,
            "form": form,
            "page": page,
            "q": query,
            "export_url": reverse("reports:export", args=["outcomes"]) + "?" + query,
        },
    )


# --- exports -------------------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
@reads_replica
def export(request, kind: str):
    if kind not in exports.KINDS:
        raise Http404("No such export.")
    if not exports.may_export(request.user, kind):
        raise PermissionDenied("Your role may not export these records.")
    try:
        qs = exports.export_queryset(request.user, kind, request.GET)
    except DomainError as exc:
        return _refused(exc)
    form = ExportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        ids = exports.record_export(request=request, kind=kind, qs=qs, reason=form.cleaned_data["reason"])
        response = StreamingHttpResponse(exports.csv_lines(kind, qs, ids), content_type="text/csv; charset=utf-8")
        stamp = timezone.localdate().isoformat()
        response["Content-Disposition"] = f'attachment; filename="vip-{kind}-{stamp}.csv"'
        response["Cache-Control"] = "no-store"
        return response
    return render(
        request,
        "reports/export.html",
        {
            "form": form,
            "kind": kind,
            "noun": exports.NOUNS[kind],
            "count": qs.count(),
            "filters": {k: v for k, v in request.GET.items() if v},
        },
    )


# --- the evaluation extract (issue 19, part 5) --------------------------------------------------------------


@role_required(research.may_extract)
@require_http_methods(["GET", "POST"])
def evaluation_extract(request):
    """The pseudonymised extract for an outside evaluator, as a zip: refused (409, the form as typed) when the
    privacy check finds a group smaller than k and no data-use agreement is recorded."""
    form = EvaluationExtractForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                extract = research.evaluation_extract(
                    reason=form.cleaned_data["reason"],
                    dua=form.cleaned_data["data_use_agreement"],
                    user=request.user,
                    request=request,
                )
            except research.ExtractRefused as refused:
                form.add_error(None, refused.summary)  # the combinations are listed on the page
                form.add_error("data_use_agreement", refused.reasons["data_use_agreement"])
                status = refused.status_code
            else:
                response = HttpResponse(extract.zip_bytes(), content_type="application/zip")
                stamp = timezone.localdate().isoformat()
                response["Content-Disposition"] = f'attachment; filename="vip-evaluation-extract-{stamp}.zip"'
                response["Cache-Control"] = "no-store"
                return response
    records = research.read_records(whole=False)
    small = research.small_cells(records)
    context = {
        "form": form,
        "people": len(records.people),
        "cns": len(records.cns),
        "outcomes": len(records.outcomes),
        "small": small[: research.SHOWN_CELLS],
        "more_small": max(0, len(small) - research.SHOWN_CELLS),
        "k": research.K_ANONYMITY,
        "bands": research.BANDS,
        "shift_days": research.DATE_SHIFT_DAYS,
        "tables": research.TABLES,
    }
    return render(request, "reports/extract.html", context, status=status)


# --- the public transparency report (SOP 2-64-2) -------------------------------------------------------------


@reads_replica
def transparency(request):
    report = public.transparency_report()
    return render(request, "reports/transparency.html", {"report": report})


@reads_replica
def transparency_json(request):
    response = JsonResponse(public.as_json(public.transparency_report()), json_dumps_params={"indent": 2})
    response["Access-Control-Allow-Origin"] = "*"
    return response
