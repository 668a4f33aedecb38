"""REST API after the door (issue 19): needs, referrals, consent, case notes and partners, behind the wall.

Every view reads through the wall's selectors (candidates/aftercare/selectors.py): the LE Lead, officers, the
Administrator and the Records Custodian are refused (403) whatever they ask; the Program Manager reads only the
people who consented to a program review. Writes are the navigators' and go through the services; a referral
without valid consent is refused with 409 and the reason in words. A row about substance use carries the
42 CFR Part 2 redisclosure notice.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, permissions, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from candidates.aftercare import selectors, services
from candidates.aftercare.kinds import REDISCLOSURE_NOTICE, Area
from candidates.aftercare.models import CaseNote, Consent, Need, PartnerContact, PartnerReferral
from candidates.models import PartnerOrganization
from notifications.api import ERRORS
from reports.api import VisibleCandidateField, _field_errors


class MayReadAftercare(permissions.BasePermission):
    """The wall: only Social Services and the Program Manager; writes are the navigators' alone."""

    message = "Needs, referrals, consent and case notes are for Social Services (and the Program Manager)."

    def has_permission(self, request, view):
        if not selectors.may_read_aftercare(request.user):
            return False
        if request.method in permissions.SAFE_METHODS:
            return True
        self.message = "Only Social Services navigators record needs, referrals, consent and case notes."
        return selectors.may_work_aftercare(request.user)


class PersonField(VisibleCandidateField):
    """A person whose details the user reads behind the wall; any other id reads as not found."""

    def get_queryset(self):
        return selectors.aftercare_candidates_for(self.context["request"].user)


class NoticeField(serializers.SerializerMethodField):
    def __init__(self, **kwargs):
        kwargs.setdefault("help_text", "The 42 CFR Part 2 redisclosure notice, on every row about substance use.")
        super().__init__(**kwargs)


def _notice(row) -> str:
    return REDISCLOSURE_NOTICE if (getattr(row, "is_part2", False) or getattr(row, "part2", False)) else ""


def _service_call(call):
    try:
        return call()
    except DjangoValidationError as exc:
        raise _field_errors(exc) from None


class NeedSerializer(serializers.ModelSerializer):
    candidate = PersonField()
    redisclosure_notice = NoticeField()

    class Meta:
        model = Need
        fields = ["id", "candidate", "area", "status", "status_changed_on", "detail", "redisclosure_notice"]
        extra_kwargs = {
            "status_changed_on": {"required": False, "help_text": "The date of the change (default today)."}
        }
        validators = []  # one need per area: a POST records where it stands now (need_set), never a duplicate

    def get_redisclosure_notice(self, obj) -> str:
        return _notice(obj)

    def create(self, validated_data):
        return _service_call(lambda: services.need_set(user=self.context["request"].user, **validated_data))


class NeedViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet):
    """A person's needs (HMIS: not assessed / not needed / unmet / met, with the date it changed). POST records
    where one need stands now; its history is the change trail."""

    serializer_class = NeedSerializer
    permission_classes = [permissions.IsAuthenticated, MayReadAftercare]
    filterset_fields = ["candidate", "area", "status"]

    def get_queryset(self):
        return selectors.needs_visible_to(self.request.user).order_by("candidate_id", "area")


class PartnerReferralSerializer(serializers.ModelSerializer):
    candidate = PersonField()
    partner = serializers.PrimaryKeyRelatedField(queryset=PartnerOrganization.objects.filter(active=True))
    partner_name = serializers.StringRelatedField(source="partner", read_only=True)
    redisclosure_notice = NoticeField()

    class Meta:
        model = PartnerReferral
        fields = [
            "id",
            "candidate",
            "partner",
            "partner_name",
            "area",
            "referred_on",
            "made_by",
            "navigator",
            "consent",
            "result",
            "result_on",
            "follow_up_due",
            "detail",
            "redisclosure_notice",
        ]
        read_only_fields = ["made_by", "navigator", "consent", "result", "result_on"]
        extra_kwargs = {"referred_on": {"required": False}, "follow_up_due": {"required": False}}

    def get_redisclosure_notice(self, obj) -> str:
        return _notice(obj)

    def create(self, validated_data):
        return _service_call(lambda: services.referral_create(user=self.context["request"].user, **validated_data))


class ReferralResultSerializer(serializers.Serializer):
    result = serializers.ChoiceField(choices=PartnerReferral.Result.choices)
    result_on = serializers.DateField(required=False, allow_null=True)
    follow_up_due = serializers.DateField(required=False, allow_null=True)


class PartnerReferralViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet
):
    """Referrals to partners, followed to their result. POST makes one: refused (409, the reason in words)
    without the person's valid consent to share with that partner (a 42 CFR Part 2 one for substance use)."""

    serializer_class = PartnerReferralSerializer
    permission_classes = [permissions.IsAuthenticated, MayReadAftercare]
    filterset_fields = ["candidate", "partner", "area", "result", "navigator"]

    def get_queryset(self):
        return selectors.referrals_visible_to(self.request.user).order_by("-referred_on", "-id")

    @extend_schema(responses={201: PartnerReferralSerializer, **ERRORS})
    def create(self, request, *args, **kwargs):
        return super().create(request, *args, **kwargs)

    @extend_schema(request=ReferralResultSerializer, responses={200: PartnerReferralSerializer, **ERRORS})
    @action(detail=True, methods=["post"])
    def result(self, request, pk=None):
        """Record what came of the referral (pending, enrolled, completed, declined by the person, refused by the
        partner, lost contact) and its date."""
        referral = self.get_object()
        body = ReferralResultSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        referral = _service_call(
            lambda: services.referral_record_result(user=request.user, referral_id=referral.pk, **body.validated_data)
        )
        return Response(PartnerReferralSerializer(referral, context=self.get_serializer_context()).data)


class ConsentSerializer(serializers.ModelSerializer):
    candidate = PersonField()
    partner = serializers.PrimaryKeyRelatedField(
        queryset=PartnerOrganization.objects.filter(active=True), required=False, allow_null=True
    )
    redisclosure_notice = NoticeField()

    class Meta:
        model = Consent
        fields = [
            "id",
            "candidate",
            "partner",
            "purpose",
            "part2",
            "decision",
            "decided_on",
            "recorded_by",
            "method",
            "witness",
            "expires_on",
            "withdrawn_on",
            "withdrawn_by",
            "redisclosure_notice",
        ]
        read_only_fields = ["recorded_by", "withdrawn_on", "withdrawn_by"]
        extra_kwargs = {"decided_on": {"required": False}}

    def get_redisclosure_notice(self, obj) -> str:
        return _notice(obj)

    def create(self, validated_data):
        return _service_call(lambda: services.consent_record(user=self.context["request"].user, **validated_data))


class ConsentViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet
):
    """Consent to share, per partner and purpose: given or refused, when, how, by whom, until when."""

    serializer_class = ConsentSerializer
    permission_classes = [permissions.IsAuthenticated, MayReadAftercare]
    filterset_fields = ["candidate", "partner", "purpose", "decision"]

    def get_queryset(self):
        return selectors.consents_visible_to(self.request.user).order_by("-decided_on", "-id")

    @extend_schema(request=None, responses={200: ConsentSerializer, **ERRORS})
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        """The person withdraws the consent: nothing more is shared under it (audited)."""
        consent = services.consent_withdraw(user=request.user, consent_id=self.get_object().pk)
        return Response(ConsentSerializer(consent, context=self.get_serializer_context()).data)


class CaseNoteSerializer(serializers.ModelSerializer):
    candidate = PersonField()
    redisclosure_notice = NoticeField()

    class Meta:
        model = CaseNote
        fields = ["id", "candidate", "author", "written_at", "text", "part2", "redisclosure_notice"]
        read_only_fields = ["author", "written_at"]

    def get_redisclosure_notice(self, obj) -> str:
        return _notice(obj)

    def create(self, validated_data):
        return _service_call(lambda: services.case_note_add(user=self.context["request"].user, **validated_data))


class CaseNoteViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet
):
    """A navigator's case notes: never shown to law enforcement."""

    serializer_class = CaseNoteSerializer
    permission_classes = [permissions.IsAuthenticated, MayReadAftercare]
    filterset_fields = ["candidate", "part2"]

    def get_queryset(self):
        return selectors.case_notes_visible_to(self.request.user).order_by("-written_at", "-id")


class PartnerContactSerializer(serializers.ModelSerializer):
    class Meta:
        model = PartnerContact
        fields = ["id", "name", "role", "phone", "email"]


class PartnerSerializer(serializers.ModelSerializer):
    contacts = PartnerContactSerializer(many=True, read_only=True)
    service_types = serializers.ListField(child=serializers.ChoiceField(choices=Area.choices), read_only=True)

    class Meta:
        model = PartnerOrganization
        fields = ["id", "name", "contact", "active", "service_types", "contacts"]


class PartnerViewSet(viewsets.ReadOnlyModelViewSet):
    """Partner organisations, their contacts and the service types they take (managed in the admin)."""

    serializer_class = PartnerSerializer
    permission_classes = [permissions.IsAuthenticated, MayReadAftercare]
    filterset_fields = ["active"]

    def get_queryset(self):
        return selectors.partners_for(self.request.user).order_by("name")
