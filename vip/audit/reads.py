"""What an answer showed: the people's records a request read, named in its one audit row (CJIS AU-2; issue 17).

How it works, with no view remembering it:

- Each app declares the models whose rows name a person (`register`, in its `AppConfig.ready()`), and by which
  foreign key a row points to its person (an influencer's `candidate`).
- `AuditReadMiddleware` serves each request inside `collecting()`. Every declared record the request loads from
  the database (a list's page, a serializer's rows, a form's choices, the people a detail page links to) is
  noted by Django's `post_init` signal, which the ORM sends for each instance it makes: its id under its
  type, and its person's id under the person's type, both read from the instance (never a query).
- After the answer, the middleware writes ONE row naming them all (`changes["shown"]`) with what was asked
  (`changes["asked"]`). Rows of values rather than instances (a dashboard list read with `values_list`)
  are declared where they are read, in one line: `show(label, ids)`.
- A page kept in the cache (`vip.kept`) runs none of its reads when served kept: what it showed is kept with
  it (`showing`) and noted again each time it is served (`show_all`).
- A request whose view writes its own read or export row (an export naming every row it lets out) is marked
  `recorded()`, so the middleware adds no second row: one INSERT per request.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TypeVar

from django.db.models import Model
from django.db.models.signals import post_init

T = TypeVar("T")

Shown = dict[str, set[str]]  # record type ("candidates.Candidate") -> ids, as text like AuditEvent.object_id


class _Frame:
    __slots__ = ("shown", "recorded", "first")

    def __init__(self):
        self.shown: Shown = {}
        self.recorded = False  # the view wrote the request's read or export row itself
        self.first = ""  # the type of the first record noted: what the answer is mostly about


_frame: ContextVar[_Frame | None] = ContextVar("vip_audit_reads", default=None)
# model -> (its label, the attribute holding its person's id, the person's label) or (label, None, None)
_DECLARED: dict[type[Model], tuple[str, str | None, str | None]] = {}


def register(model: type[Model], *, person: str | None = None) -> None:
    """Declare that a row of `model` names a person: a request that loads one records it in its read row.
    `person` is the foreign key to the person it is about (None: the row is the person)."""
    label = model._meta.label
    if person is None:
        _DECLARED[model] = (label, None, None)
    else:
        field = model._meta.get_field(person)
        _DECLARED[model] = (label, field.attname, field.related_model._meta.label)
    post_init.connect(_loaded, sender=model, weak=False, dispatch_uid=f"vip-audit-reads-{label}")


def declared_labels() -> set[str]:
    return {label for label, _, _ in _DECLARED.values()}


def _loaded(sender, instance, **kwargs) -> None:
    frame = _frame.get()
    if frame is None:  # no request being served (a task, a command) or not inside one's collection
        return
    pk = instance.pk
    if pk is None:  # made in Python (an empty form's instance), not read
        return
    label, person_attr, person_label = _DECLARED[sender]
    _note(frame, label, pk)
    if person_attr:
        person_id = instance.__dict__.get(person_attr)  # a deferred key is not read: no query
        if person_id is not None:
            _note(frame, person_label, person_id)


def _note(frame: _Frame, label: str, pk) -> None:
    ids = frame.shown.get(label)
    if ids is None:
        ids = frame.shown[label] = set()
        frame.first = frame.first or label
    ids.add(str(pk))


@contextmanager
def collecting() -> Iterator[_Frame]:
    """Note what is read inside this block (one request's answer)."""
    frame = _Frame()
    token = _frame.set(frame)
    try:
        yield frame
    finally:
        _frame.reset(token)


def show(label: str, ids: Iterable) -> None:
    """Rows shown from values rather than model instances (`values_list`): name them in the read row."""
    frame = _frame.get()
    if frame is not None:
        for pk in ids:
            if pk is not None:
                _note(frame, label, pk)


def show_all(shown: Shown) -> None:
    """Note again what a kept answer showed when it was made (`vip.kept`)."""
    for label, ids in shown.items():
        show(label, ids)


def showing(make: Callable[[], T]) -> tuple[T, Shown]:
    """`make()`, and what it showed (noted in the request's collection as well): for a value kept to be served
    again, whose reads must be named each time it is served."""
    outer = _frame.get()
    inner = _Frame()  # collected even outside a request (a task warming a page): whoever is served it is named
    token = _frame.set(inner)
    try:
        value = make()
    finally:
        _frame.reset(token)
        if outer is not None:
            show_all(inner.shown)
            outer.recorded = outer.recorded or inner.recorded
    return value, inner.shown


def recorded() -> None:
    """The request's read (or export) row has been written by its view: the middleware writes no other."""
    frame = _frame.get()
    if frame is not None:
        frame.recorded = True


def current_shown() -> Shown:
    frame = _frame.get()
    return frame.shown if frame is not None else {}


def as_changes(shown: Shown) -> dict[str, list[str]]:
    """The `shown` part of a read row: each type's ids, sorted as numbers where they are."""
    return {label: sorted(ids, key=lambda pk: (len(pk), pk)) for label, ids in sorted(shown.items())}


def summary(changes: dict) -> str:
    """A read row in words, for the audit viewer: "25 candidates shown for q=smith", "1 CN delivery and
    1 candidate shown on /cn/12/", "Nobody shown for q=zzz"."""
    from django.apps import apps

    shown = changes.get("shown") if isinstance(changes, dict) else None
    if not isinstance(shown, dict):
        return ""
    parts = []
    # the people first, then the records about them, most first
    people = {label for label, person_attr, _ in _DECLARED.values() if person_attr is None}
    for label, ids in sorted(shown.items(), key=lambda item: (item[0] not in people, -len(item[1]), item[0])):
        try:
            meta = apps.get_model(label)._meta
        except (LookupError, ValueError):
            parts.append(f"{len(ids)} {label}")
            continue
        parts.append(f"{len(ids)} {meta.verbose_name if len(ids) == 1 else meta.verbose_name_plural}")
    what = ", ".join(parts) + " shown" if parts else "Nobody shown"
    asked = changes.get("asked") or {}
    query = asked.get("query") or {}
    if query:
        return f"{what} for " + " ".join(f"{key}={value}" for key, value in query.items())
    path = asked.get("path", "")
    return f"{what} on {path}" if path else what
