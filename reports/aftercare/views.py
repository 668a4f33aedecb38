"""The aftercare pages (issue 19): small views that check access (the wall's selectors), call one service, and show
its refusal next to the form, in the service's words, with everything typed kept."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from candidates.aftercare import selectors, services
from candidates.aftercare.kinds import REDISCLOSURE_NOTICE, Area
from candidates.aftercare.models import PartnerReferral
from reports.aftercare.forms import AssignForm, CaseNoteForm, ConsentForm, NeedForm, ReferralForm, ReferralResultForm
from reports.views import role_required
from vip.errors import DomainError


@require_GET
@role_required(selectors.may_read_aftercare)
def caseload(request):
    """A navigator's people, open referrals and follow-ups due; for the Program Manager, totals only (and the
    people who consented to a program review)."""
    context = {"navigator": selectors.may_work_aftercare(request.user)}
    if context["navigator"]:
        context.update(selectors.caseload(request.user))
        context["notice"] = selectors.shows_part2(context["open_referrals"])
    else:
        context["totals"] = _totals_in_words(selectors.aftercare_totals(request.user))
        context["consented"] = selectors.aftercare_candidates_for(request.user).order_by("last_name", "first_name")
    context["redisclosure_notice"] = REDISCLOSURE_NOTICE
    return render(request, "aftercare/caseload.html", context)


def _totals_in_words(totals: dict) -> dict:
    needs = {}
    for row in totals["needs"]:
        needs.setdefault(Area(row["area"]).label, {})[row["status"]] = row["count"]
    results = [(PartnerReferral.Result(row["result"]).label, row["count"]) for row in totals["referrals"]]
    return {"needs": needs, "referrals": results}


def _person_page(request, candidate, *, forms=None, status=200):
    user = request.user
    needs = list(selectors.needs_visible_to(user).filter(candidate=candidate).order_by("area"))
    referrals = list(selectors.referrals_visible_to(user).filter(candidate=candidate).order_by("-referred_on", "-pk"))
    consents = list(selectors.consents_visible_to(user).filter(candidate=candidate).select_related("withdrawn_by"))
    notes = list(selectors.case_notes_visible_to(user).filter(candidate=candidate).order_by("-written_at", "-pk"))
    navigator = selectors.may_work_aftercare(user)
    forms = forms or {}
    context = {
        "candidate": candidate,
        "needs": needs,
        "referrals": referrals,
        "consents": consents,
        "notes": notes,
        "navigator": navigator,
        "assignment": selectors.assignments_visible_to(user).filter(candidate=candidate).first(),
        # 42 CFR 2.32: a page that discloses substance use information carries the redisclosure notice
        "notice": selectors.shows_part2(needs, referrals, consents, notes),
        "redisclosure_notice": REDISCLOSURE_NOTICE,
        "today": timezone.localdate(),
    }
    # a form sent back: its refusal is said at the top too, since the page opens at the top
    refused = [(key, form) for key, form in forms.items() if form.errors]
    if refused:
        context["refused_key"], context["refused"] = refused[0]
    if navigator:
        context.update(
            need_form=forms.get("need") or NeedForm(),
            referral_form=forms.get("referral") or ReferralForm(),
            consent_form=forms.get("consent") or ConsentForm(),
            note_form=forms.get("note") or CaseNoteForm(),
            assign_form=forms.get("assign") or AssignForm(initial={"navigator": user.pk}),
            result_form=ReferralResultForm(),
        )
    return render(request, "aftercare/person.html", context, status=status)


@require_GET
@role_required(selectors.may_read_aftercare)
def person(request, pk: int):
    return _person_page(request, selectors.get_aftercare_person(request.user, pk))


def _apply(form, exc: ValidationError | DomainError) -> int:
    """Put a service's refusal on the form, next to its field when it names one; the answer's status."""
    if isinstance(exc, ValidationError) and hasattr(exc, "error_dict"):
        for name, errors in exc.message_dict.items():
            form.add_error(name if name in form.fields else None, errors)
        return 400
    form.add_error(None, getattr(exc, "message", None) or " ".join(exc.messages))
    return getattr(exc, "status_code", 400)


def _submit(request, pk: int, *, key: str, form_class, act, done: str):
    """The one shape of every aftercare form: check, act through the service, show the refusal or go back."""
    candidate = selectors.get_aftercare_person(request.user, pk)
    if not selectors.may_work_aftercare(request.user):
        raise PermissionDenied("Only Social Services navigators record needs, referrals, consent and case notes.")
    form = form_class(request.POST)
    status = 400
    if form.is_valid():
        try:
            act(candidate, form.cleaned_data)
        except (ValidationError, DomainError) as exc:
            status = _apply(form, exc)
        else:
            messages.success(request, done)
            return redirect(reverse("aftercare:person", args=[candidate.pk]) + f"#{key}")
    return _person_page(request, candidate, forms={key: form}, status=status)


@require_POST
@role_required(selectors.may_work_aftercare)
def need_set(request, pk: int):
    def act(candidate, data):
        services.need_set(
            user=request.user,
            candidate=candidate,
            area=data["area"],
            status=data["status"],
            detail=data["detail"] or None,
            status_changed_on=data["status_changed_on"],
        )

    return _submit(request, pk, key="need", form_class=NeedForm, act=act, done="Need recorded.")


@require_POST
@role_required(selectors.may_work_aftercare)
def referral_new(request, pk: int):
    def act(candidate, data):
        services.referral_create(user=request.user, candidate=candidate, **data)

    return _submit(request, pk, key="referral", form_class=ReferralForm, act=act, done="Referral made.")


@require_POST
@role_required(selectors.may_work_aftercare)
def consent_new(request, pk: int):
    def act(candidate, data):
        services.consent_record(user=request.user, candidate=candidate, **data)

    return _submit(request, pk, key="consent", form_class=ConsentForm, act=act, done="Consent recorded.")


@require_POST
@role_required(selectors.may_work_aftercare)
def note_add(request, pk: int):
    def act(candidate, data):
        services.case_note_add(user=request.user, candidate=candidate, **data)

    return _submit(request, pk, key="note", form_class=CaseNoteForm, act=act, done="Case note saved.")


@require_POST
@role_required(selectors.may_work_aftercare)
def assign(request, pk: int):
    def act(candidate, data):
        services.navigator_assign(user=request.user, candidate=candidate, navigator=data["navigator"])

    return _submit(request, pk, key="assign", form_class=AssignForm, act=act, done="Navigator assigned.")


@require_POST
@role_required(selectors.may_work_aftercare)
def referral_result(request, pk: int):
    referral = selectors.referrals_visible_to(request.user).filter(pk=pk).first()
    if referral is None:
        raise Http404("No such referral.")
    form = ReferralResultForm(request.POST)
    if form.is_valid():
        try:
            services.referral_record_result(user=request.user, referral_id=referral.pk, **form.cleaned_data)
        except (ValidationError, DomainError) as exc:
            messages.error(request, " ".join(getattr(exc, "messages", [getattr(exc, "message", str(exc))])))
        else:
            messages.success(request, f"Result recorded: {PartnerReferral.Result(form.cleaned_data['result']).label}.")
    else:
        messages.error(request, "Pick the referral's result.")
    return redirect(reverse("aftercare:person", args=[referral.candidate_id]) + "#referrals")


@require_POST
@role_required(selectors.may_work_aftercare)
def consent_withdraw(request, pk: int):
    consent = selectors.consents_visible_to(request.user).filter(pk=pk).first()
    if consent is None:
        raise Http404("No such consent.")
    try:
        services.consent_withdraw(user=request.user, consent_id=consent.pk)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "Consent withdrawn: nothing more is shared under it.")
    return redirect(reverse("aftercare:person", args=[consent.candidate_id]) + "#consents")
