"""The kept pages: what is derived from the CNs and candidates, kept in the cache until that data changes.

Why it exists (docs/performance.md, "What is kept"): the board, My deliveries, the tablet's list, the API's
lists and the dashboard's live lists are reloaded all day by the same few people, and at a city's scale
computing one takes 35-120 ms of SQL and templates where serving it kept takes 7-20 ms. A page is kept under
the current *version* of the data, a random token that changes whenever a record a kept page shows is saved
or deleted (`notifications.receivers` calls `cn_data_changing`): what was kept under an older version is then
never read again. The time limits bound how stale a value can be should a change bypass the ORM (a raw SQL
fix, a restore).

A transaction that has changed the data and not committed reads past what was kept and keeps nothing, and
everyone gets a new version when it commits, once however many records it wrote, and none if it rolls back.
Built on Django's documented transaction API only (`transaction.on_commit`, `transaction.get_autocommit`, which
is off inside `atomic`): Django drops the on-commit callbacks of a rolled-back transaction or savepoint, and
nothing here reads its internals.
"""

from __future__ import annotations

import uuid
import weakref
from collections.abc import Callable
from typing import TypeVar

from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.utils import timezone

from vip import requestlocal, roles
from vip.audit import reads

T = TypeVar("T")

CN_DATA_VERSION_KEY = "cn-data-version"
KEPT_SECONDS = 600  # the longest a kept page can lag, should a change slip past the ORM


class _PendingChange:
    """This connection's changes not yet committed. `token` names the data as the last change left it (a new
    one after every change, so what the transaction reads after a change is never what it kept before it)."""

    def __init__(self):
        self.token = uuid.uuid4().hex
        self.committed = False

    def commit(self) -> None:
        """Run by `transaction.on_commit`, once per change written: the first makes the new version."""
        if not self.committed:
            self.committed = True
            cn_data_changed()


# The pending change of each database connection (a connection belongs to one thread). An entry outlives a
# rollback (Django offers no hook for one) until the transaction after it commits or a read is made outside
# any transaction; until then that connection merely reads past the cache, never a stale page.
_pending: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _pending_change() -> _PendingChange | None:
    connection = connections[DEFAULT_DB_ALIAS]  # this thread's
    change = _pending.get(connection)
    if change is not None and (change.committed or transaction.get_autocommit()):
        del _pending[connection]
        return None
    return change


def cn_data_version() -> str:
    """The current version of the CN data (a random token; a new one after every change). Inside a
    transaction that has changed the data and not committed, a version of its own, which no one else reads
    (and under which nothing is kept, `keep_until_changed`)."""
    version = cache.get(CN_DATA_VERSION_KEY)
    if version is None:
        cache.add(CN_DATA_VERSION_KEY, uuid.uuid4().hex, None)  # two first readers agree on the first one
        version = cache.get(CN_DATA_VERSION_KEY)
    change = _pending_change()
    return f"{version}.{change.token}" if change else version


def cn_data_changed() -> None:
    """A CN was opened, moved or removed, or a candidate changed (a name, a seal): forget what was kept."""
    cache.set(CN_DATA_VERSION_KEY, uuid.uuid4().hex, None)


def cn_data_changing() -> None:
    """A record that kept pages show is being written. Outside a transaction it is written: a new version now.
    Inside one: a new version of this transaction's own, and one new version for everyone when it commits."""
    if transaction.get_autocommit():  # not in a transaction
        cn_data_changed()
        return
    change = _pending_change()
    if change is None:
        change = _pending[connections[DEFAULT_DB_ALIAS]] = _PendingChange()
    else:
        change.token = uuid.uuid4().hex
    # One callback per change, each bound to this change's savepoint: should the savepoint of one be rolled
    # back, the callback of a later change still makes the new version.
    transaction.on_commit(change.commit)


def kept(name: str, user, make: Callable[[], T], *parts, shared: bool = False) -> T:
    """What `make()` returns for `user`, kept in the cache until the CN data changes (or the day does).

    For what one user reloads all day (the tablet's list, My deliveries, the API's `?mine=1`): it is computed
    once per change of the data rather than once per reload. The key names the user and their roles (what
    they may see follows from those and the data), today's date (what is due today), and `parts` (the page,
    the filters): a value is never served to another user, nor after a change to what it was made from. What
    a kept value may show is only what `cn_data_changed` follows: the records of the candidates and
    notifications apps and users' names (notifications/receivers.py), never the time of day. `shared=True`:
    what `make` returns is the same for everyone who sees the same CNs (`shared_scope`), who then share one copy.
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
    return keep_until_changed(":".join(["kept", name, whose, timezone.localdate().isoformat(), *map(str, parts)]), make)


def keep_until_changed(key: str, make: Callable[[], T], seconds: int = KEPT_SECONDS) -> T:
    """What `make()` returns, kept under `key` until the CN data changes (or `seconds` pass). Inside a
    transaction that has changed the data and not committed, it is computed and not kept: what it would keep
    could show a change a savepoint later rolls back, and Django has no public hook to see one."""
    if _pending_change() is not None:
        requestlocal.note_kept(False)
        return make()
    # Kept with what it showed of people (`vip.audit.reads`): served kept, it reads none of them again, yet the
    # request's audit row must name them as if it had (issue 17). The ":shown" names this (value, shown) form.
    key = f"{key}:{cn_data_version()}:shown"
    entry = cache.get(key)
    if entry is None:
        value, shown = reads.showing(make)
        cache.set(key, (value, shown), seconds)
        requestlocal.note_kept(False)
        return value
    requestlocal.note_kept(True)
    value, shown = entry
    reads.show_all(shown)
    return value


def shared_scope(user) -> str | None:
    """The name of the CNs `user` sees when it is the same for everyone with their roles ("all", or
    "unsealed" for the roles that see every CN but the sealed ones); None when it is theirs alone."""
    if roles.is_records_custodian(user):
        return "all"
    if roles.sees_all_candidates(user):
        return "unsealed"
    return None
