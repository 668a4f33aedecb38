"""Every relation to a candidate, found from the model graph, and how a merge moves each (candidates.merging).

`relations()` reads `Candidate._meta.get_fields(include_hidden=True)`: each foreign key to `Candidate`, from
whatever app (the CNs of `notifications`, a model added tomorrow), and each many-to-many link through its
table's foreign key. A new relation is moved by the merge without anyone editing it, unless it cannot be
moved blindly; then `unhandled()` names it and tests/…/test_merge_relations.py fails until it gets a rule:

- MOVE: the rows of the merged-away record are given to the survivor.
- MOVE_UNLESS_DUPLICATE: the same, except a row that would repeat one of the survivor's on the fields of a
  unique constraint (one membership per group, a meeting naming the person once, the same alias twice): that
  row stays with the merged-away record, unchanged, listed in the audit row as "kept" (nothing is lost, and
  the undo has nothing to put back).
- NOT_MOVED: the records of merging itself (the merge, the nightly pairs, `merged_into`): they name both.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models

from candidates.models import Candidate

MOVE, MOVE_UNLESS_DUPLICATE, NOT_MOVED = "move", "move unless duplicate", "not moved"

# The relations whose rule is not plain MOVE, as "app.Model.field". A unique constraint on a relation needs an
# entry here, so someone decided what a duplicate means for it.
RULES: dict[str, str] = {
    "candidates.GroupMembership.candidate": MOVE_UNLESS_DUPLICATE,  # one membership per group
    # One open CN a person: the merge waits while both records have one (notifications registers that check in
    # `candidates.extensions.add_merge_check`), so every CN moves.
    "notifications.Delivery.candidate": MOVE,
    # After the door (issue 19): the survivor's assessment of an area of need, and their navigator, stand; the
    # other record's stay with it (and come back with an undo).
    "candidates.Need.candidate": MOVE_UNLESS_DUPLICATE,  # one need per area
    "candidates.NavigatorAssignment.candidate": MOVE_UNLESS_DUPLICATE,  # one navigator a person
    # The weekly review (issue 20): a meeting identifies a person once; the survivor's identification stands.
    "candidates.GVISIdentification.candidate": MOVE_UNLESS_DUPLICATE,
    "candidates.CandidateMerge.survivor": NOT_MOVED,
    "candidates.CandidateMerge.merged": NOT_MOVED,
    "candidates.DuplicatePair.first": NOT_MOVED,
    "candidates.DuplicatePair.second": NOT_MOVED,
    "candidates.Candidate.merged_into": NOT_MOVED,
}
# Rows that repeat one of the survivor's, though no constraint says so: the same alias twice is one alias.
# A one-to-one relation: any row of the survivor's is the same row (no field to compare).
SAME_ROW_FIELDS: dict[str, tuple[str, ...]] = {
    "candidates.Alias.candidate": ("name__iexact",),
    "candidates.NavigatorAssignment.candidate": (),
}


@dataclass(frozen=True)
class Relation:
    model: type[models.Model]
    field: models.ForeignKey

    @property
    def key(self) -> str:
        return f"{self.model._meta.label}.{self.field.name}"

    @property
    def rule(self) -> str:
        if self.key in RULES:
            return RULES[self.key]
        if self.model._meta.auto_created:  # a many-to-many link: the same link twice is one link
            return MOVE_UNLESS_DUPLICATE
        if self.key in SAME_ROW_FIELDS:
            return MOVE_UNLESS_DUPLICATE
        return MOVE

    def unique_with(self) -> list[tuple[str, ...]]:
        """The other fields of each unique constraint this relation's field is part of."""
        name = self.field.name
        sets = [tuple(c.fields) for c in self.model._meta.constraints if isinstance(c, models.UniqueConstraint)]
        sets += [tuple(t) for t in self.model._meta.unique_together]
        return [tuple(f for f in fields if f != name) for fields in sets if name in fields]

    def same_row_lookups(self) -> list[tuple[str, ...]]:
        """What makes a row of the merged-away record a duplicate of one of the survivor's."""
        if self.key in SAME_ROW_FIELDS:
            return [SAME_ROW_FIELDS[self.key]]
        return self.unique_with()


def relations() -> list[Relation]:
    found = []
    for rel in Candidate._meta.get_fields(include_hidden=True):
        # A ManyToManyRel is moved through its table's foreign key, which this list also holds.
        if isinstance(rel, models.ManyToOneRel) and rel.field.related_model is Candidate:
            found.append(Relation(rel.related_model, rel.field))
    return sorted(found, key=lambda r: r.key)


def unhandled() -> list[str]:
    """The relations a merge cannot move without a rule: a one-to-one, or a unique constraint nobody has
    decided about. The merge refuses to run while any exists."""
    problems = []
    for relation in relations():
        if relation.key in RULES or relation.rule != MOVE:
            continue
        if relation.field.one_to_one or relation.field.unique:
            problems.append(f"{relation.key} is one-to-one: decide in candidates.merging.relations.RULES.")
        elif relation.unique_with():
            problems.append(f"{relation.key} is in a unique constraint: decide in candidates.merging.relations.RULES.")
    return problems


__all__ = ["MOVE", "MOVE_UNLESS_DUPLICATE", "NOT_MOVED", "Relation", "relations", "unhandled"]
