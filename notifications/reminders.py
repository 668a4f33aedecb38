"""Reminders: find what is overdue, remind the VIP LE Lead, escalate to the Program Manager.

How a reminder is sent exactly once, whatever happens to the workers:

1. The sweep reads one query per step (the `(state, state_entered_at)` index), streamed with
   `.iterator()` so memory stays flat for 300k open CNs, and skips items already reminded (NOT EXISTS).
2. Each reminder is *claimed* by inserting its row with `INSERT ... ON CONFLICT DO NOTHING`
   (`bulk_create(ignore_conflicts=True)`). The key (CN, step, state_entered_at, recipient, level) is
   unique in the database, so when two sweeps race only one insert lands; each sweep stamps its rows
   with a fresh `claim` token and reads back the rows carrying its token: those it won.
3. Only the winner's e-mails are queued, after commit (`send_reminder_email_task(reminder_id)`), which
   locks the row, re-checks that the CN is still in that visit of the state, sends, and records
   `email_sent_at` / `email_attempts` / `last_error`. A failure retries with exponential backoff.
4. A worker dying between commit and queueing loses nothing: tasks are acknowledged late, and each
   sweep re-queues e-mails left unsent for a while (`_requeue_stranded_emails`).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import uuid
from collections import Counter
from collections.abc import Callable, Iterable

from django.conf import settings
from django.contrib.auth.models import User
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Exists, Max, OuterRef, Q, QuerySet
from django.urls import reverse
from django.utils import timezone

from notifications.models import Check, Delivery, State
from notifications.reminder_models import Reminder, ReminderPreference, StepDueTime
from vip import roles

log = logging.getLogger(__name__)

CHUNK_SIZE = 2000
EMAIL_MAX_RETRIES = 5  # so at most 6 attempts per e-mail
STRANDED_AFTER = dt.timedelta(minutes=15)


class EmailNotSent(Exception):
    """The mail server refused or failed; the attempt is recorded on the reminder and the task retries."""


# --- the rules -----------------------------------------------------------------------------------------


def _missing_a_check(deliveries: QuerySet) -> QuerySet:
    def has(kind):
        return Exists(Check.objects.filter(delivery=OuterRef("pk"), kind=kind))

    return deliveries.filter(~has(Check.Kind.THREAT_ASSESSMENT) | ~has(Check.Kind.BACKGROUND_CHECK))


@dataclasses.dataclass(frozen=True)
class Step:
    code: str  # key of settings.VIP_STEP_DUE and StepDueTime.state
    state: str
    what: str
    pending: Callable[[QuerySet], QuerySet] = lambda deliveries: deliveries


STEPS = [
    Step("identified", State.IDENTIFIED, "the eligibility determination"),
    Step("eligible", State.ELIGIBLE, "the start of preparation"),
    Step("in_preparation.checks", State.IN_PREPARATION, "the threat assessment and background check", _missing_a_check),
    Step("in_preparation", State.IN_PREPARATION, "the approval"),
    Step("ready", State.READY, "the delivery"),
    Step("ecc_advised", State.ECC_ADVISED, "the delivery"),
    *[
        Step(state, state, "the after-action (ECC advised of the outcome, CAD report number)")
        for state in (State.DELIVERED, State.DELIVERED_TO_INFLUENCER, State.REFUSED, State.NOT_LOCATED)
    ],
    Step("after_action", State.AFTER_ACTION, "the LE Lead's confirmation of the after-action"),
]


def due_times() -> dict[str, dt.timedelta]:
    """The settings' defaults, overridden by what an administrator set in the admin."""
    dues = dict(settings.VIP_STEP_DUE)
    for code, hours in StepDueTime.objects.values_list("state", "due_hours"):
        dues[code] = dt.timedelta(hours=hours)
    return dues


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


def reminders_sweep(now: dt.datetime | None = None) -> dict[str, int]:
    """Remind and escalate everything overdue at `now`. Safe to run twice, or twice at once."""
    now = now or timezone.now()
    dues = due_times()
    people = _People.load()
    counts: Counter[str] = Counter({"remind": 0, "escalate": 0, "gvis": 0})
    for step in STEPS:
        due = dues.get(step.code)
        if due:
            counts.update(_claim_in_chunks(_step_reminders(step, due, now, people)))
    if dues.get("gvis"):
        counts["gvis"] = sum(_claim_in_chunks(_gvis_reminders(dues["gvis"], now, people)).values())
    counts["emails_requeued"] = _requeue_stranded_emails()
    return dict(counts)


def _step_reminders(step: Step, due: dt.timedelta, now: dt.datetime, people: _People) -> Iterable[Reminder]:
    def reminded(level):
        return Exists(
            Reminder.objects.filter(
                kind=Reminder.Kind.STEP,
                delivery=OuterRef("pk"),
                step=step.code,
                state_entered_at=OuterRef("state_entered_at"),
                level=level,
            )
        )

    escalate_before = now - 2 * due
    rows = (
        step.pending(Delivery.objects.filter(state=step.state, state_entered_at__lte=now - due))
        .annotate(reminded=reminded(Reminder.Level.REMIND), escalated=reminded(Reminder.Level.ESCALATE))
        .filter(Q(reminded=False) | Q(escalated=False, state_entered_at__lte=escalate_before))
        # One order for every sweep, so racing inserts take the unique index's locks in the same order.
        .order_by("state_entered_at", "pk")
        .values_list("pk", "le_lead_id", "state_entered_at", "attempt", "reminded", "escalated")
    )
    for pk, le_lead_id, entered, attempt, was_reminded, was_escalated in rows.iterator(chunk_size=CHUNK_SIZE):
        due_at = entered + due
        wanted = []
        if not was_reminded:
            leads = [le_lead_id] if le_lead_id in people.active else people.le_leads
            wanted += [(Reminder.Level.REMIND, user_id) for user_id in leads]
        if not was_escalated and entered <= escalate_before:
            wanted += [(Reminder.Level.ESCALATE, user_id) for user_id in people.program_managers]
        for level, user_id in wanted:
            yield Reminder(
                kind=Reminder.Kind.STEP,
                delivery_id=pk,
                step=step.code,
                state=step.state,
                state_entered_at=entered,
                attempt=attempt,
                recipient_id=user_id,
                level=level,
                due_at=due_at,
                message=_step_message(pk, step, due_at, level),
                mode=people.mode(user_id),
            )


def _step_message(pk: int, step: Step, due_at: dt.datetime, level: str) -> str:
    # No candidate names: the message also travels by e-mail.
    when = timezone.localtime(due_at).strftime("%b %d, %Y %H:%M")
    if level == Reminder.Level.ESCALATE:
        return (
            f"Escalation: CN #{pk} ({State(step.state).label}): {step.what} was due {when} and is past twice its time."
        )
    return f"CN #{pk} ({State(step.state).label}): {step.what} was due {when}."


def _gvis_reminders(due: dt.timedelta, now: dt.datetime, people: _People) -> Iterable[Reminder]:
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
    for level, user_id in wanted:
        prefix = "Escalation: " if level == Reminder.Level.ESCALATE else ""
        yield Reminder(
            kind=Reminder.Kind.GVIS,
            step="gvis",
            period=f"{year}-W{week:02d}",
            recipient_id=user_id,
            level=level,
            due_at=due_at,
            message=f"{prefix}No weekly shooting review (GVIS) meeting {since}: hold and record this week's.",
            mode=people.mode(user_id),
        )


def _gvis_last_held() -> dt.date | None:
    from candidates.models import GVISMeeting

    return GVISMeeting.objects.aggregate(last=Max("held_on"))["last"]


def _claim_in_chunks(reminders: Iterable[Reminder]) -> Counter[str]:
    won: Counter[str] = Counter()
    batch: list[Reminder] = []
    for reminder in reminders:
        batch.append(reminder)
        if len(batch) >= CHUNK_SIZE:
            won.update(_claim(batch))
            batch = []
    if batch:
        won.update(_claim(batch))
    return won


def _claim(batch: list[Reminder]) -> Counter[str]:
    """Insert the rows; those carrying this claim's token afterwards are the ones this sweep won."""
    token = uuid.uuid4()
    for reminder in batch:
        reminder.claim = token
    with transaction.atomic():
        Reminder.objects.bulk_create(batch, ignore_conflicts=True)
        won = list(Reminder.objects.filter(claim=token).values_list("pk", "level", "mode"))
        to_email = [pk for pk, _level, mode in won if mode == Reminder.Mode.SINGLE]
        if to_email:
            # robust: a broker outage must not undo the claims; the next sweep re-queues the e-mails.
            transaction.on_commit(lambda: _queue_emails(to_email), robust=True)
    return Counter(str(level) for _pk, level, _mode in won)


def _queue_emails(reminder_ids: list[int]) -> None:
    from notifications.tasks import send_reminder_email_task

    for reminder_id in reminder_ids:
        send_reminder_email_task.delay(reminder_id)


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
    if reminder.kind == Reminder.Kind.GVIS:
        from candidates.models import GVISMeeting

        if GVISMeeting.objects.filter(created_at__gt=reminder.created_at).exists():
            return "A GVIS meeting was recorded before the e-mail was sent."
    return ""


def _subject(reminder: Reminder) -> str:
    what = "Escalation" if reminder.level == Reminder.Level.ESCALATE else "Reminder"
    about = f"CN #{reminder.delivery_id}" if reminder.delivery_id else "weekly GVIS review"
    return f"[VIP] {what}: {about} overdue"


def _link(reminder: Reminder) -> str:
    base = getattr(settings, "VIP_BASE_URL", "").rstrip("/")
    if reminder.delivery_id:
        return base + reverse("notifications:detail", args=[reminder.delivery_id])
    return base + reverse("reminders:inbox")


def send_reminder_email(reminder_id: int) -> str:
    """Send one reminder's e-mail at most once. Raises EmailNotSent (after recording it) to retry."""
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
            send_mail(_subject(reminder), body, None, [reminder.recipient.email], fail_silently=False)
        except Exception as exc:  # any mail backend error: recorded, then retried by the task
            reminder.last_error = f"{type(exc).__name__}: {exc}"[:2000]
            failure = exc
        else:
            reminder.email_sent_at = timezone.now()
        reminder.save(update_fields=["email_attempts", "last_attempt_at", "last_error", "email_sent_at"])
    if failure is not None:
        raise EmailNotSent(str(failure)) from failure
    return "sent"


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
    return Reminder.objects.filter(recipient=user).select_related("delivery")


def unread_count(user) -> int:
    if not user.is_authenticated:
        return 0
    return Reminder.objects.filter(recipient=user, read_at__isnull=True).count()


def reminder_mark_read(*, user, reminder_id: int) -> int:
    return Reminder.objects.filter(pk=reminder_id, recipient=user, read_at__isnull=True).update(read_at=timezone.now())


def reminder_mark_all_read(*, user) -> int:
    return Reminder.objects.filter(recipient=user, read_at__isnull=True).update(read_at=timezone.now())


def wants_digest(user) -> bool:
    return ReminderPreference.objects.filter(user=user, digest=True).exists()


def reminder_set_digest(*, user, digest: bool) -> ReminderPreference:
    preference, _ = ReminderPreference.objects.update_or_create(user=user, defaults={"digest": digest})
    return preference
