"""REST API of services offered and outcomes after a CN: the same selectors and services as the pages."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import mixins, permissions, serializers, viewsets
from rest_framework.exceptions import ValidationError

from candidates.models import OutcomeEvent, PartnerOrganization, ServiceOffer
from candidates.selectors import candidates_visible_to
from notifications.selectors import deliveries_visible_to
from reports import services


class MayRecordServices(permissions.BasePermission):
    message = "Only social services, the VIP LE Lead and the Program Manager work with service offers."

    def has_permission(self, request, view):
        return services.may_record_services(request.user)


class MayRecordOutcomes(permissions.BasePermission):
    message = "Only the VIP LE Lead and the Program Manager work with outcome events."

    def has_permission(self, request, view):
        return services.may_record_outcomes(request.user)


class VisibleCandidateField(serializers.PrimaryKeyRelatedField):
    """A candidate the requesting user may see; any other id reads as not found."""

    def get_queryset(self):
        return candidates_visible_to(self.context["request"].user)


class VisibleDeliveryField(serializers.PrimaryKeyRelatedField):
    def get_queryset(self):
        return deliveries_visible_to(self.context["request"].user)


def _field_errors(exc: DjangoValidationError) -> ValidationError:
    if hasattr(exc, "error_dict"):
        return ValidationError(exc.message_dict)
    return ValidationError({"non_field_errors": exc.messages})


class ServiceOfferSerializer(serializers.ModelSerializer):
    candidate = VisibleCandidateField()
    delivery = VisibleDeliveryField(required=False, allow_null=True)
    partner = serializers.PrimaryKeyRelatedField(
        queryset=PartnerOrganization.objects.all(), required=False, allow_null=True
    )
    service_type_display = serializers.CharField(source="get_service_type_display", read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    partner_name = serializers.StringRelatedField(source="partner", read_only=True, allow_null=True)
    offered_by = serializers.PrimaryKeyRelatedField(
        read_only=True, help_text="Who recorded the offer: set by the server to the signed-in user."
    )

    class Meta:
        model = ServiceOffer
        fields = [
            "id",
            "candidate",
            "delivery",
            "service_type",
            "service_type_display",
            "detail",
            "partner",
            "partner_name",
            "offered_by",
            "offered_on",
            "status",
            "status_display",
            "status_changed_on",
            "notes",
        ]
        extra_kwargs = {"offered_on": {"required": False}}

    def validate(self, attrs):
        if self.instance is not None and "candidate" in attrs and attrs["candidate"] != self.instance.candidate:
            raise ValidationError({"candidate": "An offer stays with its candidate: record a new offer instead."})
        return attrs

    def create(self, validated_data):
        try:
            return services.service_offer_create(user=self.context["request"].user, **validated_data)
        except DjangoValidationError as exc:
            raise _field_errors(exc) from None

    def update(self, instance, validated_data):
        validated_data.pop("candidate", None)
        try:
            return services.service_offer_update(
                user=self.context["request"].user, offer_id=instance.pk, **validated_data
            )
        except DjangoValidationError as exc:
            raise _field_errors(exc) from None


class ServiceOfferViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Services offered to candidates (SOP 2-64-4 B.1.d). `PATCH` to record the status: accepted, declined..."""

    serializer_class = ServiceOfferSerializer
    permission_classes = [permissions.IsAuthenticated, MayRecordServices]
    filterset_fields = ["candidate", "delivery", "service_type", "status", "partner"]

    def get_queryset(self):
        return services.offers_visible_to(self.request.user).order_by("-offered_on", "-id")


class OutcomeEventSerializer(serializers.ModelSerializer):
    candidate = VisibleCandidateField()
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    category_display = serializers.CharField(source="get_category_display", read_only=True)

    class Meta:
        model = OutcomeEvent
        fields = [
            "id",
            "candidate",
            "kind",
            "kind_display",
            "category",
            "category_display",
            "occurred_on",
            "source_reference",
            "notes",
            "recorded_by",
            "recorded_at",
        ]
        read_only_fields = ["recorded_by", "recorded_at"]

    def create(self, validated_data):
        try:
            return services.outcome_event_create(user=self.context["request"].user, **validated_data)
        except DjangoValidationError as exc:
            raise _field_errors(exc) from None


class OutcomeEventViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet
):
    """New arrests or offences and re-victimisations after a CN, with their RMS or CAD number."""

    serializer_class = OutcomeEventSerializer
    permission_classes = [permissions.IsAuthenticated, MayRecordOutcomes]
    filterset_fields = ["candidate", "kind", "category"]

    def get_queryset(self):
        return services.outcomes_visible_to(self.request.user).order_by("-occurred_on", "-id")
