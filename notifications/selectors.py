"""Who may see which CN: the one place the access rules for deliveries live."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from candidates.selectors import candidates_visible_to
from notifications.models import Delivery
from vip import roles


def deliveries_visible_to(user) -> QuerySet[Delivery]:
    qs = Delivery.objects.select_related("candidate", "le_lead")
    if not user.is_authenticated:
        return qs.none()
    if roles.sees_all_candidates(user) or roles.is_records_custodian(user):
        return qs.filter(candidate__in=candidates_visible_to(user))
    if roles.is_officer(user) or roles.is_social_services(user):
        return qs.filter(team_members__user=user, candidate__sealed_at__isnull=True).distinct()
    return qs.none()


def get_delivery_for_user(user, pk) -> Delivery:
    try:
        return deliveries_visible_to(user).get(pk=pk)
    except (Delivery.DoesNotExist, ValueError, TypeError):
        raise Http404("No such CN.") from None
