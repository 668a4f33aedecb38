"""Propose, approve, refuse and undo a merge of two candidate records (candidates.merging).

Each service works as the CN services do: inside `transaction.atomic()`, the two records locked (in id order,
so two merges naming the same records cannot deadlock), who may act checked, the rules checked again on the
locked rows, the records written, and one `merge` row written to the trail with what moved.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import Q
from django.http import Http404
from django.utils import timezone

from candidates import extensions
from candidates.merging import relations as graph
from candidates.models import Alias, Candidate, CandidateMerge
from candidates.selectors import candidates_visible_to
from vip import roles
from vip.audit import acting_as, audit
from vip.errors import DomainError, NotPermitted
from vip.kept import cn_data_changing
from vip.models import AuditEvent

UNDO_DAYS = 30
PROPOSER_REFUSAL = "Only the VIP Law Enforcement Lead proposes to merge two records."
APPROVER_REFUSAL = "Only the VIP Program Manager approves or refuses a merge."
SAME_PERSON_REFUSAL = "You proposed this merge: a Program Manager other than its proposer decides on it."
UNDOER_REFUSAL = "Only the two people who made this merge (its proposer and its approver) undo it."


class MergeRefused(DomainError):
    """A merge, or its undo, that a rule forbids now: 409 with the reasons a person can act on."""

    status_code = 409

    def __init__(self, message: str, *, reasons: dict[str, str] | None = None):
        super().__init__(message, reasons=reasons, code="merge_refused")


def may_propose(user) -> bool:
    return roles.is_le_lead(user)


def may_decide(user) -> bool:
    return roles.is_program_manager(user)


def merge_errors(survivor: Candidate, merged: Candidate, *, user=None) -> dict[str, str]:
    """Why these two records may not be merged now, by name, in words; {} when they may."""
    errors: dict[str, str] = {}
    for record in (survivor, merged):
        if record.is_sealed:
            # Only the Records Custodian learns that a record is sealed (candidates.sealing).
            errors["sealed"] = (
                f"Record #{record.pk} is sealed: a sealed record is never merged."
                if roles.is_records_custodian(user)
                else f"Record #{record.pk} is no longer open to merging: the merge cannot go ahead."
            )
        if record.merged_into_id:
            errors["merged"] = f"Record #{record.pk} was merged into #{record.merged_into_id} already."
    for check in extensions.MERGE_CHECKS:
        errors.update(check(survivor, merged))
    for problem in graph.unhandled():
        errors.setdefault("relations", problem)
    return errors


def _lock_pair(survivor_id, merged_id) -> tuple[Candidate, Candidate]:
    locked = {c.pk: c for c in Candidate.objects.select_for_update().filter(pk__in=[survivor_id, merged_id])}
    return locked[survivor_id], locked[merged_id]


def _visible(user, pk) -> Candidate:
    try:
        return candidates_visible_to(user).get(pk=pk)
    except (Candidate.DoesNotExist, ValueError, TypeError):
        raise Http404("No such candidate.") from None


def merge_propose(*, user, survivor_id: int, merged_id: int, reason: str) -> CandidateMerge:
    """The LE Lead proposes that `merged_id` is the same person as `survivor_id` and says why. Nothing moves
    until a Program Manager approves it."""
    if not may_propose(user):
        raise NotPermitted(PROPOSER_REFUSAL)
    if str(survivor_id) == str(merged_id):
        raise DomainError("Pick two different records.", reasons={"merged": "The same record twice."})
    with transaction.atomic(), acting_as(user):
        survivor, merged = _visible(user, survivor_id), _visible(user, merged_id)
        survivor, merged = _lock_pair(survivor.pk, merged.pk)
        if not (reason or "").strip():
            raise DomainError("Say why these two records are one person.", reasons={"reason": "Required."})
        errors = merge_errors(survivor, merged, user=user)
        live = CandidateMerge.objects.filter(status=CandidateMerge.Status.PROPOSED).filter(
            Q(merged__in=[survivor, merged]) | Q(survivor__in=[survivor, merged])
        )
        if live.exists():
            errors["pending"] = f"Merge #{live.first().pk} of one of these records awaits the Program Manager."
        if errors:
            raise MergeRefused("These two records cannot be merged now.", reasons=errors)
        merge = CandidateMerge.objects.create(survivor=survivor, merged=merged, reason=reason.strip(), proposed_by=user)
        audit(
            actor=user,
            action=AuditEvent.Action.MERGE,
            obj=survivor,
            to_state=CandidateMerge.Status.PROPOSED,
            note=f"Merge #{merge.pk} proposed: #{merged.pk} ({merged}) into #{survivor.pk}: {merge.reason}",
            changes={"merge": merge.pk, "survivor": survivor.pk, "merged": merged.pk},
        )
        return merge


def _pending(merge_id, user) -> CandidateMerge:
    if not may_decide(user):
        raise NotPermitted(APPROVER_REFUSAL)
    merge = _merge_for_update(merge_id)
    if merge.status != CandidateMerge.Status.PROPOSED:
        raise MergeRefused(f"This merge was {merge.get_status_display().lower()} already.")
    if merge.proposed_by_id == user.pk:
        raise NotPermitted(SAME_PERSON_REFUSAL)
    return merge


def _merge_for_update(merge_id) -> CandidateMerge:
    try:
        return CandidateMerge.objects.select_for_update().get(pk=merge_id)
    except (CandidateMerge.DoesNotExist, ValueError, TypeError):
        raise DomainError("There is no such merge.", code="not_found") from None


def merge_approve(merge_id: int, *, user, note: str = "") -> CandidateMerge:
    """A Program Manager who did not propose it approves the merge: every record of the merged-away person moves
    onto the survivor in this transaction, and the trail lists what moved."""
    with transaction.atomic(), acting_as(user):
        merge = _pending(merge_id, user)
        survivor, merged = _lock_pair(merge.survivor_id, merge.merged_id)
        errors = merge_errors(survivor, merged, user=user)
        if errors:
            raise MergeRefused("These two records cannot be merged now.", reasons=errors)
        moved, kept = _move_rows(survivor, merged)
        added = _keep_names_as_aliases(survivor, merged)
        merged.merged_into = survivor
        merged.save(update_fields=["merged_into"])
        survivor.refresh_search_text()
        merged.refresh_search_text()
        merge.status = CandidateMerge.Status.MERGED
        merge.decided_by, merge.decided_at = user, timezone.now()
        merge.decision_reason = (note or "").strip()
        merge.moved, merge.aliases_added = moved, added
        merge.save()
        audit(
            actor=user,
            action=AuditEvent.Action.MERGE,
            obj=survivor,
            from_state=CandidateMerge.Status.PROPOSED,
            to_state=CandidateMerge.Status.MERGED,
            note=f"#{merged.pk} ({merged}) merged into #{survivor.pk}: {merge.reason}",
            changes={
                "merge": merge.pk,
                "merged": merged.pk,
                "proposed_by": merge.proposed_by.get_username(),
                "moved": moved,
                "kept_on_merged": kept,
                "aliases_added": added,
            },
        )
        cn_data_changing()
        return merge


def _move_rows(survivor: Candidate, merged: Candidate) -> tuple[dict[str, list], dict[str, list]]:
    """Every row related to `merged` given to `survivor` (candidates.merging.relations), but a row that would
    repeat one of the survivor's, which stays. Returns the ids moved and the ids kept, by relation."""
    moved: dict[str, list] = {}
    kept: dict[str, list] = {}
    for relation in graph.relations():
        if relation.rule == graph.NOT_MOVED:
            continue
        name = relation.field.name
        rows = relation.model._base_manager.filter(**{name: merged})
        duplicates = _duplicates(relation, rows, survivor) if relation.rule == graph.MOVE_UNLESS_DUPLICATE else []
        ids = sorted(rows.exclude(pk__in=duplicates).values_list("pk", flat=True))
        if ids:
            relation.model._base_manager.filter(pk__in=ids).update(**{name: survivor})
            moved[relation.key] = ids
        if duplicates:
            kept[relation.key] = sorted(duplicates)
    return moved, kept


def _duplicates(relation: graph.Relation, rows, survivor: Candidate) -> list:
    """The rows that repeat one of the survivor's on the fields that make a row the same."""
    name = relation.field.name
    survivors = relation.model._base_manager.filter(**{name: survivor})
    found = []
    for row in rows:
        for lookups in relation.same_row_lookups():
            match = {
                lookup: getattr(row, relation.model._meta.get_field(lookup.split("__")[0]).attname)
                for lookup in lookups
            }
            if survivors.filter(**match).exists():
                found.append(row.pk)
                break
    return found


def _keep_names_as_aliases(survivor: Candidate, merged: Candidate) -> list[int]:
    """The merged-away record's name, as an alias of the survivor, unless the survivor goes by it already."""
    known = {survivor.full_name.lower(), *(n.lower() for n in survivor.aliases.values_list("name", flat=True))}
    added = []
    for name in dict.fromkeys([merged.full_name, f"{merged.first_name} {merged.last_name}"]):
        if name.strip() and name.lower() not in known:
            added.append(Alias.objects.create(candidate=survivor, name=name).pk)
            known.add(name.lower())
    return added


def merge_refuse(merge_id: int, *, user, reason: str) -> CandidateMerge:
    """A Program Manager who did not propose it refuses the merge with a reason: nothing moves."""
    with transaction.atomic(), acting_as(user):
        merge = _pending(merge_id, user)
        if not (reason or "").strip():
            raise DomainError("Say why the merge is refused.", reasons={"reason": "Required."})
        merge.status = CandidateMerge.Status.REFUSED
        merge.decided_by, merge.decided_at = user, timezone.now()
        merge.decision_reason = reason.strip()
        merge.save()
        audit(
            actor=user,
            action=AuditEvent.Action.MERGE,
            obj=merge.survivor,
            from_state=CandidateMerge.Status.PROPOSED,
            to_state=CandidateMerge.Status.REFUSED,
            note=f"Merge #{merge.pk} refused: {merge.decision_reason}",
            changes={"merge": merge.pk, "merged": merge.merged_id},
        )
        return merge


def undo_deadline(merge: CandidateMerge) -> dt.datetime | None:
    return merge.decided_at + dt.timedelta(days=UNDO_DAYS) if merge.decided_at else None


def merge_undo(merge_id: int, *, user) -> CandidateMerge:
    """The two people who made the merge undo it, within UNDO_DAYS of the approval: the first asks, and the
    second's undo puts every moved record back on the merged-away record and removes the aliases it added."""
    with transaction.atomic(), acting_as(user):
        merge = _merge_for_update(merge_id)
        if user.pk not in (merge.proposed_by_id, merge.decided_by_id):
            raise NotPermitted(UNDOER_REFUSAL)
        if merge.status != CandidateMerge.Status.MERGED:
            raise MergeRefused(
                f"Only a merge that was made is undone: this one is {merge.get_status_display().lower()}."
            )
        deadline = undo_deadline(merge)
        if timezone.now() > deadline:
            raise MergeRefused(
                f"A merge is undone within {UNDO_DAYS} days: this one could be undone until {deadline:%Y-%m-%d}.",
                reasons={"undo": "Too late: propose a correction of the records instead."},
            )
        if merge.undo_asked_by_id is None:
            merge.undo_asked_by = user
            merge.save(update_fields=["undo_asked_by"])
            other = merge.decided_by if user.pk == merge.proposed_by_id else merge.proposed_by
            _audit_undo(
                merge, user, to_state="undo asked", note=f"Undo of merge #{merge.pk} asked; {other} confirms it."
            )
            return merge
        if merge.undo_asked_by_id == user.pk:
            raise MergeRefused("You asked for this undo already: the other person who made the merge confirms it.")
        survivor, merged = _lock_pair(merge.survivor_id, merge.merged_id)
        restored = _move_back(merge, survivor, merged)
        Alias.objects.filter(pk__in=merge.aliases_added, candidate=survivor).delete()
        merged.merged_into = None
        merged.save(update_fields=["merged_into"])
        survivor.refresh_search_text()
        merged.refresh_search_text()
        merge.status, merge.undone_at = CandidateMerge.Status.UNDONE, timezone.now()
        merge.save()
        _audit_undo(
            merge,
            user,
            to_state=CandidateMerge.Status.UNDONE,
            note=f"Merge #{merge.pk} undone: #{merged.pk} ({merged}) is a record of its own again.",
            changes={"restored": restored, "aliases_removed": merge.aliases_added},
        )
        cn_data_changing()
        return merge


def _move_back(merge: CandidateMerge, survivor: Candidate, merged: Candidate) -> dict[str, list]:
    by_key = {relation.key: relation for relation in graph.relations()}
    restored: dict[str, list] = {}
    for key, ids in merge.moved.items():
        relation = by_key.get(key)
        if relation is None:  # a relation removed from the code since: nothing of it is left to move
            continue
        name = relation.field.name
        rows = relation.model._base_manager.filter(pk__in=ids, **{name: survivor})
        restored[key] = sorted(rows.values_list("pk", flat=True))
        rows.update(**{name: merged})
    return restored


def _audit_undo(merge: CandidateMerge, user, *, to_state: str, note: str, changes: dict | None = None) -> None:
    audit(
        actor=user,
        action=AuditEvent.Action.MERGE,
        obj=merge.survivor,
        from_state=CandidateMerge.Status.MERGED,
        to_state=to_state,
        note=note,
        changes={"merge": merge.pk, "merged": merge.merged_id, **(changes or {})},
    )
