"""Who may see which CN: the one place the access rules for deliveries live (CJIS AC-6).

The LE Lead and the Program Manager see every CN of an unsealed candidate; the Records Custodian also
those of sealed ones; officers and social services the CNs they are on the team of (never a sealed one);
administrators none. A CN a user may not see answers 404 (`get_delivery_for_user`).
"""

from __future__ import annotations

from collections import Counter

from django.db.models import Count, QuerySet
from django.http import Http404

from candidates.models import Candidate
from candidates.selectors import may_see_checks
from notifications.models import Check, Delivery, TeamMember
from vip import roles
from vip.json_rows import rows_of
from vip.kept import keep_until_changed, shared_scope
from vip.requestlocal import note_read


def deliveries_visible_to(user) -> QuerySet[Delivery]:
    qs = Delivery.objects.select_related("candidate", "le_lead")
    if user is None or not user.is_authenticated:
        return qs.none()
    if roles.is_records_custodian(user):
        return qs
    # Never a sealed record (as `candidates_visible_to`): NOT IN the few sealed ids, a hashed lookup, rather
    # than a join of every CN with its candidate (docs/performance.md).
    unsealed = qs.exclude(candidate_id__in=Candidate.objects.sealed().values("pk"))
    if roles.sees_all_candidates(user):
        return unsealed
    if _sees_only_own_team(user):
        return unsealed.filter(pk__any_of=_on_team(user))
    return qs.none()


def _sees_only_own_team(user) -> bool:
    return (roles.is_officer(user) or roles.is_social_services(user)) and not (
        roles.is_records_custodian(user) or roles.sees_all_candidates(user)
    )


# The board's counts per state are kept under the version of the CN data (`vip.kept`, the kept pages): a
# change makes a new version, and the time limit bounds how stale a count can be should a change bypass the ORM.
COUNTS_CACHE_SECONDS = 60


def _on_team(user) -> QuerySet:
    return TeamMember.objects.filter(user=user).values("delivery_id")


def deliveries_on_team_of(user, deliveries: QuerySet[Delivery] | None = None) -> QuerySet[Delivery]:
    """The CNs `user` may see and is on the team of ("My deliveries"), among `deliveries` (by default all
    they may see): a semi-join, one row per CN, and not twice for the roles that see only their teams'."""
    if deliveries is None:
        deliveries = deliveries_visible_to(user)
    return deliveries if _sees_only_own_team(user) else deliveries.filter(pk__any_of=_on_team(user))


def known_count(user, *, state: str | None = None) -> int | None:
    """How many CNs (in `state`) `user` may see, when it is known without counting (`count_by_state` keeps
    it for the roles that see every CN); otherwise None."""
    if shared_scope(user) is None:
        return None
    counts = count_by_state(user)
    return counts.get(state, 0) if state else sum(counts.values())


def count_on_team_of(user) -> int:
    """`deliveries_on_team_of(user).count()`, counted from the team places: the user's places less those
    on a sealed record's CN (unless they see sealed records). Two index lookups, where counting the CNs
    themselves makes PostgreSQL scan every CN (an officer of the benchmark is on 6,000)."""
    scope = shared_scope(user)
    if scope is None and not _sees_only_own_team(user):
        return 0
    places = TeamMember.objects.filter(user=user)
    count = places.count()
    if scope != "all":
        count -= places.filter(delivery__candidate_id__in=Candidate.objects.sealed().values("pk")).count()
    return count


def count_by_state(user) -> dict[str, int]:
    """How many CNs in each state `user` may see: the same numbers as grouping `deliveries_visible_to(user)`.

    The roles that see every CN (but the sealed ones) share one count, kept in the cache until a CN or a
    candidate changes (`cn_data_changed`): counting 300,000 CNs costs 20-35 ms, more than the rest of the
    board. It is counted as every CN less the sealed ones': index-only counts, not a join of every CN with
    its candidate. Any other role's count is its own, counted each time.
    """
    scope = shared_scope(user)
    if scope is None:
        return _counts(deliveries_visible_to(user))
    return keep_until_changed(f"cn-counts-by-state:{scope}", lambda: _all_counts(scope), COUNTS_CACHE_SECONDS)


def _all_counts(scope: str) -> dict[str, int]:
    total = Counter(_counts(Delivery.objects.all()))
    if scope == "unsealed":
        total.subtract(_counts(Delivery.objects.filter(candidate_id__in=Candidate.objects.sealed().values("pk"))))
    return {state: n for state, n in total.items() if n}


def _counts(deliveries: QuerySet[Delivery]) -> dict[str, int]:
    return dict(deliveries.order_by().values_list("state").annotate(n=Count("*")))


def first_in_each_state(sources: dict[str, QuerySet[Delivery]], per_state: int) -> list[int]:
    """The ids of the `per_state` longest in each state (oldest `state_entered_at` first), each state's
    taken from its own queryset: one query, a LIMIT per state on the index `delivery_state_visit` (state, state_entered_at, id)."""
    parts = [
        deliveries.filter(state=state).order_by("state_entered_at", "id").values_list("pk", flat=True)[:per_state]
        for state, deliveries in sources.items()
    ]
    if len(parts) < 2:
        return list(parts[0]) if parts else []
    return list(parts[0].union(*parts[1:], all=True))


# What a CN's detail shows besides the CN: its step records, each with the rows its lines name (who recorded
# it, the guardian, the letter's template...), read in one query (`vip.json_rows.rows_of`).
DETAIL_SECTIONS = (
    ("team_members", ("user", "added_by")),
    ("guardian_contacts", ("recorded_by", "influencer")),
    ("ecc_advisements", ("recorded_by",)),
    ("encounters", ("recorded_by", "recipient_influencer")),
    ("eligibility", ("recorded_by",)),
    # The eligibility's bases, each with what its name reads (EligibilityBasis.__str__), not one query a basis.
    ("eligibility__bases", ("shooting", "related_person", "gvis_meeting", "referral")),
    ("letter", ("recorded_by", "template")),
    ("social_services", ("recorded_by", "coordinator")),
    ("jpo_check", ("recorded_by",)),
    ("after_action", ("recorded_by", "confirmed_by")),
)
CHECKS_SECTION = ("checks", ("completed_by", "recorded_by"))  # never read for those who may not see them


def get_delivery_detail_for_user(user, pk) -> Delivery:
    """A CN with what its API detail shows `user`, in two queries and whatever the guards of its next steps
    ask: the CN, then every step record at once (`detail_records`; the lists also as the related managers'
    rows), and the transitions `user` may take now and why the blocked ones are (`available_transitions`)."""
    return _with_detail(user, get_delivery_for_user(user, pk))


def get_changed_delivery_detail_for_user(user, delivery: Delivery) -> Delivery:
    """As `get_delivery_detail_for_user`, for a CN a service has just changed at the request of `user` and
    returned: the service read it through the access rules under its lock (with its candidate and LE Lead),
    so it is not read again. Should that read have found the person sealed meanwhile, the CN is read again
    through the rules (a 404 for all but the custodian)."""
    if delivery.candidate.is_sealed:
        return get_delivery_detail_for_user(user, delivery.pk)
    return _with_detail(user, delivery)


def _with_detail(user, delivery: Delivery) -> Delivery:
    """`delivery` with `detail_records` (each step record's rows, by relation name) and the eligibility's bases
    as `detail_bases`: plain attributes, as `Prefetch(to_attr=...)` gives, which the detail serializer reads."""
    from notifications.services import transition_options  # services read the CNs through these selectors

    sections = DETAIL_SECTIONS + ((CHECKS_SECTION,) if may_see_checks(user) else ())
    records = rows_of(delivery, sections)
    bases = records.pop("eligibility__bases")
    for determination in records["eligibility"]:
        determination.detail_bases = bases
    delivery.detail_records = records
    delivery.available_transitions = transition_options(delivery, user)
    return delivery


def get_delivery_for_user(user, pk) -> Delivery:
    try:
        delivery = deliveries_visible_to(user).get(pk=pk)
    except (Delivery.DoesNotExist, ValueError, TypeError):
        raise Http404("No such CN.") from None
    note_read(delivery)  # the read's audit row names it without reading it again
    return delivery


def checks_visible_to(user) -> QuerySet[Check]:
    """Threat assessments and background checks: never for social services (issue #5)."""
    if not may_see_checks(user):
        return Check.objects.none()
    return Check.objects.filter(delivery__in=deliveries_visible_to(user))
