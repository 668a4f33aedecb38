"""Who may see which candidate: the one place the access rules for people live (CJIS AC-6).

Every page, API view, export, search, count and the admin start from `candidates_visible_to(user)`. A
record a user may not see answers 404 (`get_candidate_for_user`), as if it did not exist.

The rules (issue #5):
- the LE Lead and the Program Manager see every unsealed record, adults and juveniles;
- an officer sees only the candidates of the CNs they are on the team of;
- social services see the adults they serve (a service they offered) and anyone on whose CN team they
  are; a juvenile only through the team (SOP 2-64-5, CJIS AC-6). Never the checks (`may_see_checks`);
- administrators manage accounts and reference data, not candidate records: they see none;
- a sealed record (NMSA 32A-2-26) is seen by the Records Custodian alone.
Superusers get no exception: what a person sees follows their roles.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.http import Http404

from candidates.models import Candidate, GroupMembership
from vip import roles


def candidates_visible_to(user) -> QuerySet[Candidate]:
    qs = Candidate.objects.all()
    if user is None or not user.is_authenticated:
        return qs.none()
    if roles.is_records_custodian(user):
        return qs
    qs = qs.unsealed()
    if roles.sees_all_candidates(user):
        return qs
    on_team = Q(pk__in=Candidate.objects.filter(deliveries__team_members__user=user).values("pk"))
    if roles.is_social_services(user):
        return qs.filter(on_team | _served_adults(user))
    if roles.is_officer(user):
        return qs.filter(on_team)
    return qs.none()


def _served_adults(user) -> Q:
    served = Candidate.objects.adults().filter(services__offered_by=user).values("pk")
    return Q(pk__in=served)


def get_candidate_for_user(user, pk) -> Candidate:
    try:
        return candidates_visible_to(user).get(pk=pk)
    except (Candidate.DoesNotExist, ValueError, TypeError):
        raise Http404("No such candidate.") from None


def may_see_checks(user) -> bool:
    """Social services never see the threat assessment or the background check."""
    return roles.has_role(user, roles.LE_LEAD, roles.PROGRAM_MANAGER, roles.OFFICER)


def may_see_unapproved_memberships(user) -> bool:
    """Only the LE Lead (who approves) and the Program Manager see memberships awaiting approval."""
    return roles.sees_all_candidates(user) or roles.is_records_custodian(user)


def memberships_visible_to(user) -> QuerySet[GroupMembership]:
    """Group memberships shown as facts: approved by the LE Lead (28 CFR 23.20), of visible candidates."""
    qs = GroupMembership.objects.select_related("group", "candidate").filter(candidate__in=candidates_visible_to(user))
    if may_see_unapproved_memberships(user):
        return qs
    return qs.filter(approved_at__isnull=False)
