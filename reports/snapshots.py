"""The dashboard's figures, computed ahead and stored (issue #9: "cached figures for the dashboard where live
ones are too slow, and how fresh they are, shown").

At a city's scale the period's figures fold a year of encounters (seconds of work), too slow for a page. A
Celery task (`reports.tasks.refresh_dashboard_figures`, every VIP_FIGURES_REFRESH_MINUTES) stores them as a
`FiguresSnapshot`; the dashboard reads the snapshot of its scope and period when it is younger than
VIP_FIGURES_MAX_AGE, and otherwise computes, stores and shows fresh ones (so a fresh install and a period
nobody asked for yet work without the worker). The page says how old the figures are, and "Recompute now"
recomputes at once.

Whose snapshot: figures are computed from what a user may see (`figures.scope_for`). Every role that sees
every unsealed record has the very same scope, so they share one snapshot, keyed SHARED_SCOPE and computed
from `figures.all_unsealed_scope()`: the LE Lead and the Program Manager (`roles.sees_all_candidates`:
every unsealed record) and the Records Custodian (every record; the figures leave the sealed ones out). Any
narrower scope (an officer's, social services') is computed live and never stored: a snapshot keyed per
user would be one more table of per-person results to keep right, for roles that cannot open the dashboard
today (the figures reach them only through a drill-down or an export, which are live anyway), and their
scopes are small. A narrower scope never reads the shared snapshot.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import time
from contextlib import contextmanager
from dataclasses import dataclass, replace

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from django.utils.formats import date_format

from reports import figures as f
from reports.models import FiguresSnapshot
from vip.kept import shared_scope

SHARED_SCOPE = "all-unsealed"
KEEP_FOR = dt.timedelta(days=1)  # a snapshot of a period nobody opened for a day is deleted by the task


def shared_scope_key(user) -> str | None:
    """The snapshot this user's figures may come from, or None: computed live for them.

    The roles whose scope is the same for everyone holding them (`vip.kept.shared_scope`)
    see every unsealed record in the figures, which never count a sealed one. reports/tests/test_snapshots.py
    checks that their scope is exactly `all_unsealed_scope()`."""
    return SHARED_SCOPE if shared_scope(user) is not None else None


@dataclass(frozen=True)
class Freshness:
    """How old the figures shown are, and how they are kept fresh."""

    computed_at: dt.datetime
    duration_ms: int
    stored: bool  # from (or just written to) a snapshot; False: computed live for a narrower scope
    scheduled: bool  # the period the task recomputes (the default one)
    snapshot_id: int | None = None
    counted_at: dt.datetime | None = None  # the pipeline and the overdue count, when recounted alone since

    @property
    def of_the_moment(self) -> Freshness:
        """The freshness of the pipeline and the overdue count (`counted_at`, else `computed_at`)."""
        return replace(self, computed_at=self.counted_at or self.computed_at, counted_at=None)

    @property
    def cache_key(self) -> str | None:
        """Names this computation of a snapshot: what is rendered from its numbers alone may be cached under
        it (a recomputation makes a new key). None when computed live."""
        if self.snapshot_id is None:
            return None
        counted = self.counted_at.isoformat() if self.counted_at else ""
        return f"{self.snapshot_id}:{self.computed_at.isoformat()}:{counted}"

    def age(self, now: dt.datetime | None = None) -> dt.timedelta:
        return max((now or timezone.now()) - self.computed_at, dt.timedelta(0))

    def age_text(self, now: dt.datetime | None = None) -> str:
        minutes = int(self.age(now).total_seconds() // 60)
        if minutes < 1:
            return "just now"
        if minutes < 120:
            return f"{minutes} minute{'s' if minutes != 1 else ''} ago"
        return f"{minutes // 60} hours ago"

    def as_of_text(self, now: dt.datetime | None = None) -> str:
        """What stands beside each number: "live" or e.g. "as of 17:20, 6 min ago"."""
        if not self.stored:
            return "live"
        local = timezone.localtime(self.computed_at)
        today = timezone.localdate(now or timezone.now())
        when = date_format(local, "H:i") if local.date() == today else date_format(local, "j M Y H:i")
        minutes = int(self.age(now).total_seconds() // 60)
        return f"as of {when}, {'just now' if minutes < 1 else f'{minutes} min ago'}"

    def text(self, now: dt.datetime | None = None) -> str:
        """E.g. "Figures as of 17:20 (6 minutes ago), recomputed every 10 minutes."."""
        local = timezone.localtime(self.computed_at)
        today = timezone.localdate(now or timezone.now())
        when = date_format(local, "H:i") if local.date() == today else date_format(local, "j M Y H:i")
        if not self.stored:
            return f"Figures computed live at {when}."
        if self.scheduled:
            how = f"recomputed every {settings.VIP_FIGURES_REFRESH_MINUTES} minutes"
        else:
            minutes = int(settings.VIP_FIGURES_MAX_AGE.total_seconds() // 60)
            how = f"recomputed when opened more than {minutes} minutes later"
        return f"Figures as of {when} ({self.age_text(now)}), {how}."


def is_scheduled(period: f.Period, window: int, today: dt.date | None = None) -> bool:
    return period == f.Period.last_twelve_months(today) and window == f.DEFAULT_WINDOW_DAYS


def dashboard_figures(
    user, period: f.Period, window: int, *, force: bool = False, now: dt.datetime | None = None
) -> tuple[f.FigureCounts, Freshness]:
    """The dashboard's figures for this user: a fresh enough snapshot of their scope, else computed now
    (and stored when the scope is shared). `force` recomputes whatever the snapshot's age."""
    key = shared_scope_key(user)
    if key is None:
        started = time.perf_counter()
        counts = f.dashboard_counts(f.scope_for(user), period, window)
        ms = int((time.perf_counter() - started) * 1000)
        return counts, Freshness(timezone.now(), ms, stored=False, scheduled=False)
    if not force:
        snapshot = fresh_snapshot(key, period, window, now=now)
        if snapshot is not None:
            return _read(snapshot)
    with _one_at_a_time(key, period, window):
        # Whoever held the lock may have just stored what this request was about to compute.
        snapshot = None if force else fresh_snapshot(key, period, window, now=now)
        if snapshot is None:
            snapshot = compute_snapshot(key, period, window)
    return _read(snapshot)


def fresh_snapshot(key: str, period: f.Period, window: int, *, now=None) -> FiguresSnapshot | None:
    oldest = (now or timezone.now()) - settings.VIP_FIGURES_MAX_AGE
    return (
        FiguresSnapshot.objects.filter(
            scope=key, period_start=period.start, period_end=period.end, window=window, computed_at__gte=oldest
        )
        .filter(data__has_key="follow_up")
        .first()
    )  # one stored before the funnel and the follow-up is not fresh


def compute_snapshot(
    key: str, period: f.Period, window: int, *, program: f.ProgramFigures | None = None
) -> FiguresSnapshot:
    """Compute the figures of a shared scope from the records and store them (replacing the older ones).
    `program`: the period's figures of that scope, just computed (by a drill-down)."""
    if key != SHARED_SCOPE:
        raise ValueError(f"No shared scope {key!r}.")
    started = time.perf_counter()
    counts = f.dashboard_counts(f.all_unsealed_scope(), period, window, program=program)
    duration_ms = int((time.perf_counter() - started) * 1000)
    snapshot, _ = FiguresSnapshot.objects.update_or_create(
        scope=key,
        period_start=period.start,
        period_end=period.end,
        window=window,
        defaults={
            "computed_at": timezone.now(),
            "counted_at": None,
            "duration_ms": duration_ms,
            "data": counts.as_data(),
        },
    )
    return snapshot


@dataclass(frozen=True)
class Agreement:
    """What a drill-down says of the dashboard's figure it came from."""

    number: int | None  # the figure as the dashboard now shows it (None: a live list, no stored number)
    freshness: Freshness | None  # of that number
    before: tuple[int, Freshness] | None = None  # the older figure the drill-down found out of date

    @property
    def recomputed(self) -> bool:
        return self.before is not None


def agree(user, figure: str, period: f.Period, window: int, params, listed: int, *, program=None) -> Agreement:
    """Bring the dashboard's figure to the drill-down's moment (issue 18: "Refusals showed 2 while the
    drill-down listed 4").

    The drill-down lists the records now. When the stored figure counts as many, the two agree and the
    snapshot stands. When the records changed since it was computed, the snapshot is recomputed now (as
    "Recompute now" would), so the dashboard shows the number the drill-down lists, and the drill-down says
    what it was and as of when. The drill-down's own computation of the period's figures (`program`) is
    reused, so only the pipeline and the overdue count are computed again; and a drill-down of the pipeline
    or the overdue CNs recounts only those (`recount_the_moment`), not the period's figures. A figure that is a live list
    (this week's CNs), and a scope that is never stored, have nothing to bring up to date."""
    key = shared_scope_key(user)
    if key is None or f.FIGURES[figure].number is None:
        return Agreement(None, None)
    of_the_moment = figure in f.MOMENT_FIGURES

    def freshness_of(snapshot) -> tuple[f.FigureCounts, Freshness]:
        counts, freshness = _read(snapshot)
        return counts, freshness.of_the_moment if of_the_moment else freshness

    snapshot = FiguresSnapshot.objects.filter(
        scope=key, period_start=period.start, period_end=period.end, window=window
    ).first()
    before = None
    if snapshot is not None:
        counts, freshness = freshness_of(snapshot)
        number = f.shown_number(counts, figure, params)
        if number == listed:
            return Agreement(number, freshness)
        before = (number, freshness)
    with _one_at_a_time(key, period, window):
        if snapshot is not None and of_the_moment:
            snapshot = recount_the_moment(snapshot)
        else:
            snapshot = compute_snapshot(key, period, window, program=program)
    counts, freshness = freshness_of(snapshot)
    return Agreement(f.shown_number(counts, figure, params), freshness, before=before)


def refresh_scheduled() -> FiguresSnapshot:
    """What the periodic task does: recompute the default period's figures; forget periods nobody opened."""
    period, window = f.Period.last_twelve_months(), f.DEFAULT_WINDOW_DAYS
    with _one_at_a_time(SHARED_SCOPE, period, window):
        snapshot = compute_snapshot(SHARED_SCOPE, period, window)
    FiguresSnapshot.objects.filter(computed_at__lt=timezone.now() - KEEP_FOR).delete()
    return snapshot


def _read(snapshot: FiguresSnapshot) -> tuple[f.FigureCounts, Freshness]:
    period = f.Period(snapshot.period_start, snapshot.period_end)
    counts = f.FigureCounts.from_data(period, snapshot.window, snapshot.data)
    scheduled = is_scheduled(period, snapshot.window)
    return counts, Freshness(
        snapshot.computed_at,
        snapshot.duration_ms,
        stored=True,
        scheduled=scheduled,
        snapshot_id=snapshot.pk,
        counted_at=snapshot.counted_at,
    )


def recount_the_moment(snapshot: FiguresSnapshot) -> FiguresSnapshot:
    """Count the pipeline and the overdue CNs again into `snapshot`, leaving the period's figures as they
    were: they change with every transition and with the clock, and are counted in well under a second where
    the period's figures take seconds. Each part keeps its own time (`computed_at`, `counted_at`)."""
    scope = f.all_unsealed_scope()
    data = {
        **snapshot.data,
        "pipeline": {line.state: line.count for line in f.pipeline(scope)},
        "overdue_total": f.overdue_count(scope),
    }
    FiguresSnapshot.objects.filter(pk=snapshot.pk).update(data=data, counted_at=timezone.now())
    snapshot.refresh_from_db()
    return snapshot


@contextmanager
def _one_at_a_time(key: str, period: f.Period, window: int):
    """One computation of a snapshot at a time (PostgreSQL advisory lock, held to the end of the
    transaction): requests that find it stale together wait for the first instead of all computing."""
    with transaction.atomic():
        name = f"reports.snapshot:{key}:{period.start}:{period.end}:{window}".encode()
        lock = int.from_bytes(hashlib.blake2b(name, digest_size=8).digest(), "big", signed=True)
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [lock])
        yield
