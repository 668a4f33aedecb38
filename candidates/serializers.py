"""API shapes of candidates and their network. Serializers only shape and parse: every rule is checked by
the services (`candidates/services.py`) and the models they validate."""

from __future__ import annotations

from django.db import models
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from candidates import models as m
from candidates.models import today
from candidates.selectors import (
    LISTED_ADDRESS_FIELDS,
    LISTED_PHONE_FIELDS,
    candidates_visible_to,
    memberships_visible_to,
)


class VisibleCandidatesMixin:
    """Any field that points at a person offers only the people the requesting user may see."""

    person_fields: tuple[str, ...] = ("candidate",)

    def get_fields(self):
        fields = super().get_fields()
        request = self.context.get("request")
        for name in self.person_fields:
            field = fields.get(name)
            if field is None or field.read_only:
                continue
            target = getattr(field, "child_relation", field)
            target.queryset = candidates_visible_to(request.user if request else None)  # None: nobody
        return fields


class ListedRows(serializers.ListSerializer):
    """Nested rows read with the list, as plain dicts in `listed_<field>` (`selectors.candidate_list_for`),
    else from the relation itself."""

    def get_attribute(self, instance):
        rows = getattr(instance, f"listed_{self.field_name}", None)
        return super().get_attribute(instance) if rows is None else rows


class AliasSerializer(serializers.ModelSerializer):
    id = serializers.IntegerField(required=False)

    class Meta:
        model = m.Alias
        fields = ["id", "name"]
        list_serializer_class = ListedRows


class AddressSerializer(serializers.ModelSerializer):
    id = serializers.IntegerField(required=False)

    class Meta:
        model = m.Address
        fields = list(LISTED_ADDRESS_FIELDS)  # what the list reads of each address is what the API shows
        list_serializer_class = ListedRows


class PhoneSerializer(serializers.ModelSerializer):
    id = serializers.IntegerField(required=False)

    class Meta:
        model = m.Phone
        fields = list(LISTED_PHONE_FIELDS)
        list_serializer_class = ListedRows


class GroupRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = m.Group
        fields = ["id", "name"]


_DATE, _TIME = serializers.DateField(), serializers.DateTimeField()  # DRF's formats; they need no serializer


class CandidateRows(serializers.ListSerializer):
    """A page of candidates as `selectors.candidate_list_for` read them, written out directly: DRF's generic
    path takes each of a row's 18 attributes and each nested row through a field object (look-up, checks,
    conversion), 3.4 ms of CPU for 25 rows against 0.6 ms here (issue #9). The same JSON:
    `test_the_list_writes_each_row_as_the_serializer_does` compares the two, so a field added to
    CandidateSerializer must be added here. Dates and times are written by DRF's own fields, in its formats
    (the serializer's bound fields would have to be built first, which costs more than the rows), the photo's
    address by the serializer's field. A candidate read some other way, without its listed rows, goes DRF's
    way."""

    def to_representation(self, data):
        rows = list(data.all() if isinstance(data, models.manager.BaseManager) else data)
        if not all(hasattr(row, "listed_phones") for row in rows):
            return super().to_representation(rows)
        write_date, write_time = _DATE.to_representation, _TIME.to_representation
        on = today()
        return [
            {
                "id": c.id,
                "first_name": c.first_name,
                "middle_name": c.middle_name,
                "last_name": c.last_name,
                "full_name": c.full_name,
                "date_of_birth": write_date(c.date_of_birth),
                "age": c.age(on),
                "is_juvenile": c.is_juvenile(on),
                "sex": c.sex,  # a choice is written as its value
                "notes": c.notes,
                "photo": self.child.fields["photo"].to_representation(c.photo) if c.photo else None,
                "aliases": c.listed_aliases,  # JSON objects of the serializers' fields, in their order
                "addresses": c.listed_addresses,
                "phones": c.listed_phones,
                "groups": c.listed_groups,
                "latest_cn_state": c.latest_cn_state,
                "created_at": write_time(c.created_at),
                "updated_at": write_time(c.updated_at),
            }
            for c in rows
        ]


class CandidateSerializer(serializers.ModelSerializer):
    full_name = serializers.CharField(read_only=True)
    age = serializers.SerializerMethodField()
    is_juvenile = serializers.SerializerMethodField()
    aliases = AliasSerializer(many=True, required=False)
    addresses = AddressSerializer(many=True, required=False)
    phones = PhoneSerializer(many=True, required=False)
    groups = serializers.SerializerMethodField()
    latest_cn_state = serializers.CharField(read_only=True, allow_null=True, default=None)
    create_anyway = serializers.BooleanField(
        write_only=True,
        required=False,
        default=False,
        help_text="Create even though people with the same date of birth and a similar name exist.",
    )

    class Meta:
        model = m.Candidate
        fields = [
            "id",
            "first_name",
            "middle_name",
            "last_name",
            "full_name",
            "date_of_birth",
            "age",
            "is_juvenile",
            "sex",
            "notes",
            "photo",
            "aliases",
            "addresses",
            "phones",
            "groups",
            "latest_cn_state",
            "created_at",
            "updated_at",
            "create_anyway",
        ]
        read_only_fields = ["photo", "created_at", "updated_at"]
        list_serializer_class = CandidateRows

    def get_age(self, obj) -> int:
        return obj.age()

    def get_is_juvenile(self, obj) -> bool:
        """Computed on today's date: seventeen or younger (SOP 2-64-5 A)."""
        return obj.is_juvenile()

    @extend_schema_field(GroupRefSerializer(many=True))
    def get_groups(self, obj):
        groups = getattr(obj, "listed_groups", None)
        if groups is not None:
            return groups
        user = getattr(self.context.get("request"), "user", None)  # no user: no membership is shown
        return [{"id": ms.group_id, "name": ms.group.name} for ms in memberships_visible_to(user).filter(candidate=obj)]


class DuplicateSerializer(serializers.ModelSerializer):
    full_name = serializers.CharField(read_only=True)
    aliases = serializers.SlugRelatedField(many=True, read_only=True, slug_field="name")

    class Meta:
        model = m.Candidate
        fields = ["id", "full_name", "date_of_birth", "aliases"]


class InfluencerSerializer(VisibleCandidatesMixin, serializers.ModelSerializer):
    class Meta:
        model = m.Influencer
        fields = [
            "id",
            "candidate",
            "name",
            "relationship",
            "relationship_detail",
            "is_legal_guardian",
            "phone",
            "address",
            "notes",
        ]


class ReferralSerializer(VisibleCandidatesMixin, serializers.ModelSerializer):
    add_basis = serializers.BooleanField(
        write_only=True, required=False, default=False, help_text="Also record the referral as an eligibility basis."
    )

    class Meta:
        model = m.Referral
        fields = [
            "id",
            "candidate",
            "source",
            "referred_by",
            "referred_on",
            "reason",
            "created_by",
            "created_at",
            "add_basis",
        ]
        read_only_fields = ["created_by", "created_at"]


class EligibilityBasisSerializer(VisibleCandidatesMixin, serializers.ModelSerializer):
    person_fields = ("candidate", "related_person")
    evidence_summary = serializers.CharField(read_only=True)
    valid_today = serializers.SerializerMethodField()

    class Meta:
        model = m.EligibilityBasis
        fields = [
            "id",
            "candidate",
            "kind",
            *m.EligibilityBasis.EVIDENCE_FIELDS,
            "evidence_summary",
            "valid_today",
            "entered_by",
            "entered_at",
            "review_due_on",
        ]
        read_only_fields = ["entered_by", "entered_at", "review_due_on"]

    def get_valid_today(self, obj) -> bool:
        return obj.is_valid_on()

    def get_fields(self):
        fields = super().get_fields()
        request = self.context.get("request")
        if request and "referral" in fields:
            fields["referral"].queryset = m.Referral.objects.filter(candidate__in=candidates_visible_to(request.user))
        return fields


class MembershipSerializer(VisibleCandidatesMixin, serializers.ModelSerializer):
    group_name = serializers.CharField(source="group.name", read_only=True)

    class Meta:
        model = m.GroupMembership
        fields = [
            "id",
            "candidate",
            "group",
            "group_name",
            "source",
            "gvis_meeting",
            "link_analysis_reference",
            "identified_on",
            "added_by",
            "added_at",
            "approved_by",
            "approved_at",
            "review_due_on",
        ]
        read_only_fields = ["added_by", "added_at", "approved_by", "approved_at", "review_due_on"]
        validators = []  # one membership per group: the service answers it with a sentence


class GroupSerializer(serializers.ModelSerializer):
    class Meta:
        model = m.Group
        fields = ["id", "name", "description", "created_at"]
        read_only_fields = ["created_at"]


class ParticipantSerializer(VisibleCandidatesMixin, serializers.ModelSerializer):
    class Meta:
        model = m.ShootingParticipant
        fields = ["candidate", "name", "role"]


class ShootingSerializer(serializers.ModelSerializer):
    participants = ParticipantSerializer(many=True, required=False)

    class Meta:
        model = m.Shooting
        fields = ["id", "incident_number", "occurred_on", "location", "summary", "participants", "created_at"]
        read_only_fields = ["created_at"]


class GVISMeetingSerializer(VisibleCandidatesMixin, serializers.ModelSerializer):
    person_fields = ("individuals_identified",)

    class Meta:
        model = m.GVISMeeting
        fields = ["id", *m.GVISMeeting.RECORD_FIELDS, "created_at"]
        read_only_fields = ["created_at"]
