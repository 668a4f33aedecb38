"""The CN's rulebook, in one place: its states and the sets of them the program speaks of, who may act,
when each step is due, and the SOP 2-64-6 qualification rule with its wording.

Everything else reads these: the state machine (`notifications/models.py`), the guards, the services, the
step registry (`notifications/steps.py`), the reminder sweep, the dashboard, the board and the tablet. A
rule written here is written nowhere else.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from django.apps import apps
from django.conf import settings
from django.db import models
from django.db.models import (
    Case,
    DateTimeField,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    Value,
    When,
)
from django.utils import timezone

from vip import roles

# --- the states ---------------------------------------------------------------------------------------------


class State(models.TextChoices):
    IDENTIFIED = "identified", "Identified"
    ELIGIBLE = "eligible", "Eligible"
    IN_PREPARATION = "in_preparation", "In preparation"
    READY = "ready", "Ready to deliver"
    ECC_ADVISED = "ecc_advised", "ECC advised"
    DELIVERED = "delivered", "Delivered"
    DELIVERED_TO_INFLUENCER = "delivered_to_influencer", "Delivered to influencer"
    REFUSED = "refused", "Refused / asked to leave"
    NOT_LOCATED = "not_located", "Not located"
    AFTER_ACTION = "after_action", "After-action recorded"
    CLOSED = "closed", "Closed"
    CANCELLED = "cancelled", "Cancelled"


FINISHED_STATES = (State.CLOSED, State.CANCELLED)  # read-only, but for an audited correction (CORRECTABLE below)
OPEN_STATES = tuple(s for s in State if s not in FINISHED_STATES)
PREPARATION_STATES = (State.IDENTIFIED, State.ELIGIBLE, State.IN_PREPARATION)
# The team and the guardian contact may still change once approved, until the team sets out.
TEAM_STATES = (*PREPARATION_STATES, State.READY)
CANCELLABLE_STATES = TEAM_STATES
# What happened at the door (SOP 2-64-4 C): each waits for its after-action.
OUTCOME_STATES = (State.DELIVERED, State.DELIVERED_TO_INFLUENCER, State.REFUSED, State.NOT_LOCATED)
CONTACT_STATES = (State.DELIVERED, State.DELIVERED_TO_INFLUENCER)
# Where the delivering team acts (the tablet's steps).
DOOR_STATES = (State.READY, State.ECC_ADVISED, *OUTCOME_STATES)


# --- who may act -------------------------------------------------------------------------------------------

DELIVERING_ROLES = ("le_lead", "officer", "trainee")  # TeamMember.Role values that go to the door


def may_lead(delivery, user) -> bool:
    """The VIP LE Lead (the Deputy Chief of the Investigative Bureau or a designee)."""
    return roles.is_le_lead(user)


def may_act_at_the_door(delivery, user) -> bool:
    """The LE Lead, or a sworn member of this CN's delivery team."""
    if roles.is_le_lead(user):
        return True
    return delivery.team_members.filter(user=user, role__in=DELIVERING_ROLES).exists()


def may_coordinate(delivery, user) -> bool:
    """The LE Lead, or anyone on this CN's team (social services coordinate too)."""
    return roles.is_le_lead(user) or delivery.team_members.filter(user=user).exists()


@dataclass(frozen=True)
class Actor:
    """Who may take a step, and the refusal in words for anyone else."""

    may: Callable  # (delivery, user) -> bool
    refusal: str


LE_LEAD = Actor(may_lead, "Only the VIP Law Enforcement Lead may do this (SOP 2-64-4 B, D.2).")
AT_THE_DOOR = Actor(
    may_act_at_the_door, "Only the VIP LE Lead or a sworn member of this CN's delivery team may record this step."
)
LEAD_OR_TEAM = Actor(may_coordinate, "Only the VIP LE Lead or a member of this CN's team may record this step.")
ACTORS = (LE_LEAD, AT_THE_DOOR, LEAD_OR_TEAM)


def actor_for(permission: Callable) -> Actor:
    """The actor whose test the state machine's `permission=` is."""
    return next(actor for actor in ACTORS if actor.may is permission)


# --- changing what a step recorded, and the planned day --------------------------------------------------------

# A preparation step's one record (a check, the social services coordination, the JPO check) may be recorded
# again while the CN is prepared; a change of what it says needs a reason, kept in the audit trail (issue 18).
# The page form's and the API body's field for it:
REVISION_REASON_FIELD = "reason"

# A planned day further than this from today is a typing error, refused by every interface (the page, the API).
# A day in the past within it may be meant (a CN opened after the fact): the page asks to confirm it.
PLANNED_FOR_WINDOW = dt.timedelta(days=366)


def planned_for_problem(planned_for: dt.date | None, today: dt.date) -> str | None:
    """Why `planned_for` cannot be a CN's planned delivery day, or None."""
    if planned_for is None:
        return None
    if planned_for < today - PLANNED_FOR_WINDOW:
        return f"{planned_for:%-d %B %Y} is more than a year ago: check the year."
    if planned_for > today + PLANNED_FOR_WINDOW:
        return f"{planned_for:%-d %B %Y} is more than a year ahead: check the year."
    return None


# --- what the SOP freezes, and the one way to change it ------------------------------------------------------
# A closed CN is the program's record (SOP 2-64-4 D.2), a presented letter is what the candidate was handed, and
# the after-action with its CAD number is what the ECC was told (D.1): no step changes them once frozen. An
# audited correction does: the LE Lead proposes it with a reason, the Program Manager approves it, and the
# trail keeps the old and the new value (notifications/corrections/, docs/access-and-audit.md).


def may_manage(delivery, user) -> bool:
    """The VIP Program Manager (a civilian Department employee)."""
    return roles.is_program_manager(user)


PROPOSER = Actor(may_lead, "Only the VIP Law Enforcement Lead proposes a correction of a frozen record.")
APPROVER = Actor(may_manage, "Only the VIP Program Manager approves or refuses a correction.")
SAME_PERSON_REFUSAL = "You proposed this correction: a Program Manager other than its proposer decides on it."


@dataclass(frozen=True)
class Correctable:
    """A record the SOP freezes: when it is frozen, and the fields an audited correction may change."""

    key: str  # the record's name in a correction, its form and its API body
    model: str  # its model's label; a step record is the CN's one-to-one (`delivery`), "the CN" is the CN itself
    title: str
    frozen_when: str  # in words, after "frozen"
    is_frozen: Callable  # (record, delivery) -> bool
    fields: tuple[str, ...]
    step: str = ""  # the step that records it (steps.py): its page form types and checks the new value
    guards: tuple[str, ...] = ()  # the state machine's guards (guards.py) the corrected record must still meet
    optional: tuple[str, ...] = ()  # the fields a correction may empty


CORRECTABLE = (
    Correctable(
        "cn",
        "notifications.Delivery",
        "The CN",
        "once it is closed or cancelled",
        lambda delivery, _delivery: delivery.is_read_only,
        ("planned_for", "location"),
        optional=("planned_for", "location"),
    ),
    Correctable(
        "letter",
        "notifications.Letter",
        "The letter",
        "once presented, or once its CN is closed",
        lambda letter, delivery: letter.is_frozen or delivery.is_read_only,
        ("penalties", "body", "presented_at"),
        step="letter",
        guards=("letter_drafted_or_not_warranted",),
    ),
    Correctable(
        "after_action",
        "notifications.AfterAction",
        "The after-action",
        "once recorded (SOP 2-64-4 D.1)",
        lambda _record, _delivery: True,  # recorded only on leaving the outcome state, which no step returns to
        ("cad_report_number", "ecc_outcome_advised_at", "notes"),
        step="record-after-action",
        guards=("ecc_advised_of_outcome", "cad_report_number_valid"),
        optional=("notes",),
    ),
)
CORRECTABLE_BY_KEY = {record.key: record for record in CORRECTABLE}


# --- due times ----------------------------------------------------------------------------------------------


CHECK_KINDS = ("threat_assessment", "background_check")  # SOP 2-64-4 B.1.a: both before approval


def _missing_a_check() -> Q:
    """The CNs with fewer than both checks on record, asked once per CN of the state on the (delivery, kind)
    unique index. Written as two NOT EXISTS joined by OR, PostgreSQL hashed the whole checks table twice: the
    overdue count took 0.7-0.9 s at a city's scale, 0.4 s this way (docs/performance.md)."""
    check = apps.get_model("notifications", "Check")
    # "Both on record" is "a second of the two kinds exists" (one check of each kind per CN: a unique index):
    # an EXISTS with OFFSET 1, which PostgreSQL runs per CN on that index and can neither hash nor flatten.
    both = check.objects.filter(delivery=OuterRef("pk"), kind__in=CHECK_KINDS).order_by()[len(CHECK_KINDS) - 1 :]
    return ~Q(Exists(both))


@dataclass(frozen=True)
class DueStep:
    """A step a CN owes while in `state`, due a time after it entered the state. `code` is the key of
    `settings.VIP_STEP_DUE` and of the administrator's `StepDueTime` override."""

    code: str
    state: str
    what: str
    pending: Callable[[], Q] | None = None  # which CNs in the state still owe it (None: all of them)

    def owing(self) -> Q:
        return self.pending() if self.pending is not None else Q()

    def late(self, due: dt.timedelta, now: dt.datetime) -> Q:
        """The CNs for which this step, due `due` after they entered its state, is due at `now` or before."""
        return Q(state=self.state, state_entered_at__lte=now - due) & self.owing()


DUE_STEPS = (
    DueStep("identified", State.IDENTIFIED, "the eligibility determination"),
    DueStep("eligible", State.ELIGIBLE, "the start of preparation"),
    DueStep(
        "in_preparation.checks", State.IN_PREPARATION, "the threat assessment and background check", _missing_a_check
    ),
    DueStep("in_preparation", State.IN_PREPARATION, "the approval"),
    DueStep("ready", State.READY, "the delivery"),
    DueStep("ecc_advised", State.ECC_ADVISED, "the delivery"),
    *(
        DueStep(state.value, state, "the after-action (ECC advised of the outcome, CAD report number)")
        for state in OUTCOME_STATES
    ),
    DueStep("after_action", State.AFTER_ACTION, "the LE Lead's confirmation of the after-action"),
)


def due_times() -> dict[str, dt.timedelta]:
    """Each step's due time: the settings' defaults, overridden by what an administrator set in the admin."""
    dues = dict(settings.VIP_STEP_DUE)
    override = apps.get_model("notifications", "StepDueTime")
    for code, hours in override.objects.values_list("state", "due_hours"):
        dues[code] = dt.timedelta(hours=hours)
    return dues


def due_steps(dues: dict[str, dt.timedelta] | None = None) -> list[tuple[DueStep, dt.timedelta]]:
    """The steps that have a due time, each with it, in the SOP's order."""
    dues = due_times() if dues is None else dues
    return [(step, dues[step.code]) for step in DUE_STEPS if dues.get(step.code)]


def overdue_q(now: dt.datetime, dues: dict[str, dt.timedelta] | None = None) -> Q:
    """CNs owing a step whose due time has come (`now` or earlier): what the sweep reminds of, what the
    dashboard lists."""
    late = Q(pk__in=[])
    for step, due in due_steps(dues):
        late |= step.late(due, now)
    return late


def _soonest_owed(dues: dict[str, dt.timedelta] | None) -> list[tuple[DueStep, dt.timedelta]]:
    # A Case takes the first When that matches: within a state, the soonest due first.
    return sorted(due_steps(dues), key=lambda pair: pair[1])


def due_at_expression(dues: dict[str, dt.timedelta] | None = None) -> ExpressionWrapper:
    """When a CN's soonest owed step is (or was) due, as a queryset annotation; null when nothing is due."""
    whens = [
        When(Q(state=step.state) & step.owing(), then=F("state_entered_at") + Value(due, output_field=DurationField()))
        for step, due in _soonest_owed(dues)
    ]
    return ExpressionWrapper(Case(*whens, default=None), output_field=DateTimeField())


def due_step_expression(dues: dict[str, dt.timedelta] | None = None) -> Case:
    """The code (`DueStep.code`) of the step `due_at_expression` dates, as a queryset annotation; null when
    nothing is due. `DUE_STEPS_BY_CODE[code].what` says it in words."""
    whens = [When(Q(state=step.state) & step.owing(), then=Value(step.code)) for step, _due in _soonest_owed(dues)]
    return Case(*whens, default=None, output_field=models.CharField())


DUE_STEPS_BY_CODE = {step.code: step for step in DUE_STEPS}


def is_overdue(due_at: dt.datetime | None, today: dt.date) -> bool:
    """A step is overdue once the day it was due has passed. Counted in days, as the board's "days in state":
    the pages that show it are kept until the data or the day changes (`vip.kept`)."""
    return due_at is not None and timezone.localdate(due_at) < today


# --- the planned day ----------------------------------------------------------------------------------------

# A CN whose team has not yet been to the door: its planned day is still to come, or it is overdue.
BEFORE_THE_DOOR_STATES = (*TEAM_STATES, State.ECC_ADVISED)


def planned_day_overdue(state: str, planned_for: dt.date | None, today: dt.date) -> bool:
    """The planned day has passed and the CN has not yet been to the door (no outcome recorded)."""
    return planned_for is not None and planned_for < today and state in BEFORE_THE_DOOR_STATES


# --- who opens a CN -----------------------------------------------------------------------------------------

OPEN_CN_REFUSAL = "Only the VIP Law Enforcement Lead opens a CN for a candidate."


def may_open_cn(user) -> bool:
    """Who opens a CN for a candidate (SOP 2-64-4 A): the VIP LE Lead, as for the CN's other lead steps."""
    return may_lead(None, user)


# --- who may deliver: SOP 2-64-6 ------------------------------------------------------------------------------

QUALIFICATION_SUMMARY = (
    "SOP 2-64-6: sworn, attended a Department-recognised CN training, and accompanied the VIP LE Lead on a CN "
    "delivery. Command-level personnel are encouraged to deliver."
)
TEAM_QUALIFICATION_REASON = (
    "Every officer on the team must meet SOP 2-64-6: sworn, trained, and having accompanied the LE Lead, or going "
    "as a trainee with the LE Lead."
)
QUALIFIED_OFFICER_REASON = "The delivery team needs at least one qualified sworn officer (SOP 2-64-4 B.1.c, 2-64-6)."


@dataclass(frozen=True)
class Requirement:
    fact: str  # the Qualification attribute that must hold
    lacking: str  # what a person lacks, in the personnel list
    refusal: str  # "{name} ..." why they cannot go
    field: str  # the team form's field the refusal belongs to, and its short form there
    short: str


QUALIFICATION = (
    Requirement(
        "sworn",
        "not sworn personnel",
        "{name} is not sworn personnel and cannot deliver a CN (SOP 2-64-6 A).",
        "member",
        "Not sworn.",
    ),
    Requirement(
        "trained",
        "no Department-recognised CN training on record (SOP 2-64-6 A.1)",
        "{name} has not attended a Department-recognised CN training (SOP 2-64-6 A.1).",
        "member",
        "No CN training on record.",
    ),
    Requirement(
        "accompanied_le_lead",
        "has not yet accompanied the VIP LE Lead on a CN delivery (SOP 2-64-6 A.2)",
        "{name} has not yet accompanied the VIP LE Lead on a CN",
        "role",
        "Add as trainee.",
    ),
)
SWORN, TRAINED, ACCOMPANIED = QUALIFICATION
_TRAINEE_NEEDS_LEAD = ", so the LE Lead must be on this team (SOP 2-64-6 A.2)."
_OFFICER_GOES_AS_TRAINEE = ": add them as a trainee on a team with the LE Lead (SOP 2-64-6 A.2)."


def lacking(q) -> list[str]:
    """What a person lacks to deliver CNs on their own (the personnel page)."""
    return [r.lacking for r in QUALIFICATION if not getattr(q, r.fact)]


def is_qualified(q) -> bool:
    return not lacking(q)


def team_place_problem(name: str, q, *, lead_on_team: bool) -> str | None:
    """Why `name`, on a CN's team as an officer or trainee, may not go to the door (SOP 2-64-6), or None.
    Someone sworn and trained who has not yet accompanied the LE Lead goes only with the LE Lead."""
    for requirement in (SWORN, TRAINED):
        if not getattr(q, requirement.fact):
            return requirement.refusal.format(name=name)
    if not q.accompanied_le_lead and not lead_on_team:
        return ACCOMPANIED.refusal.format(name=name) + _TRAINEE_NEEDS_LEAD
    return None


NO_DELIVERING_ROLE = (
    "{name} does not hold the Officer role (it may still await an Administrator's approval, under Role grants), "
    "so they could not open this CN on the tablet: add them once the role is theirs."
)


def joining_problem(name: str, q, *, role: str, holds_role: bool) -> tuple[str, dict[str, str]] | None:
    """Why `name` may not be added to a team in `role` (an officer or trainee), with the form field it
    concerns; or None. Only one who holds the Officer (or LE Lead) role may go: the tablet is theirs alone.
    One who has not yet accompanied the LE Lead is added as a trainee, not an officer."""
    if not holds_role:
        return NO_DELIVERING_ROLE.format(name=name), {"member": "No Officer role yet."}
    for requirement in (SWORN, TRAINED):
        if not getattr(q, requirement.fact):
            return requirement.refusal.format(name=name), {requirement.field: requirement.short}
    if role == "officer" and not q.accompanied_le_lead:
        return ACCOMPANIED.refusal.format(name=name) + _OFFICER_GOES_AS_TRAINEE, {ACCOMPANIED.field: ACCOMPANIED.short}
    return None
