"""Who may see which CN: the one place the access rules for deliveries live (CJIS AC-6).

The LE Lead and the Program Manager see every CN of an unsealed candidate; the Records Custodian also
those of sealed ones; officers and social services the CNs they are on the team of (never a sealed one);
administrators none. A CN a user may not see answers 404 (`get_delivery_for_user`).
"""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from candidates.models import Candidate
from candidates.selectors import may_see_checks
from notifications.models import Check, Delivery
from vip import roles


def deliveries_visible_to(user) -> QuerySet[Delivery]:
    qs = Delivery.objects.select_related("candidate", "le_lead")
    if user is None or not user.is_authenticated:
        return qs.none()
    if roles.is_records_custodian(user):
        return qs
    if roles.sees_all_candidates(user):
        # Every CN but the sealed ones (as `candidates_visible_to`): NOT IN the few sealed ids, a hashed
        # lookup, instead of a join of every CN with its candidate (docs/performance.md).
        return qs.exclude(candidate_id__in=Candidate.objects.sealed().values("pk"))
    if roles.is_officer(user) or roles.is_social_services(user):
        on_team = Delivery.objects.filter(team_members__user=user).values("pk")
        return qs.filter(pk__in=on_team, candidate__sealed_at__isnull=True)
    return qs.none()


def get_delivery_for_user(user, pk) -> Delivery:
    try:
        return deliveries_visible_to(user).get(pk=pk)
    except (Delivery.DoesNotExist, ValueError, TypeError):
        raise Http404("No such CN.") from None


def checks_visible_to(user) -> QuerySet[Check]:
    """Threat assessments and background checks: never for social services (issue #5)."""
    if not may_see_checks(user):
        return Check.objects.none()
    return Check.objects.filter(delivery__in=deliveries_visible_to(user))
