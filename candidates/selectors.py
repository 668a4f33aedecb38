"""Who may see which candidate: the one place the access rules for people live (CJIS AC-6).

Every page, API view, export, search and count starts from `candidates_visible_to(user)`. A record a
user may not see answers 404 (`get_candidate_for_user`), as if it did not exist.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.http import Http404

from candidates.models import Candidate
from vip import roles


def candidates_visible_to(user) -> QuerySet[Candidate]:
    qs = Candidate.objects.all()
    if not user.is_authenticated:
        return qs.none()
    if not roles.is_records_custodian(user):
        qs = qs.unsealed()
    if roles.sees_all_candidates(user) or roles.is_records_custodian(user):
        return qs
    on_team = Q(deliveries__team_members__user=user)
    if roles.is_officer(user):
        return qs.filter(on_team).distinct()
    if roles.is_social_services(user):
        # The people they serve; juveniles only when they are on the assigned team (SOP 2-64-5, CJIS AC-6).
        served_adults = Q(services__offered_by=user) & Q(pk__in=Candidate.objects.adults().values("pk"))
        return qs.filter(on_team | served_adults).distinct()
    return qs.none()


def get_candidate_for_user(user, pk) -> Candidate:
    try:
        return candidates_visible_to(user).get(pk=pk)
    except (Candidate.DoesNotExist, ValueError, TypeError):
        raise Http404("No such candidate.") from None


def may_see_checks(user) -> bool:
    """Social services never see the threat assessment or the background check."""
    return roles.has_role(user, roles.LE_LEAD, roles.PROGRAM_MANAGER, roles.OFFICER)
