"""Who may see which records, told to the foundation by the apps above it (CJIS AC-6, NMSA 32A-2-26).

`vip` is the bottom layer: it cannot import `candidates` or `notifications`, yet the admin
(`vip.admin_access`) and the audit trail (`vip.audit.audit_events_visible_to`) must apply their access rules.
Each domain app registers its scoped models here in its `AppConfig.ready()`:

    scopes.register(Candidate, candidates_visible_to, link="candidate", sealed_ids=_sealed_candidates)

- `visible_to(user)`: the app's selector, the one place its access rule is written;
- `link`: the name of the foreign key by which other records point to this one (`candidate`, `delivery`),
  so that the admin can scope an alias or a step record by the record it belongs to;
- `sealed_ids()`: the primary keys (as text) of the records sealed on a court order, whose audit events
  only the Records Custodian reads;
- `sealing_fields`: the columns a sealing or an unsealing writes: the trail's changes of only these are the
  custodian's alone, even after the record is unsealed (an unsealed record must not show it was ever sealed).

The lookups happen per request, never at import time, so the registration order does not matter.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import Model, QuerySet


@dataclass(frozen=True)
class Scope:
    model: type[Model]
    visible_to: Callable[..., QuerySet]
    link: str | None = None
    sealed_ids: Callable[[], list[str]] | None = None
    sealing_fields: tuple[str, ...] = ()

    @property
    def label(self) -> str:
        return self.model._meta.label  # "candidates.Candidate": the audit trail's object_type


_SCOPES: dict[type[Model], Scope] = {}


def register(
    model: type[Model],
    visible_to: Callable[..., QuerySet],
    *,
    link: str | None = None,
    sealed_ids: Callable[[], list[str]] | None = None,
    sealing_fields: tuple[str, ...] = (),
) -> None:
    _SCOPES[model] = Scope(model, visible_to, link, sealed_ids, sealing_fields)


def all_scopes() -> list[Scope]:
    return list(_SCOPES.values())


def scope_of(model: type[Model]) -> Scope | None:
    """The scope of a registered model, or of a subclass of one (a proxy model of Candidate, say)."""
    if model in _SCOPES:
        return _SCOPES[model]
    return next((s for m, s in _SCOPES.items() if issubclass(model, m)), None)


# --- the wall between services and enforcement (issue 19) ----------------------------------------------
# Records whose contents only those behind the wall read (needs, referrals, consents, case notes). The audit
# trail's readers (the Program Manager, the Administrator, the Records Custodian) are not all behind it: the viewer,
# its export and the admin show that such a record changed, when and by whom, never what it says.

_WALLED: set[str] = set()
WITHHELD = "(withheld: a record behind the services wall)"


def register_walled(model: type[Model]) -> None:
    _WALLED.add(model._meta.label)


def walled_labels() -> frozenset[str]:
    return frozenset(_WALLED)


def withhold_walled(event) -> None:
    """Blank, on an audit event about to be shown, what a walled record said (changes, snapshot, note, name)."""
    if event.object_type in _WALLED:
        event.changes, event.snapshot, event.note, event.object_repr = {}, {}, WITHHELD, ""
