"""Reminders: find what is overdue, remind the VIP LE Lead, escalate to the Program Manager.

How a reminder is sent exactly once, whatever happens to the workers:

1. The sweep walks each step's overdue CNs on the index `delivery_state_visit` (state, state_entered_at, id,
   with the LE Lead and attempt) in batches of CHUNK_SIZE, paged by key, so memory stays flat for 480k open CNs
   and each batch reads only its own CNs, in order; a CN already reminded (and escalated)
   for this visit of the state is passed over. When nothing is new, a step costs one query.
2. Each reminder is *claimed* by inserting its row with `INSERT ... ON CONFLICT DO NOTHING RETURNING`. The
   key (CN, step, state_entered_at, recipient, level) is unique in the database, so when two sweeps race
   only one insert lands, and `RETURNING` gives each sweep the rows it inserted: those it won. A batch is
   one statement (`_claim_chunk`).
3. Only the winner's e-mails are queued, after commit, one task per EMAIL_CHUNK_SIZE reminders
   (`send_reminder_emails_task(ids)`). Each e-mail locks its row, re-checks that the CN is still in that
   visit of the state, sends, and records `email_sent_at` / `email_attempts` / `last_error`. Failed ones
   are retried with exponential backoff, at most EMAIL_MAX_RETRIES times each (counted on the row).
4. A worker dying between commit and queueing loses nothing: tasks are acknowledged late, and each
   sweep re-queues e-mails left unsent for a while (`_requeue_stranded_emails`).
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import logging
import uuid
from collections import Counter
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor

from django.conf import settings
from django.contrib.auth.models import User
from django.core.mail import get_connection, send_mail
from django.db import connection, connections, transaction
from django.db.models import CharField, Exists, IntegerField, Max, OuterRef, Q, QuerySet
from django.db.models.expressions import RawSQL
from django.db.models.functions import Cast
from django.urls import reverse
from django.utils import timezone

from candidates.models import GVISMeeting, PartnerReferral
from notifications import rules
from notifications.models import Delivery, State
from notifications.reminders.models import FOLLOW_UP_STEP, Reminder, ReminderPreference
from notifications.rules import DueStep
from vip import roles

log = logging.getLogger(__name__)

CHUNK_SIZE = 5000  # CNs a claim looks at, in one statement and one transaction
EMAIL_CHUNK_SIZE = 500  # e-mails a task sends
EMAIL_MAX_RETRIES = 5  # so at most 6 attempts per e-mail
STRANDED_AFTER = dt.timedelta(minutes=15)


class EmailNotSent(Exception):
    """The mail server refused or failed; the attempt is recorded on the reminder and the task retries."""

    def __init__(self, message: str, attempts: int = 0):
        super().__init__(message)
        self.attempts = attempts  # the reminder's attempts so far, this one included


# --- the rules -----------------------------------------------------------------------------------------


# What is due when, and what a CN still owes, is the rulebook's (notifications/rules.py: DUE_STEPS, due_times):
# the dashboard's overdue list reads the same definition, with the same administrator's overrides.


@dataclasses.dataclass(frozen=True)
class _People:
    le_leads: list[int]
    program_managers: list[int]
    active: frozenset[int]
    digest: frozenset[int]

    @classmethod
    def load(cls) -> _People:
        users = User.objects.filter(is_active=True)

        def in_role(role):
            return sorted(set(users.filter(groups__name=role).values_list("pk", flat=True)))

        return cls(
            le_leads=in_role(roles.LE_LEAD),
            program_managers=in_role(roles.PROGRAM_MANAGER),
            active=frozenset(users.values_list("pk", flat=True)),
            digest=frozenset(ReminderPreference.objects.filter(digest=True).values_list("user_id", flat=True)),
        )

    def mode(self, user_id: int) -> str:
        return Reminder.Mode.DIGEST if user_id in self.digest else Reminder.Mode.SINGLE


# --- the sweep -----------------------------------------------------------------------------------------

# A claim's batch key: the last CN of the batch in the sweep's order (state_entered_at, pk).
_Key = tuple[dt.datetime, int]
# What a claim inserted: (reminder id, level, mode).
_Won = tuple[int, str, str]


def reminders_sweep(now: dt.datetime | None = None) -> dict[str, int]:
    """Remind and escalate everything overdue at `now`. Safe to run twice, or twice at once."""
    now = now or timezone.now()
    dues = rules.due_times()
    people = _People.load()
    counts: Counter[str] = Counter({"remind": 0, "escalate": 0, "gvis": 0})
    steps = rules.due_steps(dues)
    for won in _each_step(steps, lambda step, due: _claim_step(step, due, now, people)):
        counts.update(won)
    if dues.get("gvis"):
        counts["gvis"] = len(_claim_gvis(dues["gvis"], now, people))
    counts["follow_up"] = len(_claim_follow_ups(now, people))
    counts["emails_requeued"] = _requeue_stranded_emails()
    return dict(counts)


SWEEP_CONNECTIONS = 2  # steps claimed at once on PostgreSQL: a backlog's time is the database's CPU


def _each_step(steps: list, claim: Callable) -> Iterable[Counter[str]]:
    """`claim(step, due)` for each step: SWEEP_CONNECTIONS steps at once, each thread on a
    connection of its own (closed when it is done), since a first sweep over a city's backlog keeps one
    database process busy for seconds and the machine has more than one CPU. The steps' claims never touch
    the same rows (the step is part of the unique key), and each is safe against a concurrent sweep anyway.
    Inside a transaction (a test, a caller's atomic block) the steps run one after the other on the caller's
    connection, which sees what the transaction wrote."""
    if connection.in_atomic_block or SWEEP_CONNECTIONS < 2 or len(steps) < 2:
        return [claim(step, due) for step, due in steps]

    def in_thread(pair) -> Counter[str]:
        try:
            return claim(*pair)
        finally:
            connections.close_all()  # this thread's connections only

    with ThreadPoolExecutor(SWEEP_CONNECTIONS, thread_name_prefix="reminders-sweep") as pool:
        return list(pool.map(in_thread, steps))


def _claim_step(step: DueStep, due: dt.timedelta, now: dt.datetime, people: _People) -> Counter[str]:
    """Claim a step's overdue reminders batch by batch of CHUNK_SIZE CNs, each batch in a transaction of its own.

    `after` pages by key rather than by offset, so each batch starts where the last ended, and a CN with
    nobody to remind (no Program Manager on file) is passed over, not met again.
    """
    won: Counter[str] = Counter()
    after: _Key | None = None
    while True:
        with transaction.atomic():
            claimed, size, after = _claim_chunk(_step_cns(step, due, now, after), step, due, now, people)
            _email_after_commit(claimed)
        won.update(str(level) for _pk, level, _mode in claimed)
        if size < CHUNK_SIZE:
            return won


def _step_cns(step: DueStep, due: dt.timedelta, now: dt.datetime, after: _Key | None) -> QuerySet:
    """The CNs past this step's due time (reminded or not) after the key `after`, in the sweep's order."""
    deliveries = Delivery.objects.filter(step.late(due, now))
    if after is not None:
        entered, pk = after
        deliveries = deliveries.filter(
            Q(state_entered_at__gt=entered) | Q(state_entered_at=entered, pk__gt=pk), state_entered_at__gte=entered
        )
    return (
        deliveries
        # One order for every sweep, so racing inserts take the unique index's locks in the same order.
        .order_by("state_entered_at", "pk").values_list("pk", "le_lead_id", "state_entered_at", "attempt")
    )


def _step_message_format(step: DueStep, level: str) -> str:
    """The message with two blanks for PostgreSQL's format(), the CN's number and when it was due. No
    candidate names: the message also travels by e-mail."""
    label, what = (str(text).replace("%", "%%") for text in (State(step.state).label, step.what))
    if level == Reminder.Level.ESCALATE:
        return f"Escalation: CN #%s ({label}): {what} was due %s and is past twice its time."
    return f"CN #%s ({label}): {what} was due %s."


_DUE_FORMAT = "Mon DD, YYYY HH24:MI"  # PostgreSQL's to_char: "Mar 08, 2026 04:00", in the local time zone


def _claim_chunk(
    cns: QuerySet, step: DueStep, due: dt.timedelta, now: dt.datetime, people: _People
) -> tuple[list[_Won], int, _Key | None]:
    """Insert the reminders of the first CHUNK_SIZE of `cns` with some still to claim, in one statement (pick
    the batch, work out who is reminded, write the messages, insert); returns those this sweep won, how many
    CNs the batch held and the last one's key.

    Written by hand because building the same rows in Python (a model instance and a message each, then
    bulk_create and reading back the rows this sweep won) cost about 100 us a reminder: 17 s for the 175,000
    reminders of a city's first sweep. Here the rows never leave the server, and `RETURNING` hands back
    exactly the rows this statement inserted, leaving out those `ON CONFLICT DO NOTHING` skipped because
    another sweep holds them, which Django's bulk_create(ignore_conflicts=True) cannot tell.

    - `batch`: the CNs come from the ORM (`_step_cns`); whether each was reminded / escalated is one probe
      per CN of the unique index, in a LATERAL subquery. As NOT EXISTS filters (two in WHERE, two again in
      the SELECT) PostgreSQL hashed them instead, each reading the whole index of reminders: 60 of a batch's
      150 ms once 175,000 reminders were in, and more as they pile up. When nothing is new the batch is
      empty, and the step costs this one statement.
    - `wanted`: who is reminded of a CN's step: its LE Lead (every LE Lead if it has no active one), then at
      twice the due time every Program Manager. The messages: `_step_message_format` and `_DUE_FORMAT`.
    """
    cns_sql, cns_params = cns.query.sql_with_params()
    set_here = [
        "kind", "delivery_id", "step", "state", "state_entered_at", "attempt", "recipient_id", "level", "due_at",
        "message", "mode", "claim",
    ]  # fmt: skip
    other_columns, other_defaults = _column_defaults(exclude=set_here)
    remind, escalate = Reminder.Level.REMIND, Reminder.Level.ESCALATE
    escalate_before = now - 2 * due
    sql = f"""
        WITH batch (delivery_id, le_lead_id, entered, attempt, reminded, escalated) AS (
            SELECT cn.*, done.reminded IS TRUE, done.escalated IS TRUE
              FROM ({cns_sql}) AS cn (delivery_id, le_lead_id, entered, attempt)
             CROSS JOIN LATERAL (
                   SELECT bool_or(r.level = %s) AS reminded, bool_or(r.level = %s) AS escalated
                     FROM {Reminder._meta.db_table} r
                    WHERE r.kind = %s AND r.delivery_id = cn.delivery_id AND r.step = %s
                      AND r.state_entered_at = cn.entered
                   ) AS done
             WHERE done.reminded IS NOT TRUE OR (done.escalated IS NOT TRUE AND cn.entered <= %s)
             ORDER BY cn.entered, cn.delivery_id
             LIMIT %s
        ),
        wanted (delivery_id, entered, attempt, recipient_id, level) AS (
            SELECT b.delivery_id, b.entered, b.attempt, lead.id, %s
              FROM batch b CROSS JOIN LATERAL unnest(
                   CASE WHEN b.le_lead_id = ANY(%s::integer[]) THEN ARRAY[b.le_lead_id] ELSE %s::integer[] END
                   ) AS lead (id)
             WHERE NOT b.reminded
            UNION ALL
            SELECT b.delivery_id, b.entered, b.attempt, manager.id, %s
              FROM batch b CROSS JOIN unnest(%s::integer[]) AS manager (id)
             WHERE NOT b.escalated AND b.entered <= %s
        ),
        claimed AS (
            INSERT INTO {Reminder._meta.db_table} ({", ".join(set_here + other_columns)})
            SELECT %s, w.delivery_id, %s, %s, w.entered, w.attempt, w.recipient_id, w.level, w.entered + %s,
                   format(CASE w.level WHEN %s THEN %s ELSE %s END, w.delivery_id,
                          to_char((w.entered + %s) AT TIME ZONE %s, %s)),
                   CASE WHEN w.recipient_id = ANY(%s::integer[]) THEN %s ELSE %s END,
                   %s{"".join(", %s" for _ in other_columns)}
              FROM wanted w
             ORDER BY w.entered, w.delivery_id, w.recipient_id, w.level
            ON CONFLICT DO NOTHING
            RETURNING id, level, mode
        )
        SELECT id, level, mode, NULL, NULL, NULL FROM claimed
        UNION ALL
        SELECT NULL, NULL, NULL, (SELECT count(*) FROM batch), last.entered, last.delivery_id
          FROM (SELECT entered, delivery_id FROM batch ORDER BY entered DESC, delivery_id DESC LIMIT 1) AS last
    """  # noqa: S608 - table and column names from the model; every value is a parameter
    params = [
        *cns_params, remind, escalate, Reminder.Kind.STEP, step.code, escalate_before, CHUNK_SIZE,
        remind, sorted(people.active), people.le_leads,
        escalate, people.program_managers, escalate_before,
        Reminder.Kind.STEP, step.code, step.state, due,
        escalate, _step_message_format(step, escalate), _step_message_format(step, remind),
        due, timezone.get_current_timezone_name(), _DUE_FORMAT,
        sorted(people.digest), Reminder.Mode.DIGEST, Reminder.Mode.SINGLE,
        uuid.uuid4(), *other_defaults,
    ]  # fmt: skip
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    won = [(pk, level, mode) for pk, level, mode, _size, _entered, _last in rows if pk is not None]
    size, last = next(((size, (entered, pk)) for _i, _l, _m, size, entered, pk in rows if size is not None), (0, None))
    return won, size, last


def _column_defaults(exclude: Iterable[str]) -> tuple[list[str], list]:
    """The other columns of a reminder and their model defaults, ready for the database."""
    fields = [f for f in Reminder._meta.concrete_fields if not f.primary_key and f.column not in set(exclude)]
    return [f.column for f in fields], [f.get_db_prep_save(f.get_default(), connection) for f in fields]


def _insert_claims(reminders: list[Reminder]) -> list[_Won]:
    """Insert the reminders; those another sweep already holds are left out (the unique constraints).

    `INSERT ... ON CONFLICT DO NOTHING RETURNING` returns the rows this statement
    inserted, i.e. those this sweep won. By hand: bulk_create(ignore_conflicts=True) returns no ids.
    """
    if not reminders:
        return []
    token = uuid.uuid4()
    fields = [f for f in Reminder._meta.concrete_fields if not f.primary_key]
    rows = []
    for reminder in reminders:
        reminder.claim = token
        rows.append([f.get_db_prep_save(f.pre_save(reminder, True), connection) for f in fields])
    placeholders = ", ".join(["(" + ", ".join(["%s"] * len(fields)) + ")"] * len(rows))
    columns = ", ".join(f.column for f in fields)
    # Names from the model, every value a parameter.
    sql = f"INSERT INTO {Reminder._meta.db_table} ({columns}) VALUES {placeholders} ON CONFLICT DO NOTHING"  # noqa: S608
    sql += " RETURNING id, level, mode"
    with connection.cursor() as cursor:
        cursor.execute(sql, [value for row in rows for value in row])
        return [tuple(row) for row in cursor.fetchall()]


def _gvis_reminders(due: dt.timedelta, now: dt.datetime, people: _People) -> list[Reminder]:
    """SOP 2-64-3: the shootings are reviewed weekly (GVIS). Reminded once per ISO week while none is held."""
    last_held = _gvis_last_held()
    year, week, _ = timezone.localdate(now).isocalendar()

    def overdue(factor):
        return last_held is None or last_held <= timezone.localdate(now - factor * due)

    if last_held is None:
        due_at = now
    else:
        start_of_day = dt.datetime.combine(last_held, dt.time.min, tzinfo=timezone.get_current_timezone())
        due_at = start_of_day + due
    wanted = []
    if overdue(1):
        wanted += [(Reminder.Level.REMIND, user_id) for user_id in people.le_leads]
    if overdue(2):
        wanted += [(Reminder.Level.ESCALATE, user_id) for user_id in people.program_managers]
    since = f"since {last_held:%b %d, %Y}" if last_held else "on record"
    return [
        Reminder(
            kind=Reminder.Kind.GVIS,
            step="gvis",
            period=f"{year}-W{week:02d}",
            recipient_id=user_id,
            level=level,
            due_at=due_at,
            message=f"{'Escalation: ' if level == Reminder.Level.ESCALATE else ''}No weekly shooting review (GVIS) "
            f"meeting {since}: hold and record this week's.",
            mode=people.mode(user_id),
        )
        for level, user_id in wanted
    ]


def _claim_gvis(due: dt.timedelta, now: dt.datetime, people: _People) -> list[_Won]:
    with transaction.atomic():
        claimed = _insert_claims(_gvis_reminders(due, now, people))
        _email_after_commit(claimed)
    return claimed


def _follow_up_reminders(now: dt.datetime, people: _People) -> list[Reminder]:
    """Issue 19: a referral whose follow-up date has come with no result recorded (the referral's rule,
    `PartnerReferral.objects.follow_up_overdue`) reminds its navigator, once per follow-up date. The message names
    no person, partner or need: it travels by e-mail, and the Administrator reads the reminders' list."""
    today = timezone.localdate(now)
    overdue = (
        PartnerReferral.objects.follow_up_overdue(today)
        .filter(navigator_id__in=people.active)
        .exclude(
            Exists(  # already reminded for this follow-up date (a new date is a new reminder)
                Reminder.objects.filter(
                    kind=Reminder.Kind.FOLLOW_UP,
                    referral=OuterRef("pk"),
                    period=Cast(OuterRef("follow_up_due"), CharField()),  # ISO, as `period` holds it
                )
            )
        )
        .order_by("follow_up_due", "pk")
        .values_list("pk", "navigator_id", "follow_up_due")[:CHUNK_SIZE]
    )
    start_of = dt.time.min
    return [
        Reminder(
            kind=Reminder.Kind.FOLLOW_UP,
            referral_id=pk,
            step=FOLLOW_UP_STEP,
            period=due.isoformat(),
            recipient_id=navigator_id,
            level=Reminder.Level.REMIND,
            due_at=dt.datetime.combine(due, start_of, tzinfo=timezone.get_current_timezone()),
            message=f"Referral #{pk}: its follow-up was due {due:%b %d, %Y} and no result is recorded. "
            "Record what came of it.",
            mode=people.mode(navigator_id),
        )
        for pk, navigator_id, due in overdue
    ]


def _claim_follow_ups(now: dt.datetime, people: _People) -> list[_Won]:
    with transaction.atomic():
        claimed = _insert_claims(_follow_up_reminders(now, people))
        _email_after_commit(claimed)
    return claimed


def _gvis_last_held() -> dt.date | None:
    return GVISMeeting.objects.aggregate(last=Max("held_on"))["last"]


def _email_after_commit(claimed: list[_Won]) -> None:
    to_email = [pk for pk, _level, mode in claimed if mode == Reminder.Mode.SINGLE]
    if to_email:
        # robust: a broker outage must not undo the claims; the next sweep re-queues the e-mails.
        transaction.on_commit(lambda: _queue_emails(to_email), robust=True)


# The Celery task that sends a chunk of e-mails. notifications/tasks.py hands it over when it is imported
# (NotificationsConfig.ready imports it in every process): the tasks run the sweep, so the sweep does not
# import them back.
_EMAIL_TASK: dict[str, object] = {}


def register_email_task(task) -> None:
    _EMAIL_TASK["send_chunk"] = task


def _queue_emails(reminder_ids: list[int]) -> None:
    """One task per EMAIL_CHUNK_SIZE e-mails: a message per reminder cost about 1 ms each, most of a backlog's sweep."""
    send_reminder_emails_task = _EMAIL_TASK["send_chunk"]
    for start in range(0, len(reminder_ids), EMAIL_CHUNK_SIZE):
        ids = reminder_ids[start : start + EMAIL_CHUNK_SIZE]
        # A short argsrepr for monitoring; Celery's own repr of 500 ids took a third of the queueing time.
        send_reminder_emails_task.apply_async(args=[ids], argsrepr=f"([{ids[0]}, ... {ids[-1]}] ({len(ids)} ids),)")


def _requeue_stranded_emails() -> int:
    """E-mails a dead worker never queued or finished: queue them again (the send itself is idempotent).

    Real time, not the sweep's `now`: this is about how long the work has been waiting.
    """
    stale = timezone.now() - STRANDED_AFTER
    ids = list(
        Reminder.objects.filter(
            mode=Reminder.Mode.SINGLE,
            email_sent_at__isnull=True,
            email_skipped="",
            email_attempts__lte=EMAIL_MAX_RETRIES,
            created_at__lte=stale,
        )
        .filter(Q(last_attempt_at__isnull=True) | Q(last_attempt_at__lte=stale))
        .order_by("pk")
        .values_list("pk", flat=True)[:CHUNK_SIZE]
    )
    if ids:
        _queue_emails(ids)
    return len(ids)


# --- sending -------------------------------------------------------------------------------------------


def _why_not_email(reminder: Reminder) -> str:
    if not reminder.recipient.is_active:
        return "The recipient's account is inactive."
    if not reminder.recipient.email:
        return "The recipient has no e-mail address on file."
    if reminder.kind == Reminder.Kind.STEP and reminder.moved_on:
        return "The CN moved on before the e-mail was sent."
    if reminder.kind == Reminder.Kind.FOLLOW_UP and reminder.moved_on:
        return "The referral's result was recorded before the e-mail was sent."
    if reminder.kind == Reminder.Kind.GVIS and GVISMeeting.objects.filter(created_at__gt=reminder.created_at).exists():
        return "A GVIS meeting was recorded before the e-mail was sent."
    return ""


def _subject(reminder: Reminder) -> str:
    what = "Escalation" if reminder.level == Reminder.Level.ESCALATE else "Reminder"
    about = f"CN #{reminder.delivery_id}" if reminder.delivery_id else "weekly GVIS review"
    if reminder.kind == Reminder.Kind.FOLLOW_UP:
        about = f"referral #{reminder.referral_id} follow-up"
    return f"[VIP] {what}: {about} overdue"


def _link(reminder: Reminder) -> str:
    base = getattr(settings, "VIP_BASE_URL", "").rstrip("/")
    if reminder.delivery_id:
        return base + reverse("notifications:detail", args=[reminder.delivery_id])
    if reminder.kind == Reminder.Kind.FOLLOW_UP:
        return base + reverse("aftercare:caseload")  # the person is named only behind the sign-in
    if reminder.kind == Reminder.Kind.GVIS:
        return base + reverse("gvis:list")  # the weekly review: "Start this week's review" and its agenda
    return base + reverse("reminders:inbox")


def send_reminder_email(reminder_id: int, mail=None) -> str:
    """Send one reminder's e-mail at most once. Raises EmailNotSent (after recording it) to retry.

    `mail`: an open mail connection to reuse, so a chunk of e-mails opens the mail server once.
    """
    failure = None
    with transaction.atomic():
        # The row lock serialises duplicate tasks for one reminder: the second sees email_sent_at.
        reminder = Reminder.objects.select_for_update().filter(pk=reminder_id).first()
        if reminder is None:
            return "gone"
        if reminder.email_sent_at or reminder.email_skipped or reminder.mode != Reminder.Mode.SINGLE:
            return "nothing to send"
        why_not = _why_not_email(reminder)
        if why_not:
            reminder.email_skipped = why_not
            reminder.save(update_fields=["email_skipped"])
            return "skipped"
        reminder.email_attempts += 1
        reminder.last_attempt_at = timezone.now()
        try:
            body = f"{reminder.message}\n\nOpen: {_link(reminder)}\n"
            send_mail(_subject(reminder), body, None, [reminder.recipient.email], fail_silently=False, connection=mail)
        except Exception as exc:  # any mail backend error: recorded, then retried by the task
            reminder.last_error = f"{type(exc).__name__}: {exc}"[:2000]
            failure = exc
        else:
            reminder.email_sent_at = timezone.now()
        reminder.save(update_fields=["email_attempts", "last_attempt_at", "last_error", "email_sent_at"])
    if failure is not None:
        raise EmailNotSent(str(failure), attempts=reminder.email_attempts) from failure
    return "sent"


@dataclasses.dataclass
class EmailChunk:
    """What became of a chunk of e-mails: how many were sent, skipped...; which failed and may be retried."""

    counts: Counter[str] = dataclasses.field(default_factory=Counter)
    retry: list[int] = dataclasses.field(default_factory=list)
    gave_up: list[int] = dataclasses.field(default_factory=list)


def send_reminder_emails(reminder_ids: Iterable[int]) -> EmailChunk:
    """Send a chunk of reminders' e-mails, each at most once and under its own row lock (send_reminder_email).

    A failure is recorded on its reminder (attempts, last error) and does not stop the others; the failed
    reminders with retries left (at most EMAIL_MAX_RETRIES after the first attempt, counted on the row, so a
    re-queued e-mail gets no more) are returned for the task to retry after a backoff.
    """
    chunk = EmailChunk()
    mail = get_connection()
    try:
        for reminder_id in reminder_ids:
            # Open once, and again after a failure closed it. If it cannot, the send below fails the same way,
            # and that is recorded on its reminder.
            with contextlib.suppress(Exception):
                mail.open()
            try:
                chunk.counts[send_reminder_email(reminder_id, mail=mail)] += 1
            except EmailNotSent as failure:
                chunk.counts["failed"] += 1
                (chunk.retry if failure.attempts <= EMAIL_MAX_RETRIES else chunk.gave_up).append(reminder_id)
                mail.close()  # the connection may be broken: the next send opens a new one
    finally:
        mail.close()
    if chunk.gave_up:
        log.error("Reminder e-mails not sent after %s attempts: %s", EMAIL_MAX_RETRIES + 1, chunk.gave_up)
    return chunk


def reminders_digest(now: dt.datetime | None = None) -> dict[str, int]:
    """One e-mail per digest reader summarising the digest items not yet e-mailed (the day's, or older)."""
    now = now or timezone.now()
    pending = Reminder.objects.filter(
        mode=Reminder.Mode.DIGEST, email_sent_at__isnull=True, email_skipped="", created_at__lte=now
    )
    user_ids = sorted(set(pending.values_list("recipient_id", flat=True)))
    counts: Counter[str] = Counter({"digests": 0, "items": 0})
    for user_id in user_ids:
        counts.update(_send_digest(user_id, now))
    return dict(counts)


def _send_digest(user_id: int, now: dt.datetime) -> Counter[str]:
    with transaction.atomic():
        # skip_locked: a digest running at the same time takes none of these rows, so no second e-mail.
        items = list(
            Reminder.objects.select_for_update(skip_locked=True)
            .filter(
                recipient_id=user_id,
                mode=Reminder.Mode.DIGEST,
                email_sent_at__isnull=True,
                email_skipped="",
                created_at__lte=now,
            )
            .order_by("created_at", "pk")
        )
        if not items:
            return Counter()
        recipient = User.objects.get(pk=user_id)
        deliveries = Delivery.objects.in_bulk([r.delivery_id for r in items if r.delivery_id])
        to_send = []
        for item in items:
            item.delivery = deliveries.get(item.delivery_id) if item.delivery_id else None
            item.recipient = recipient
            why_not = _why_not_email(item)
            if why_not:
                item.email_skipped = why_not
            else:
                to_send.append(item)
        stamp = timezone.now()
        if to_send:
            lines = [f"- {item.message} {_link(item)}" for item in to_send]
            body = f"Your VIP reminders ({len(to_send)}):\n\n" + "\n".join(lines) + "\n"
            subject = f"[VIP] Daily digest: {len(to_send)} reminder{'s' if len(to_send) != 1 else ''}"
            send_mail(subject, body, None, [recipient.email], fail_silently=False)
            for item in to_send:
                item.email_sent_at = stamp
                item.email_attempts += 1
                item.last_attempt_at = stamp
        Reminder.objects.bulk_update(items, ["email_skipped", "email_sent_at", "email_attempts", "last_attempt_at"])
    return Counter({"digests": 1 if to_send else 0, "items": len(to_send)})


# --- the notification centre ---------------------------------------------------------------------------


def reminders_for(user) -> QuerySet[Reminder]:
    return Reminder.objects.filter(recipient=user).select_related("delivery", "referral")


UNREAD_COUNTED_UP_TO = 100  # the badge reads "99+" beyond: counting a backlog of 100,000 took 14 ms a page


UNREAD_READ_WITH_USER = "vip_unread_reminders"


def unread_count(user) -> int:
    """How many reminders `user` has not read, counted up to UNREAD_COUNTED_UP_TO (shown on every page): as read
    with the signed-in user at the start of the request (`with_unread_count`), else counted now."""
    if not user.is_authenticated:
        return 0
    read = getattr(user, UNREAD_READ_WITH_USER, None)
    if read is None:
        read = with_unread_count(User.objects.filter(pk=user.pk)).values_list(UNREAD_READ_WITH_USER, flat=True).get()
    return read


def with_unread_count(users: QuerySet) -> QuerySet:
    """`users` with each one's unread count (as `unread_count`) read in the same query: registered with
    `vip.auth_backends.READ_WITH_SIGNED_IN_USER`, it spares every page a query of its own (issue #9)."""
    reminders, table = Reminder._meta, users.model._meta.db_table
    recipient, read_at = reminders.get_field("recipient").column, reminders.get_field("read_at").column
    sql = (
        f"(SELECT COUNT(*) FROM (SELECT 1 FROM {reminders.db_table} r "  # noqa: S608 - names from the models
        f"WHERE r.{recipient} = {table}.id AND r.{read_at} IS NULL LIMIT {UNREAD_COUNTED_UP_TO}) unread)"
    )
    return users.annotate(**{UNREAD_READ_WITH_USER: RawSQL(sql, [], output_field=IntegerField())})  # noqa: S611


def _forget_unread_count(user) -> None:
    """The count read with the user no longer holds once they mark reminders read."""
    user.__dict__.pop(UNREAD_READ_WITH_USER, None)


def reminder_mark_read(*, user, reminder_id: int) -> int:
    _forget_unread_count(user)
    return Reminder.objects.filter(pk=reminder_id, recipient=user, read_at__isnull=True).update(read_at=timezone.now())


def reminder_mark_all_read(*, user) -> int:
    _forget_unread_count(user)
    return Reminder.objects.filter(recipient=user, read_at__isnull=True).update(read_at=timezone.now())


def wants_digest(user) -> bool:
    return ReminderPreference.objects.filter(user=user, digest=True).exists()


def reminder_set_digest(*, user, digest: bool) -> ReminderPreference:
    preference, _ = ReminderPreference.objects.update_or_create(user=user, defaults={"digest": digest})
    return preference
