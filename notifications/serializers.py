"""What the CN API reads and answers. Input serializers only shape and type the body: every rule is in
the services and guards, so a refused step answers 409 with the unmet conditions, from one place.

Input field names are the service's keyword arguments.
"""

from __future__ import annotations

from functools import cache

from django.contrib.auth.models import User
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from candidates.models import Influencer
from notifications.models import (
    AfterAction,
    Check,
    Delivery,
    ECCAdvisement,
    EligibilityDetermination,
    Encounter,
    GuardianContactAttempt,
    JPOCheck,
    Letter,
    LetterTemplate,
    SocialServicesCoordination,
    State,
    TeamMember,
)

# --- output ------------------------------------------------------------------------------------------


def _person(user) -> str | None:
    if user is None:
        return None
    return user.get_full_name() or user.username


@extend_schema_field({"type": "string", "nullable": True, "description": "The person's full name."})
class PersonField(serializers.Field):
    def to_representation(self, value):
        return _person(value)


class CandidateBriefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    full_name = serializers.CharField()
    date_of_birth = serializers.DateField()


class EligibilitySerializer(serializers.ModelSerializer):
    recorded_by = PersonField(read_only=True)
    bases = serializers.SerializerMethodField()

    class Meta:
        model = EligibilityDetermination
        fields = ["bases", "note", "recorded_by", "recorded_at"]

    def get_bases(self, obj) -> list[str]:
        """The bases read with the CN's detail (`get_delivery_detail_for_user`), not one query a basis."""
        return [str(b) for b in obj.detail_bases]


class CheckSerializer(serializers.ModelSerializer):
    completed_by = PersonField(read_only=True)
    recorded_by = PersonField(read_only=True)

    class Meta:
        model = Check
        fields = ["kind", "completed_on", "completed_by", "result", "notes", "recorded_by", "recorded_at"]


class LetterSerializer(serializers.ModelSerializer):
    recorded_by = PersonField(read_only=True)
    template = serializers.StringRelatedField()

    class Meta:
        model = Letter
        fields = [
            "status",
            "template",
            "penalties",
            "body",
            "not_warranted_reason",
            "presented_at",
            "recorded_by",
            "recorded_at",
        ]


class TeamMemberSerializer(serializers.ModelSerializer):
    user_id = serializers.IntegerField()
    name = serializers.SerializerMethodField()
    added_by = PersonField(read_only=True)

    class Meta:
        model = TeamMember
        fields = ["user_id", "name", "role", "added_by", "added_at"]

    def get_name(self, obj) -> str:
        return _person(obj.user)


class SocialServicesSerializer(serializers.ModelSerializer):
    coordinator = PersonField(read_only=True)
    recorded_by = PersonField(read_only=True)

    class Meta:
        model = SocialServicesCoordination
        fields = ["coordinated_on", "plan", "coordinator", "recorded_by", "recorded_at"]


class JPOCheckSerializer(serializers.ModelSerializer):
    recorded_by = PersonField(read_only=True)

    class Meta:
        model = JPOCheck
        fields = [
            "contacted_on",
            "on_probation",
            "probation_officer",
            "services_status",
            "relationship_status",
            "decision",
            "reasons",
            "recorded_by",
            "recorded_at",
        ]


class GuardianContactSerializer(serializers.ModelSerializer):
    recorded_by = PersonField(read_only=True)

    class Meta:
        model = GuardianContactAttempt
        fields = [
            "influencer",
            "guardian_name",
            "attempted_at",
            "method",
            "reached",
            "will_be_present",
            "notes",
            "recorded_by",
            "recorded_at",
        ]


class ECCAdvisementSerializer(serializers.ModelSerializer):
    recorded_by = PersonField(read_only=True)

    class Meta:
        model = ECCAdvisement
        fields = [
            "attempt",
            "advised_at",
            "location",
            "team_members",
            "candidate_identity",
            "ecc_reference",
            "recorded_by",
            "recorded_at",
        ]


class EncounterSerializer(serializers.ModelSerializer):
    recorded_by = PersonField(read_only=True)

    class Meta:
        model = Encounter
        exclude = ["id", "delivery"]


class AfterActionSerializer(serializers.ModelSerializer):
    recorded_by = PersonField(read_only=True)
    confirmed_by = PersonField(read_only=True)

    class Meta:
        model = AfterAction
        exclude = ["id", "delivery"]


class UnmetConditionSerializer(serializers.Serializer):
    name = serializers.CharField()
    reason = serializers.CharField()


class TransitionOptionSerializer(serializers.Serializer):
    name = serializers.CharField(help_text="The API name: POST /api/deliveries/{id}/{name}/.")
    target = serializers.CharField(help_text="The state the CN goes to.")
    allowed = serializers.BooleanField(help_text="Whether every condition that does not depend on the body is met.")
    reasons = UnmetConditionSerializer(many=True, help_text="Why it is blocked now.")
    requires = UnmetConditionSerializer(many=True, help_text="What the submitted record must show.")

    def to_representation(self, option):
        return {
            "name": option.name,
            "target": option.target,
            "allowed": option.allowed,
            "reasons": [{"name": k, "reason": v} for k, v in option.reasons.items()],
            "requires": [{"name": k, "reason": v} for k, v in option.requires.items()],
        }


class DeliveryListSerializer(serializers.ModelSerializer):
    candidate = CandidateBriefSerializer()
    candidate_is_juvenile = serializers.SerializerMethodField()
    # A method field, not source="get_state_display": DRF inspects a callable source's signature on every
    # row (a third of a 50-row page's serializing time).
    state_display = serializers.SerializerMethodField()
    le_lead = PersonField(read_only=True)

    class Meta:
        model = Delivery
        fields = [
            "id",
            "candidate",
            "candidate_is_juvenile",
            "state",
            "state_display",
            "state_entered_at",
            "attempt",
            "planned_for",
            "location",
            "le_lead",
            "created_at",
        ]

    def get_candidate_is_juvenile(self, obj) -> bool:
        return obj.candidate.is_juvenile()

    def get_state_display(self, obj) -> str:
        return obj.get_state_display()


# The selector also reads the transitions open to the user (`available_transitions`), so nothing here depends
# on the request: `delivery_detail_data` serializes every CN with one instance, built once.
class DeliveryDetailSerializer(DeliveryListSerializer):
    """A CN with its step records and, for the requesting user, what they may do next and why not.

    Serializes a CN read by `notifications.selectors.get_delivery_detail_for_user`, which reads every step
    record at once (`detail_records`)."""

    eligibility = serializers.SerializerMethodField()
    checks = serializers.SerializerMethodField()
    letter = serializers.SerializerMethodField()
    team = TeamMemberSerializer(source="detail_records.team_members", many=True)
    social_services = serializers.SerializerMethodField()
    jpo_check = serializers.SerializerMethodField()
    guardian_contacts = GuardianContactSerializer(source="detail_records.guardian_contacts", many=True)
    ecc_advisements = ECCAdvisementSerializer(source="detail_records.ecc_advisements", many=True)
    encounters = EncounterSerializer(source="detail_records.encounters", many=True)
    after_action = serializers.SerializerMethodField()
    available_transitions = serializers.SerializerMethodField()

    class Meta(DeliveryListSerializer.Meta):
        fields = DeliveryListSerializer.Meta.fields + [
            "cancellation_reason",
            "closed_at",
            "eligibility",
            "checks",
            "letter",
            "team",
            "social_services",
            "jpo_check",
            "guardian_contacts",
            "ecc_advisements",
            "encounters",
            "after_action",
            "available_transitions",
        ]

    def _one(self, model, serializer, obj):
        """The CN's one record of `model`, read with the CN (`get_delivery_detail_for_user`)."""
        records = obj.detail_records[model._meta.get_field("delivery").remote_field.get_accessor_name()]
        return built(serializer).to_representation(records[0]) if records else None

    @extend_schema_field(EligibilitySerializer(allow_null=True))
    def get_eligibility(self, obj):
        return self._one(EligibilityDetermination, EligibilitySerializer, obj)

    @extend_schema_field(CheckSerializer(many=True, allow_null=True))
    def get_checks(self, obj):
        """Null for users who may not see the threat assessment and background check (social services): the
        selector reads them only for those who may (`may_see_checks`)."""
        if "checks" not in obj.detail_records:
            return None
        return [built(CheckSerializer).to_representation(check) for check in obj.detail_records["checks"]]

    @extend_schema_field(LetterSerializer(allow_null=True))
    def get_letter(self, obj):
        return self._one(Letter, LetterSerializer, obj)

    @extend_schema_field(SocialServicesSerializer(allow_null=True))
    def get_social_services(self, obj):
        return self._one(SocialServicesCoordination, SocialServicesSerializer, obj)

    @extend_schema_field(JPOCheckSerializer(allow_null=True))
    def get_jpo_check(self, obj):
        return self._one(JPOCheck, JPOCheckSerializer, obj)

    @extend_schema_field(AfterActionSerializer(allow_null=True))
    def get_after_action(self, obj):
        return self._one(AfterAction, AfterActionSerializer, obj)

    @extend_schema_field(TransitionOptionSerializer(many=True))
    def get_available_transitions(self, obj):
        return [built(TransitionOptionSerializer).to_representation(o) for o in obj.available_transitions]


@cache
def built(serializer_class: type[serializers.Serializer]) -> serializers.Serializer:
    """One instance of `serializer_class` with its fields built, to call `to_representation` on: DRF builds
    a ModelSerializer's fields afresh for every instance (reading the model's fields, deep-copying the
    declared ones), which was most of the time a CN's detail took to serialize (issue #9). Only for the
    serializers above, none of which reads its context (the request)."""
    serializer = serializer_class()
    serializer.fields  # noqa: B018 - built now, once
    return serializer


def delivery_detail_data(delivery: Delivery) -> dict:
    """What the API answers about a CN read by `get_delivery_detail_for_user`: DeliveryDetailSerializer's data."""
    return built(DeliveryDetailSerializer).to_representation(delivery)


class PersonnelSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    sworn = serializers.BooleanField()
    command_level = serializers.BooleanField()
    trained = serializers.BooleanField()
    accompanied_le_lead = serializers.BooleanField()
    qualified = serializers.BooleanField()
    may_go_as_trainee = serializers.BooleanField()
    missing = serializers.ListField(child=serializers.CharField(), help_text="What the officer lacks, in words.")
    deliveries = serializers.IntegerField(help_text="Closed CNs this person was on the team of.")


class LetterTemplateSerializer(serializers.ModelSerializer):
    class Meta:
        model = LetterTemplate
        fields = ["id", "name", "body", "active", "updated_at"]


# --- input -------------------------------------------------------------------------------------------


class DeliveryCreateSerializer(serializers.Serializer):
    candidate = serializers.IntegerField(help_text="The candidate's id.")
    planned_for = serializers.DateField(required=False, allow_null=True)
    location = serializers.CharField(required=False, allow_blank=True, max_length=200, default="")
    note = serializers.CharField(required=False, allow_blank=True, default="")


class DeliveryContextMixin:
    """Fields that pick a record of this CN's candidate (an influencer) are limited to that candidate."""

    influencer_fields: tuple[str, ...] = ()

    def __init__(self, *args, delivery=None, **kwargs):
        super().__init__(*args, **kwargs)
        if delivery is not None:
            for name in self.influencer_fields:
                self.fields[name].queryset = Influencer.objects.filter(candidate_id=delivery.candidate_id)


class NoteSerializer(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, default="")


class DetermineEligibilitySerializer(NoteSerializer):
    basis_ids = serializers.ListField(
        child=serializers.IntegerField(),
        required=False,
        default=list,
        help_text="The bases relied on; empty means every valid basis of the candidate.",
    )


class AdviseECCSerializer(NoteSerializer):
    ecc_reference = serializers.CharField(required=False, allow_blank=True, default="", max_length=50)
    advised_at = serializers.DateTimeField(required=False, allow_null=True, default=None)
    location = serializers.CharField(required=False, allow_blank=True, default="", max_length=200)


class EncounterInputSerializer(DeliveryContextMixin, NoteSerializer):
    influencer_fields = ("recipient_influencer", "guardian_influencer")

    occurred_at = serializers.DateTimeField(required=False)
    letter_presented = serializers.BooleanField(required=False, default=False)
    gvi_message_delivered = serializers.BooleanField(required=False, default=False)
    message_partially_given = serializers.BooleanField(required=False, default=False)
    recipient_influencer = serializers.PrimaryKeyRelatedField(
        queryset=Influencer.objects.none(), required=False, allow_null=True
    )
    recipient_name = serializers.CharField(required=False, allow_blank=True, max_length=150)
    recipient_relationship = serializers.CharField(required=False, allow_blank=True, max_length=100)
    recipient_reason = serializers.CharField(required=False, allow_blank=True)
    social_services_stayed = serializers.BooleanField(required=False, allow_null=True, default=None)
    social_services_not_feasible_reason = serializers.CharField(required=False, allow_blank=True)
    guardian_present = serializers.BooleanField(required=False, default=False)
    guardian_influencer = serializers.PrimaryKeyRelatedField(
        queryset=Influencer.objects.none(), required=False, allow_null=True
    )
    guardian_name = serializers.CharField(required=False, allow_blank=True, max_length=150)
    notes = serializers.CharField(required=False, allow_blank=True)


class RefusalSerializer(NoteSerializer):
    message_partially_given = serializers.BooleanField(required=False, default=False)


class AfterActionInputSerializer(serializers.Serializer):
    cad_report_number = serializers.CharField(allow_blank=True, max_length=30)
    ecc_advised_of_outcome = serializers.BooleanField()
    ecc_outcome_advised_at = serializers.DateTimeField(required=False, allow_null=True, default=None)
    notes = serializers.CharField(required=False, allow_blank=True, default="")


class CancelSerializer(serializers.Serializer):
    reason = serializers.CharField(help_text="Why the CN is cancelled.")


class CheckInputSerializer(serializers.Serializer):
    completed_on = serializers.DateField()
    result = serializers.ChoiceField(choices=Check.Result.choices)
    notes = serializers.CharField(required=False, allow_blank=True, default="")
    # No `completed_by`: who completed the check is the signed-in user who records it (issue 17).
    reason = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        help_text="Why a result already on record changes; required then, and kept in the audit trail.",
    )


class LetterInputSerializer(serializers.Serializer):
    warranted = serializers.BooleanField(default=True)
    template = serializers.PrimaryKeyRelatedField(
        queryset=LetterTemplate.objects.filter(active=True), required=False, allow_null=True, default=None
    )
    penalties = serializers.CharField(required=False, allow_blank=True, default="")
    not_warranted_reason = serializers.CharField(required=False, allow_blank=True, default="")


class TeamInputSerializer(serializers.Serializer):
    action = serializers.ChoiceField(choices=[("add", "Add"), ("remove", "Remove")], default="add")
    member = serializers.PrimaryKeyRelatedField(queryset=User.objects.filter(is_active=True))
    role = serializers.ChoiceField(choices=TeamMember.Role.choices, required=False)

    def validate(self, attrs):
        if attrs["action"] == "add" and not attrs.get("role"):
            raise serializers.ValidationError({"role": "Pick the role of the person added to the team."})
        return attrs


class SocialServicesInputSerializer(serializers.Serializer):
    coordinated_on = serializers.DateField()
    plan = serializers.CharField()
    coordinator = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.filter(is_active=True), required=False, allow_null=True, default=None
    )
    reason = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        help_text="Why a result already on record changes; required then, and kept in the audit trail.",
    )


class JPOCheckInputSerializer(serializers.Serializer):
    contacted_on = serializers.DateField()
    on_probation = serializers.BooleanField()
    probation_officer = serializers.CharField(required=False, allow_blank=True, default="", max_length=150)
    services_status = serializers.CharField()
    relationship_status = serializers.CharField()
    decision = serializers.ChoiceField(choices=JPOCheck.Decision.choices)
    reasons = serializers.CharField()
    reason = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        help_text="Why a result already on record changes; required then, and kept in the audit trail.",
    )


class GuardianContactInputSerializer(DeliveryContextMixin, serializers.Serializer):
    influencer_fields = ("influencer",)

    attempted_at = serializers.DateTimeField()
    method = serializers.ChoiceField(choices=GuardianContactAttempt.Method.choices)
    reached = serializers.BooleanField(default=False)
    will_be_present = serializers.BooleanField(default=False)
    influencer = serializers.PrimaryKeyRelatedField(
        queryset=Influencer.objects.none(), required=False, allow_null=True, default=None
    )
    guardian_name = serializers.CharField(required=False, allow_blank=True, default="", max_length=150)
    notes = serializers.CharField(required=False, allow_blank=True, default="")


STATE_CHOICES = State.choices
