"""The kept pages: what is derived from the CNs and candidates, kept in the cache until that data changes.

A page or list is kept under the current *version* of the data, a random token that changes whenever a record
a kept page shows is saved or deleted (`notifications.receivers` calls `cn_data_changing`): what was kept
under an older version is then never read again. It sits in the foundation because the candidates' pages
(below the notifications app) keep theirs the same way.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import TypeVar

from django.core.cache import cache
from django.db import connection, transaction
from django.utils import timezone

from vip import roles

T = TypeVar("T")

CN_DATA_VERSION_KEY = "cn-data-version"


def cn_data_version() -> str:
    """The current version of the CN data (a random token; a new one after every change).

    Inside a transaction that has changed the data and not yet committed, the version is also this
    transaction's own: what it keeps is kept under a version no other connection reads (its data is not
    theirs until it commits, and never if it rolls back), and what it reads after a change is not what was
    kept before it."""
    version = cache.get(CN_DATA_VERSION_KEY)
    if version is None:
        cache.add(CN_DATA_VERSION_KEY, uuid.uuid4().hex, None)  # two first readers agree on the first one
        version = cache.get(CN_DATA_VERSION_KEY)
    change, _ = _last_uncommitted_change()
    return f"{version}.{change.token}" if change else version


def cn_data_changed() -> None:
    """A CN was opened, moved or removed, or a candidate changed (a name, a seal): forget what was kept."""
    cache.set(CN_DATA_VERSION_KEY, uuid.uuid4().hex, None)


def cn_data_changing() -> None:
    """A record that kept pages show is being written (notifications/receivers.py). Outside a transaction it
    is written: a new version now. Inside one: a new version of this transaction's own (`cn_data_version`),
    and one new version for everyone when it commits, however many records it wrote (none if it rolls back)."""
    if not connection.in_atomic_block:
        cn_data_changed()
        return
    last, savepoints = _last_uncommitted_change()
    if last is not None and savepoints == set(connection.savepoint_ids):
        last.token = uuid.uuid4().hex  # undone with the same savepoint as the change before it, if ever
    else:
        transaction.on_commit(_UncommittedChange())


class _UncommittedChange:
    """Changes made in one savepoint of a transaction (or outside any): `token` names the data as they left
    it. Django drops it with its savepoint or transaction if that is rolled back, so the version read after
    a rollback is the one from before; on commit it makes a new version for everyone (one per savepoint that
    wrote, which in a request is one)."""

    def __init__(self):
        self.token = uuid.uuid4().hex

    def __call__(self) -> None:
        cn_data_changed()


def _last_uncommitted_change() -> tuple[_UncommittedChange | None, set | None]:
    """This transaction's last change still to commit, and the savepoints it was made in."""
    if connection.in_atomic_block:
        for savepoints, func, _robust in reversed(connection.run_on_commit):
            if isinstance(func, _UncommittedChange):
                return func, savepoints
    return None, None


KEPT_SECONDS = 600  # the longest a kept list can lag, should a change slip past the ORM


def kept(name: str, user, make: Callable[[], T], *parts, shared: bool = False) -> T:
    """What `make()` returns for `user`, kept in the cache until the CN data changes (or the day does).

    For what one user reloads all day (the tablet's list, My deliveries, the API's `?mine=1`): it is computed
    once per change of the data rather than once per reload. The key names the user and their roles (what
    they may see follows from those and the data), today's date (what is due today), and `parts` (the page,
    the filters): a value is never served to another user, nor after a change to what it was made from. What
    a kept value may show is only what `cn_data_changed` follows: the records of the candidates and
    notifications apps and users' names (notifications/receivers.py), never the time of day. `shared=True`: what `make` returns is the same for
    everyone who sees the same CNs (`shared_scope`), who then share one copy.
    """
    if not user.is_authenticated:
        return make()
    scope = shared_scope(user) if shared else None
    whose = (
        f"scope-{scope}" if scope else f"user-{user.pk}-{','.join(sorted(roles.role_names(user)))}".replace(" ", "_")
    )
    return _keep(name, whose, make, parts)


def kept_for_everyone(name: str, make: Callable[[], T]) -> T:
    """What `make()` returns, the same for every user (the names of all groups, say), kept as `kept` keeps a
    user's: until the data changes, or the day does."""
    return _keep(name, "everyone", make, ())


def _keep(name: str, whose: str, make: Callable[[], T], parts) -> T:
    key = ":".join(["kept", name, whose, cn_data_version(), timezone.localdate().isoformat(), *map(str, parts)])
    value = cache.get(key)
    if value is None:
        value = make()
        cache.set(key, value, KEPT_SECONDS)
    return value


def shared_scope(user) -> str | None:
    """The name of the CNs `user` sees when it is the same for everyone with their roles ("all", or
    "unsealed" for the roles that see every CN but the sealed ones); None when it is theirs alone."""
    if roles.is_records_custodian(user):
        return "all"
    if roles.sees_all_candidates(user):
        return "unsealed"
    return None
