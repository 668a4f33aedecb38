"""Who sees which merge: the LE Lead and the Program Manager, the merges whose surviving record they may see."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from candidates.models import CandidateMerge
from candidates.selectors import candidates_visible_to
from vip import roles


def may_see_merges(user) -> bool:
    return roles.is_le_lead(user) or roles.is_program_manager(user)


def merges_visible_to(user) -> QuerySet[CandidateMerge]:
    if not may_see_merges(user):
        return CandidateMerge.objects.none()
    return CandidateMerge.objects.filter(survivor__in=candidates_visible_to(user)).select_related(
        "survivor", "merged", "proposed_by", "decided_by", "undo_asked_by"
    )


def get_merge_for_user(user, pk) -> CandidateMerge:
    try:
        return merges_visible_to(user).get(pk=pk)
    except (CandidateMerge.DoesNotExist, ValueError, TypeError):
        raise Http404("No such merge.") from None


def awaiting_decision(user) -> QuerySet[CandidateMerge]:
    return merges_visible_to(user).filter(status=CandidateMerge.Status.PROPOSED)
