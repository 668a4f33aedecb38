"""The nightly list of records likely to be one person, for the LE Lead's review (candidates.merging).

Four signs that two records are one person: a similar name (trigram similarity of the full names, at least
`NAME_SIMILARITY`), a name or alias they share, the same date of birth, the same street address. One sign is
common among relatives (a brother at the same address, a cousin called "Junior" too); a pair is listed when
two or more agree (`matched_on` says which). Sealed and merged-away records are never paired. A pair the Lead
dismisses is never listed again; the next night's search leaves it dismissed.
"""

from __future__ import annotations

from django.db import connection, transaction
from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone

from candidates.models import CandidateMerge, DuplicatePair
from candidates.selectors import candidates_visible_to
from vip import roles
from vip.audit import acting_as
from vip.errors import DomainError, NotPermitted

NAME_SIMILARITY = 0.5
SIGNS_NEEDED = 2
NAME, ALIAS, DATE_OF_BIRTH, ADDRESS = "name", "alias", "date_of_birth", "address"
SIGN_LABELS = {
    NAME: "Similar name",
    ALIAS: "Shared name or alias",
    DATE_OF_BIRTH: "Same date of birth",
    ADDRESS: "Same address",
}
REVIEWER_REFUSAL = "Only the VIP Law Enforcement Lead reviews the likely duplicates."

# The pairs that share a date of birth, a name or alias, or a street address (each join served by an index or
# small), with the four signs of each. Every pair with two signs has one of these three, so no pair is missed
# by not comparing every name with every other.
_PAIRS_SQL = """
WITH live AS (
    SELECT id, date_of_birth, lower(first_name || ' ' || last_name) AS name
    FROM candidates_candidate WHERE merged_into_id IS NULL AND sealed_at IS NULL
),
names AS (
    SELECT id AS cid, name FROM live
    UNION SELECT a.candidate_id, lower(trim(a.name)) FROM candidates_alias a JOIN live ON live.id = a.candidate_id
),
addresses AS (
    SELECT a.candidate_id AS cid, lower(regexp_replace(trim(a.line1), '\\s+', ' ', 'g')) AS line, a.postal_code
    FROM candidates_address a JOIN live ON live.id = a.candidate_id
),
by_name AS (SELECT DISTINCT x.cid AS a, y.cid AS b FROM names x JOIN names y ON x.name = y.name AND x.cid < y.cid),
by_address AS (
    SELECT DISTINCT x.cid AS a, y.cid AS b FROM addresses x
    JOIN addresses y ON x.line = y.line AND x.postal_code = y.postal_code AND x.cid < y.cid
),
by_birth AS (SELECT x.id AS a, y.id AS b FROM live x JOIN live y ON x.date_of_birth = y.date_of_birth AND x.id < y.id),
pairs AS (SELECT a, b FROM by_name UNION SELECT a, b FROM by_address UNION SELECT a, b FROM by_birth)
SELECT p.a, p.b, similarity(x.name, y.name),
       x.date_of_birth = y.date_of_birth,
       EXISTS (SELECT 1 FROM by_name n WHERE n.a = p.a AND n.b = p.b),
       EXISTS (SELECT 1 FROM by_address d WHERE d.a = p.a AND d.b = p.b)
FROM pairs p JOIN live x ON x.id = p.a JOIN live y ON y.id = p.b
"""


def likely_pairs() -> list[tuple[int, int, float, list[str]]]:
    """(first id, second id, name similarity, the signs that agree) of each pair with SIGNS_NEEDED signs."""
    found = []
    with connection.cursor() as cursor:
        cursor.execute(_PAIRS_SQL)
        for first, second, similarity, same_birth, shared_name, same_address in cursor.fetchall():
            signs = [
                sign
                for sign, agrees in (
                    (NAME, similarity >= NAME_SIMILARITY),
                    (ALIAS, shared_name),
                    (DATE_OF_BIRTH, same_birth),
                    (ADDRESS, same_address),
                )
                if agrees
            ]
            if len(signs) >= SIGNS_NEEDED:
                found.append((first, second, round(similarity, 3), signs))
    return found


def duplicate_pairs_refresh() -> int:
    """The nightly search: store the likely pairs (a dismissed one stays dismissed), forget the pairs no longer
    alike that nobody dismissed. Returns how many pairs await review."""
    now = timezone.now()
    pairs = [
        DuplicatePair(first_id=a, second_id=b, name_similarity=similarity, matched_on=signs, found_at=now)
        for a, b, similarity, signs in likely_pairs()
    ]
    with transaction.atomic(), acting_as(None):
        DuplicatePair.objects.bulk_create(
            pairs,
            update_conflicts=True,
            unique_fields=["first", "second"],
            update_fields=["name_similarity", "matched_on", "found_at"],
        )
        DuplicatePair.objects.filter(dismissed_at__isnull=True, found_at__lt=now).delete()
    return DuplicatePair.objects.filter(dismissed_at__isnull=True).count()


def pairs_for_review(user) -> QuerySet[DuplicatePair]:
    """The pairs awaiting the Lead: not dismissed, both records still visible to them and neither in a merge
    awaiting the Program Manager."""
    if not roles.is_le_lead(user):
        return DuplicatePair.objects.none()
    visible = candidates_visible_to(user)
    pending = CandidateMerge.objects.filter(status=CandidateMerge.Status.PROPOSED)
    return (
        DuplicatePair.objects.filter(dismissed_at__isnull=True, first__in=visible, second__in=visible)
        .exclude(Exists(pending.filter(merged=OuterRef("first"))) | Exists(pending.filter(merged=OuterRef("second"))))
        .select_related("first", "second")
        .prefetch_related("first__aliases", "second__aliases", "first__addresses", "second__addresses")
    )


def duplicate_pair_dismiss(pair_id, *, user) -> DuplicatePair:
    """The Lead says these two are different people: the pair is never listed again."""
    if not roles.is_le_lead(user):
        raise NotPermitted(REVIEWER_REFUSAL)
    with transaction.atomic(), acting_as(user):
        try:
            pair = pairs_for_review(user).select_for_update(of=("self",)).get(pk=pair_id)
        except (DuplicatePair.DoesNotExist, ValueError, TypeError):
            raise DomainError("There is no such pair awaiting review.", code="not_found") from None
        pair.dismissed_by, pair.dismissed_at = user, timezone.now()
        pair.save(update_fields=["dismissed_by", "dismissed_at"])
        return pair


def signs_in_words(pair: DuplicatePair) -> list[str]:
    return [SIGN_LABELS.get(sign, sign) for sign in pair.matched_on]


__all__ = ["duplicate_pair_dismiss", "duplicate_pairs_refresh", "likely_pairs", "pairs_for_review"]
