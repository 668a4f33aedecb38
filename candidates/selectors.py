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

from collections.abc import Iterable

from django.contrib.postgres.search import TrigramWordSimilarity
from django.db.models import Q, QuerySet, TextField
from django.db.models.expressions import RawSQL
from django.db.models.functions import Greatest
from django.http import Http404

from candidates.extensions import LIST_COLUMNS
from candidates.history import candidate_history
from candidates.models import Candidate, GroupMembership, ServiceOffer
from vip import roles
from vip.json_rows import listed_rows, rows_of
from vip.requestlocal import note_read


def candidates_visible_to(user) -> QuerySet[Candidate]:
    # A record merged into another (candidates.merging) is no one's to list: it redirects (`get_candidate_for_user`).
    qs = Candidate.objects.filter(merged_into__isnull=True)
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


def may_use_candidate_records(user) -> bool:
    """The roles that work with people at all; anyone else is refused the candidate pages and API."""
    return roles.has_role(user, *roles.RECORD_ROLES)


def _served_adults(user) -> Q:
    served = Candidate.objects.adults().filter(services__offered_by=user).values("pk")
    return Q(pk__in=served)


class MergedAway(Http404):
    """The record asked for was merged into `survivor_pk`, which the user may see: answer with a redirect
    there (pages: `candidates.views`, API: `CandidateViewSet`). Anyone else gets the 404 it also is."""

    def __init__(self, merged_pk: int, survivor_pk: int):
        super().__init__("This record was merged into another.")
        self.merged_pk, self.survivor_pk = merged_pk, survivor_pk

    def location(self, path: str) -> str:
        return path.replace(f"/{self.merged_pk}/", f"/{self.survivor_pk}/", 1)


def surviving_record(user, pk) -> Candidate | None:
    """The record that `pk` was merged into (following merges of merges), when `user` may see it."""
    seen = set()
    try:
        merged_into = Candidate.objects.filter(pk=pk).values_list("merged_into", flat=True).first()
    except (ValueError, TypeError):
        return None
    while merged_into and merged_into not in seen:
        seen.add(merged_into)
        survivor = candidates_visible_to(user).filter(pk=merged_into).first()
        if survivor is not None:
            return survivor
        merged_into = Candidate.objects.filter(pk=merged_into).values_list("merged_into", flat=True).first()
    return None


def get_candidate_for_user(user, pk) -> Candidate:
    try:
        candidate = candidates_visible_to(user).get(pk=pk)
    except (Candidate.DoesNotExist, ValueError, TypeError):
        survivor = surviving_record(user, pk)
        if survivor is not None:
            raise MergedAway(int(pk), survivor.pk) from None
        raise Http404("No such candidate.") from None
    note_read(candidate)  # the read's audit row names it without reading it again
    return candidate


# What the candidate page lists that no access rule narrows: (relation, the foreign keys each row shows).
CANDIDATE_PAGE_SECTIONS = (
    ("aliases", ()),
    ("addresses", ()),
    ("phones", ()),
    ("bases", ("shooting", "related_person", "gvis_meeting", "referral", "entered_by")),
    ("influencers", ()),
    ("shooting_roles", ("shooting",)),
    ("gvis_meetings", ()),
    ("referrals", ()),
    ("services", ("partner",)),
    ("outcomes", ()),
)


def candidate_page_sections(user, candidate: Candidate) -> dict:
    """What the candidate page lists about a person the user may see (`get_candidate_for_user`), in two
    queries however many rows each section has (issue #9): the sections no rule narrows in one
    (`CANDIDATE_PAGE_SECTIONS`, each in its model's order), then the memberships, which follow the rule of every
    other list: those awaiting approval only for those who approve them. The sections other apps add (the
    CNs) come through `candidates.extensions`."""
    memberships = membership_facts(user, candidate.memberships.select_related("group", "gvis_meeting", "added_by"))
    memberships = list(memberships.order_by("id"))
    return {
        **rows_of(candidate, CANDIDATE_PAGE_SECTIONS),
        # Only approved memberships are facts for officers and social services (28 CFR 23.20).
        "memberships": memberships,
        "history": _history_shown(user, candidate, memberships),
    }


def _history_shown(user, candidate: Candidate, memberships_shown: list[GroupMembership]) -> list:
    """The person's change history, without the changes of a membership the user may not see as a fact."""
    history = candidate_history(candidate)
    if services_as_yes_or_no(user):  # the services wall (issue 19): which services, never to officers
        history = [row for row in history if row.object_type != ServiceOffer._meta.label]
    if may_see_unapproved_memberships(user):
        return history
    shown = {str(membership.pk) for membership in memberships_shown}
    return [
        row for row in history if not (row.object_type == GroupMembership._meta.label and row.object_id not in shown)
    ]


def services_as_yes_or_no(user) -> bool:
    """Officers see only whether services were offered and accepted, never which ones, with whom or how it went
    (the services wall, issue 19). Those who record services (the LE Lead, the Program Manager, Social Services)
    see the offers."""
    return roles.is_officer(user) and not roles.has_role(
        user, roles.LE_LEAD, roles.PROGRAM_MANAGER, roles.SOCIAL_SERVICES
    )


def services_offered_and_accepted(offers) -> dict[str, bool]:
    offers = list(offers)
    return {
        "offered": bool(offers),
        "accepted": any(offer.status in ServiceOffer.ACCEPTED_STATUSES for offer in offers),
    }


def may_see_checks(user) -> bool:
    """Social services never see the threat assessment or the background check."""
    return roles.has_role(user, roles.LE_LEAD, roles.PROGRAM_MANAGER, roles.OFFICER)


# --- reading lists and searching (every one starts from `candidates_visible_to`) -----------------------

AGE_BANDS = {
    "under_18": ("Under 18", 0, 17),
    "18_24": ("18 to 24", 18, 24),
    "25_29": ("25 to 29", 25, 29),
    "30_plus": ("30 and over", 30, 200),
}
SIMILAR_NAME_THRESHOLD = 0.3  # word similarity of a typed name to a stored name or alias


def candidate_list_for(user, *, contacts: bool = False) -> QuerySet[Candidate]:
    """The candidates a list shows: what the user may see, each with its latest CN's state and the related
    rows the list shows read by the same query (`vip.json_rows.listed_rows`) as plain lists of dicts:
    `listed_aliases` (id, name) and `listed_groups` (id, name: the groups of the memberships the user may see
    as facts), and with `contacts` (the API's rows) `listed_addresses` and `listed_phones` (every column the
    API shows). One query whatever the number of rows; a prefetch cost a query and a model instance a row."""
    listed = {
        "listed_aliases": listed_rows(Candidate, "aliases", {"id": "id", "name": "name"}, order=["id"]),
        "listed_groups": listed_rows(
            Candidate,
            "memberships",
            {"id": "group_id", "name": "group__name"},
            order=["id"],
            # Only approved memberships are facts for officers and social services (28 CFR 23.20): the rule of
            # `membership_facts`, which the other reads of memberships go through.
            only_set=() if may_see_unapproved_memberships(user) else ("approved_at",),
        ),
    }
    if contacts:
        # Addresses in the model's order, as the candidate page lists them.
        listed["listed_addresses"] = listed_rows(Candidate, "addresses", {n: n for n in LISTED_ADDRESS_FIELDS})
        listed["listed_phones"] = listed_rows(Candidate, "phones", {n: n for n in LISTED_PHONE_FIELDS}, order=["id"])
    columns = {column.name: column.expression() for column in LIST_COLUMNS.values()}  # the latest CN's state
    return candidates_visible_to(user).annotate(**columns, **listed)


LISTED_ADDRESS_FIELDS = ("id", "line1", "line2", "city", "state", "postal_code", "valid_from", "valid_to")
LISTED_PHONE_FIELDS = ("id", "number", "label", "valid_from", "valid_to")


def search_candidates(qs: QuerySet[Candidate], q: str) -> QuerySet[Candidate]:
    """Misspelling-tolerant search by name or alias: every word typed must be like a word of the name or an
    alias (trigram word similarity, a GIN index serves it)."""
    terms = [t for t in q.lower().split() if t]
    if not terms:
        return qs
    for term in terms:
        # search_text is stored lower-cased, so a plain LIKE (which the trigram index also serves) is enough.
        match = Q(search_text__contains=term)
        if len(term) >= 3:
            match |= Q(search_text__trigram_word_similar=_unestimated(term))
        qs = qs.filter(match)
    return qs.annotate(search_rank=TrigramWordSimilarity(" ".join(terms), "search_text")).order_by(
        "-search_rank", "last_name", "first_name", "id"
    )


def _unestimated(term: str) -> RawSQL:
    """`term` as a one-row subquery, so that PostgreSQL plans `search_text %> term` without estimating how many
    names are like it (issue #9). The estimate (pg_trgm's `matchingsel`) computes the term's similarity to each
    name of the column's statistics, 0.6 ms a term before the query runs; worse, for a name typed with a typo
    it expects a handful of rows, reads one term from the index and compares the other to the thousand names
    like the first (15 ms for "jonh smiht"). Given the default guess it reads every term from the index and
    intersects them (BitmapAnd): same rows, in half the time over a city's names."""
    return RawSQL("SELECT %s::text", [term], output_field=TextField())


def possible_duplicates(
    user, *, first_name: str, last_name: str, date_of_birth, aliases: Iterable[str] = (), exclude_pk=None
) -> list[Candidate]:
    """People already recorded with the same date of birth and a similar name or alias: shown at intake so
    the user can open the existing record instead of creating a second one."""
    if not date_of_birth:
        return []
    names = [" ".join(p for p in (first_name, last_name) if p).strip(), *[a for a in aliases if a and a.strip()]]
    names = [n.lower() for n in names if n]
    if not names:
        return []
    qs = candidates_visible_to(user).filter(date_of_birth=date_of_birth).prefetch_related("aliases")
    if exclude_pk:
        qs = qs.exclude(pk=exclude_pk)
    score = Greatest(*[TrigramWordSimilarity(n, "search_text") for n in names]) if len(names) > 1 else None
    score = score or TrigramWordSimilarity(names[0], "search_text")
    return list(qs.annotate(name_score=score).filter(name_score__gte=SIMILAR_NAME_THRESHOLD).order_by("-name_score"))


def may_see_intelligence(user) -> bool:
    """Shootings, GVIS meetings, groups and a person's network name many people: they are for those who see
    every candidate (the LE Lead, the Program Manager) and the Records Custodian."""
    return roles.sees_all_candidates(user) or roles.is_records_custodian(user)


def may_see_unapproved_memberships(user) -> bool:
    """Only the LE Lead (who approves) and the Program Manager see memberships awaiting approval."""
    return may_see_intelligence(user)


def memberships_visible_to(user) -> QuerySet[GroupMembership]:
    """Group memberships shown as facts: approved by the LE Lead (28 CFR 23.20), of visible candidates."""
    qs = GroupMembership.objects.select_related("group", "candidate").filter(candidate__in=candidates_visible_to(user))
    return membership_facts(user, qs)


def membership_facts(user, qs: QuerySet[GroupMembership]) -> QuerySet[GroupMembership]:
    if may_see_unapproved_memberships(user):
        return qs
    return qs.filter(approved_at__isnull=False)
