"""The step registry: every preparation step and every transition of a CN, declared once.

A declaration names its service, the states that allow it, who may act (with the refusal in words), its
page form and its API body, its title and its SOP clause. The CN page (`views.py`), the API (`api.py`,
`api_urls.py`), the tablet (`tablet.py`) and the admin (`admin.py`) read their steps, permissions and wording
from here; the services check the same states and the same actor. A transition's source states, its target
and its guards are the state machine's (`Delivery` in models.py): they are read from it, not repeated.

To add a step, see docs/workflow.md ("Where a step is declared").
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property

from django.utils import timezone
from django.utils.module_loading import import_string

from notifications import forms as f
from notifications import rules
from notifications import serializers as ser
from notifications.models import Check, Delivery, JPOCheck, Letter, SocialServicesCoordination


def _today():
    return timezone.localdate()


@dataclass(frozen=True)
class PreparationStep:
    """A record kept while the CN is prepared (no change of state)."""

    name: str  # /cn/<pk>/step/<name>/ and /api/deliveries/<pk>/<name>/
    title: str  # the page's heading
    record: str  # what is recorded, in a sentence: "The {record} can't be recorded while..."
    sop: str
    service: str  # the service's dotted path
    states: tuple[str, ...]
    who: rules.Actor
    form: type | None = None  # the CN page's form; None: not on the page
    serializer: type | None = None  # the API's body; None: not in the API
    summary: str = ""  # the API's summary of the endpoint
    juvenile_only: bool = False
    listed: bool = True  # offered among the page's preparation records (removal is a button by each member)
    fixed: tuple[tuple[str, object], ...] = ()  # arguments the service always takes from this step
    initial_today: str = ""  # the form field that starts at today
    initial_now: str = ""  # the form field that starts at the current minute
    saved: Callable | None = None  # (delivery) -> the step's one record, if on record: its form starts from it

    @cached_property
    def call(self):
        return import_string(self.service)

    def perform(self, delivery_id: int, user, data: dict):
        return self.call(delivery_id, user=user, **dict(self.fixed), **data)

    def initial(self) -> dict:
        if self.initial_today:
            return {self.initial_today: _today()}
        if self.initial_now:
            return {self.initial_now: timezone.localtime().replace(second=0, microsecond=0)}
        return {}

    def saved_record(self, delivery):
        return self.saved(delivery) if self.saved is not None else None

    def allows(self, delivery, user, *, juvenile: bool) -> bool:
        """Whether it can be recorded now: the CN's state allows it, it applies, and the user may."""
        return delivery.state in self.states and (juvenile or not self.juvenile_only) and self.who.may(delivery, user)

    def offered(self, delivery, user, *, juvenile: bool) -> bool:
        """Whether the CN page offers its form: one that cannot succeed now is not offered."""
        return self.listed and self.form is not None and self.allows(delivery, user, juvenile=juvenile)


@dataclass(frozen=True)
class TransitionStep:
    """A move of the CN's state machine, through its service."""

    name: str  # the API name: /api/deliveries/<pk>/<name>/ and /cn/<pk>/transition/<name>/
    method: str  # Delivery's transition method
    service: str  # the service's dotted path
    title: str
    sop: str
    form: type  # the CN page's form
    serializer: type  # the API's body
    # Whether the service writes the step record its payload guards judge (the encounter, the after-action).
    # Then those guards are what the record must show; otherwise every guard is checked now.
    writes_record: bool = False
    admin_action: bool = False
    tablet_screen: str = ""  # the tablet's screen for it (a URL name), if the team takes it at the door

    @cached_property
    def call(self):
        return import_string(self.service)

    def perform(self, delivery_id: int, user, data: dict):
        return self.call(delivery_id, user=user, **data)

    @property
    def fsm(self):
        return getattr(Delivery, self.method)._django_fsm

    @property
    def sources(self) -> tuple[str, ...]:
        return tuple(self.fsm.transitions)

    def from_state(self, state: str):
        """The state machine's transition out of `state`, or None."""
        return self.fsm.get_transition(state)

    def who(self, state: str) -> rules.Actor:
        transition = self.from_state(state) or next(iter(self.fsm.transitions.values()))
        return rules.actor_for(transition.permission)

    def is_requirement(self, condition) -> bool:
        """A guard judging the record this step writes: what the record must show, not a blocker now."""
        return self.writes_record and getattr(condition, "payload", False)


PREPARATION_STEPS: dict[str, PreparationStep] = {
    step.name: step
    for step in (
        *(  # SOP 2-64-4 B.1.a: a threat assessment and a background check, one step each
            PreparationStep(
                kind.replace("_", "-"),
                Check.Kind(kind).label,
                Check.Kind(kind).label.lower(),
                "2-64-4 B.1.a",
                "notifications.services.record_check",
                rules.PREPARATION_STATES,
                rules.LE_LEAD,
                f.CheckForm,
                ser.CheckInputSerializer,
                f"Record the {Check.Kind(kind).label.lower()}",
                fixed=(("kind", kind),),
                initial_today="completed_on",
                saved=lambda delivery, kind=kind: Check.objects.filter(delivery=delivery, kind=kind).first(),
            )
            for kind in rules.CHECK_KINDS
        ),
        PreparationStep(
            "letter",
            "Letter",
            "letter",
            "2-64-4 B.1.b",
            "notifications.services.record_letter",
            rules.PREPARATION_STATES,
            rules.LE_LEAD,
            f.LetterForm,
            ser.LetterInputSerializer,
            "Draft the personalised letter, or record it as not warranted with a reason",
            saved=lambda delivery: Letter.objects.filter(delivery=delivery).first(),
        ),
        PreparationStep(
            "team",
            "Delivery team",
            "delivery team",
            "2-64-4 B.1.c, 2-64-6",
            "notifications.services.change_team",
            rules.TEAM_STATES,
            rules.LE_LEAD,
            serializer=ser.TeamInputSerializer,
            summary="Add a person to the delivery team, or remove one",
        ),
        PreparationStep(
            "team-add",
            "Add to team",
            "delivery team",
            "2-64-4 B.1.c, 2-64-6",
            "notifications.services.add_team_member",
            rules.TEAM_STATES,
            rules.LE_LEAD,
            f.TeamAddForm,
        ),
        PreparationStep(
            "team-remove",
            "Remove from team",
            "delivery team",
            "2-64-4 B.1.c",
            "notifications.services.remove_team_member",
            rules.TEAM_STATES,
            rules.LE_LEAD,
            f.TeamRemoveForm,
            listed=False,
        ),
        PreparationStep(
            "social-services",
            "Social services coordination",
            "social services coordination",
            "2-64-4 B.1.d",
            "notifications.services.record_social_services",
            rules.PREPARATION_STATES,
            rules.LEAD_OR_TEAM,
            f.SocialServicesForm,
            ser.SocialServicesInputSerializer,
            "Record the coordination with the social services component",
            initial_today="coordinated_on",
            saved=lambda delivery: SocialServicesCoordination.objects.filter(delivery=delivery).first(),
        ),
        PreparationStep(
            "jpo-check",
            "Juvenile Probation Office",
            "JPO check",
            "2-64-5 B.1",
            "notifications.services.record_jpo_check",
            rules.PREPARATION_STATES,
            rules.LE_LEAD,
            f.JPOCheckForm,
            ser.JPOCheckInputSerializer,
            "Record the Juvenile Probation Office contact; 'do not deliver' cancels the CN",
            juvenile_only=True,
            initial_today="contacted_on",
            saved=lambda delivery: JPOCheck.objects.filter(delivery=delivery).first(),
        ),
        PreparationStep(
            "guardian-contact",
            "Parent or guardian contact attempt",
            "guardian contact attempt",
            "2-64-5 B.1.f",
            "notifications.services.record_guardian_contact",
            rules.TEAM_STATES,
            rules.LE_LEAD,
            f.GuardianContactForm,
            ser.GuardianContactInputSerializer,
            "Record an attempt to contact a juvenile's parent or guardian",
            juvenile_only=True,
            initial_now="attempted_at",
        ),
    )
}

# In the order of the SOP (DESIGN.md).
TRANSITIONS: dict[str, TransitionStep] = {
    step.name: step
    for step in (
        TransitionStep(
            "determine-eligibility",
            "determine_eligibility",
            "notifications.services.delivery_determine_eligibility",
            "Determine eligibility",
            "2-64-4 A, 2-64-5 A",
            f.EligibilityForm,
            ser.DetermineEligibilitySerializer,
            admin_action=True,
        ),
        TransitionStep(
            "start-preparation",
            "start_preparation",
            "notifications.services.delivery_start_preparation",
            "Start preparation",
            "2-64-4 B",
            f.NoteForm,
            ser.NoteSerializer,
            admin_action=True,
        ),
        TransitionStep(
            "approve",
            "approve",
            "notifications.services.delivery_approve",
            "Approve as ready to deliver",
            "2-64-4 B, 2-64-5 B",
            f.NoteForm,
            ser.NoteSerializer,
            admin_action=True,
        ),
        TransitionStep(
            "advise-ecc",
            "advise_ecc",
            "notifications.services.delivery_advise_ecc",
            "Advise the ECC",
            "2-64-4 C.1.a",
            f.AdviseECCForm,
            ser.AdviseECCSerializer,
            writes_record=True,
            tablet_screen="tablet:advise_ecc",
        ),
        TransitionStep(
            "record-delivery",
            "record_delivery",
            "notifications.services.delivery_record_delivery",
            "Record delivery",
            "2-64-4 C.1, 2-64-5 C",
            f.EncounterForm,
            ser.EncounterInputSerializer,
            writes_record=True,
            tablet_screen="tablet:encounter",
        ),
        TransitionStep(
            "record-influencer-delivery",
            "record_influencer_delivery",
            "notifications.services.delivery_record_influencer_delivery",
            "Record influencer delivery",
            "2-64-4 C.2",
            f.InfluencerEncounterForm,
            ser.EncounterInputSerializer,
            writes_record=True,
            tablet_screen="tablet:encounter",
        ),
        TransitionStep(
            "record-refusal",
            "record_refusal",
            "notifications.services.delivery_record_refusal",
            "Record refusal",
            "2-64-4 C.1.d",
            f.RefusalForm,
            ser.RefusalSerializer,
            writes_record=True,
            tablet_screen="tablet:encounter",
        ),
        TransitionStep(
            "record-not-located",
            "record_not_located",
            "notifications.services.delivery_record_not_located",
            "Record not located",
            "2-64-4 C",
            f.NoteForm,
            ser.NoteSerializer,
            writes_record=True,
            tablet_screen="tablet:encounter",
        ),
        TransitionStep(
            "retry",
            "retry",
            "notifications.services.delivery_retry",
            "Retry",
            "2-64-4 C",
            f.NoteForm,
            ser.NoteSerializer,
            admin_action=True,
        ),
        TransitionStep(
            "record-after-action",
            "record_after_action",
            "notifications.services.delivery_record_after_action",
            "Record after action",
            "2-64-4 D.1",
            f.AfterActionForm,
            ser.AfterActionInputSerializer,
            writes_record=True,
            tablet_screen="tablet:after_action",
        ),
        TransitionStep(
            "close",
            "close",
            "notifications.services.delivery_close",
            "Close",
            "2-64-4 D.2",
            f.NoteForm,
            ser.NoteSerializer,
            admin_action=True,
        ),
        TransitionStep(
            "cancel",
            "cancel",
            "notifications.services.delivery_cancel",
            "Cancel",
            "2-64-4 B, 2-64-5 B.1",
            f.CancelForm,
            ser.CancelSerializer,
            admin_action=True,
        ),
    )
}
TRANSITION_BY_METHOD = {step.method: step for step in TRANSITIONS.values()}


def tablet_screen(state: str) -> str:
    """The tablet's screen for a CN in `state`: that of the first step the team takes from it at the door."""
    for step in TRANSITIONS.values():
        if step.tablet_screen and state in step.sources:
            return step.tablet_screen
    return "tablet:status"
