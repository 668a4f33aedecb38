"""The merge pages: propose from a person's page (or the duplicate warning, or the nightly list), the merges
awaiting the Program Manager with their decisions and undo, and the LE Lead's review of likely pairs. Each view
checks access, calls one service, and shows a refusal's reasons next to the field they are about."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from candidates.merging import duplicates, services
from candidates.merging.forms import OTHER, ApproveForm, ProposeForm, RefuseForm
from candidates.merging.selectors import get_merge_for_user, may_see_merges, merges_visible_to
from candidates.models import CandidateMerge
from candidates.selectors import candidates_visible_to, get_candidate_for_user
from vip.errors import DomainError


def _show_refusal(form, exc: DomainError) -> None:
    """The service's reasons next to the field they are about; the rest above the form."""
    form.add_error(None, exc.message)
    for name, reason in exc.reasons.items():
        form.add_error(name if name in form.fields else None, reason)


@login_required
def merge_propose(request, pk: int):
    if not services.may_propose(request.user):
        raise PermissionDenied(services.PROPOSER_REFUSAL)
    candidate = get_candidate_for_user(request.user, pk)
    form = ProposeForm(request.POST or None, initial={"other": request.GET.get("other")})
    if request.method == "POST" and form.is_valid():
        other = form.cleaned_data["other"]
        survivor, merged = (other, candidate.pk) if form.cleaned_data["keep"] == OTHER else (candidate.pk, other)
        try:
            merge = services.merge_propose(
                user=request.user, survivor_id=survivor, merged_id=merged, reason=form.cleaned_data["reason"]
            )
        except Http404:
            form.add_error("other", f"There is no record #{other} that you may see: check the number.")
        except DomainError as exc:
            _show_refusal(form, exc)
        else:
            messages.success(request, f"Merge #{merge.pk} proposed: a Program Manager approves or refuses it.")
            return redirect(f"/candidates/merges/#merge-{merge.pk}")
    other_pk = form["other"].value()
    other = candidates_visible_to(request.user).filter(pk=other_pk).first() if str(other_pk or "").isdigit() else None
    return render(request, "candidates/merge_propose.html", {"candidate": candidate, "other": other, "form": form})


@login_required
def merges(request):
    if not may_see_merges(request.user):
        raise Http404("No such page.")
    listed = list(merges_visible_to(request.user)[:100])
    now = timezone.now()
    for merge in listed:
        merge.decidable = services.may_decide(request.user) and merge.proposed_by_id != request.user.pk
        merge.undo_until = services.undo_deadline(merge)
        merge.undoable = (
            merge.status == CandidateMerge.Status.MERGED
            and request.user.pk in (merge.proposed_by_id, merge.decided_by_id)
            and merge.undo_asked_by_id != request.user.pk
            and now <= merge.undo_until
        )
    pending = [merge for merge in listed if merge.status == CandidateMerge.Status.PROPOSED]
    return render(
        request,
        "candidates/merges.html",
        {
            "pending": pending,
            "decided": [merge for merge in listed if merge.status != CandidateMerge.Status.PROPOSED],
            "approve_form": ApproveForm(),
            "refuse_form": RefuseForm(),
            "may_decide": services.may_decide(request.user),
            "undo_days": services.UNDO_DAYS,
        },
    )


def _decide(request, pk: int, call, done: str, form_class=None):
    get_merge_for_user(request.user, pk)
    data = {}
    if form_class is not None:
        form = form_class(request.POST)
        if not form.is_valid():
            messages.error(request, " ".join(" ".join(errors) for errors in form.errors.values()))
            return redirect(f"/candidates/merges/#merge-{pk}")
        data = form.cleaned_data
    try:
        call(pk, user=request.user, **data)
    except DomainError as exc:
        messages.error(request, " ".join([exc.message, *exc.reasons.values()]))
    else:
        messages.success(request, done)
    return redirect(f"/candidates/merges/#merge-{pk}")


@login_required
@require_POST
def merge_approve(request, pk: int):
    return _decide(request, pk, services.merge_approve, "Merged: the records of both are now on one.", ApproveForm)


@login_required
@require_POST
def merge_refuse(request, pk: int):
    return _decide(request, pk, services.merge_refuse, "Refused: nothing moved.", RefuseForm)


@login_required
@require_POST
def merge_undo(request, pk: int):
    return _decide(request, pk, services.merge_undo, "Undo recorded.")


@login_required
def duplicate_pairs(request):
    if not services.may_propose(request.user):
        raise Http404("No such page.")
    pairs = list(duplicates.pairs_for_review(request.user)[:200])
    for pair in pairs:
        pair.signs = duplicates.signs_in_words(pair)
    return render(request, "candidates/duplicates.html", {"pairs": pairs, "form": ProposeForm()})


@login_required
@require_POST
def duplicate_pair_dismiss(request, pk: int):
    try:
        duplicates.duplicate_pair_dismiss(pk, user=request.user)
    except DomainError as exc:
        if exc.code == "not_found":
            raise Http404(exc.message) from None
        raise PermissionDenied(exc.message) from None
    messages.success(request, "Dismissed for good: this pair is not listed again.")
    return redirect("candidates:duplicates")
