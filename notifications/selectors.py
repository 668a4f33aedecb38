"""Who may see which CN: the one place the access rules for deliveries live (CJIS AC-6).

The LE Lead and the Program Manager see every CN of an unsealed candidate; the Records Custodian also
those of sealed ones; officers and social services the CNs they are on the team of (never a sealed one);
administrators none. A CN a user may not see answers 404 (`get_delivery_for_user`).
"""

from __future__ import annotations

from collections import Counter

from django.core.cache import cache
from django.db.models import Count, QuerySet
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


COUNTS_CACHE_KEY = "cn-counts-by-state:{scope}"
COUNTS_CACHE_SECONDS = 60  # the longest a count can lag, should a change slip past `forget_counts`


def count_by_state(user) -> dict[str, int]:
    """How many CNs in each state `user` may see: the same numbers as grouping `deliveries_visible_to(user)`.

    The roles that see every CN (but the sealed ones) share one count, kept in the cache until a CN or a
    candidate changes (`forget_counts`): counting 300,000 CNs costs 20-35 ms, more than the rest of the board.
    It is counted as every CN less the sealed ones': index-only counts, not a join of every CN with its
    candidate. Any other role's count is its own, counted each time.
    """
    if roles.is_records_custodian(user):
        scope = "all"
    elif roles.sees_all_candidates(user):
        scope = "unsealed"
    else:
        return _counts(deliveries_visible_to(user))
    key = COUNTS_CACHE_KEY.format(scope=scope)
    counts = cache.get(key)
    if counts is None:
        total = Counter(_counts(Delivery.objects.all()))
        if scope == "unsealed":
            total.subtract(_counts(Delivery.objects.filter(candidate_id__in=Candidate.objects.sealed().values("pk"))))
        counts = {state: n for state, n in total.items() if n}
        cache.set(key, counts, COUNTS_CACHE_SECONDS)
    return counts


def forget_counts() -> None:
    """A CN moved, was opened or removed, or a record was sealed: the next board counts again."""
    cache.delete_many([COUNTS_CACHE_KEY.format(scope=scope) for scope in ("all", "unsealed")])


def _counts(deliveries: QuerySet[Delivery]) -> dict[str, int]:
    return dict(deliveries.order_by().values_list("state").annotate(n=Count("*")))


def first_in_each_state(sources: dict[str, QuerySet[Delivery]], per_state: int) -> list[int]:
    """The ids of the `per_state` longest in each state (oldest `state_entered_at` first), each state's
    taken from its own queryset: one query, a LIMIT per state on the (state, state_entered_at) index."""
    parts = [
        deliveries.filter(state=state).order_by("state_entered_at", "id").values_list("pk", flat=True)[:per_state]
        for state, deliveries in sources.items()
    ]
    if len(parts) < 2:
        return list(parts[0]) if parts else []
    return list(parts[0].union(*parts[1:], all=True))


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
