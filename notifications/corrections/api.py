"""/api/deliveries/<pk>/corrections/: a CN's corrections (GET) and the LE Lead's proposal (POST); and
.../corrections/<id>/approve/ and .../refuse/, the Program Manager's decision. Each calls one service
(`corrections/services.py`); `vip.api.exception_handler` turns its refusals into 400/403/404/409 in words."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from notifications.api import ERRORS, IDEMPOTENCY_KEY, _cn_still_visible
from notifications.corrections import services
from notifications.corrections.models import Correction
from notifications.corrections.selectors import corrections_of
from notifications.selectors import get_delivery_for_user
from notifications.serializers import PersonField
from vip.api import idempotent


class CorrectionSerializer(serializers.ModelSerializer):
    label = serializers.CharField(read_only=True, help_text="What is corrected, in words.")
    proposed_by = PersonField(read_only=True)
    decided_by = PersonField(read_only=True)

    class Meta:
        model = Correction
        fields = [
            "id",
            "delivery",
            "record",
            "field",
            "label",
            "old_value",
            "new_value",
            "reason",
            "status",
            "proposed_by",
            "proposed_at",
            "decided_by",
            "decided_at",
            "decision_reason",
        ]
        read_only_fields = fields


class ProposeSerializer(serializers.Serializer):
    field = serializers.CharField(
        max_length=80, help_text='What to correct: "<record>.<field>", e.g. "after_action.cad_report_number".'
    )
    new_value = serializers.CharField(max_length=20000, allow_blank=True, help_text="As its step's form takes it.")
    reason = serializers.CharField(max_length=2000, help_text="Why the frozen record must change.")


class ApproveSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class RefuseSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000)


def _answer(delivery_pk: int, user, correction_pk: int, status: int = 200) -> Response:
    delivery = get_delivery_for_user(user, delivery_pk)
    correction = next(c for c in corrections_of(delivery) if c.pk == correction_pk)
    return Response(CorrectionSerializer(correction).data, status=status)


def _body(serializer_class, request, pk: int) -> dict:
    body = serializer_class(data=request.data)
    if not body.is_valid():
        get_delivery_for_user(request.user, pk)  # a CN the user may not see is a 404 whatever was sent
        raise ValidationError(body.errors)
    return dict(body.validated_data)


class CorrectionsView(APIView):
    @extend_schema(
        operation_id="deliveries_corrections_list",
        summary="A CN's audited corrections, newest first",
        responses={200: CorrectionSerializer(many=True), 404: ERRORS[404]},
    )
    def get(self, request, pk: int):
        corrections = corrections_of(get_delivery_for_user(request.user, pk))
        return Response(CorrectionSerializer(corrections, many=True).data)

    @extend_schema(
        operation_id="deliveries_corrections_create",
        summary="Propose a correction of a frozen record (the VIP LE Lead); nothing changes until approved",
        request=ProposeSerializer,
        responses={201: CorrectionSerializer, **ERRORS},
        parameters=[IDEMPOTENCY_KEY],
    )
    @idempotent(_cn_still_visible)
    def post(self, request, pk: int):
        correction = services.correction_propose(pk, user=request.user, **_body(ProposeSerializer, request, pk))
        return _answer(pk, request.user, correction.pk, status=201)


def _decision_view(decision: str, body: type[serializers.Serializer], service, summary: str) -> type[APIView]:
    @extend_schema(
        operation_id=f"deliveries_corrections_{decision}",
        summary=summary,
        request=body,
        responses={200: CorrectionSerializer, **ERRORS},
        parameters=[IDEMPOTENCY_KEY],
    )
    @idempotent(_cn_still_visible)
    def post(self, request, pk: int, correction_pk: int):
        service(pk, correction_pk, user=request.user, **_body(body, request, pk))
        return _answer(pk, request.user, correction_pk)

    name = f"Correction{decision.title()}View"
    return type(name, (APIView,), {"post": post, "__doc__": summary, "__module__": __name__})


CorrectionApproveView = _decision_view(
    "approve",
    ApproveSerializer,
    services.correction_approve,
    "Approve a correction and apply it (a Program Manager who did not propose it)",
)
CorrectionRefuseView = _decision_view(
    "refuse",
    RefuseSerializer,
    services.correction_refuse,
    "Refuse a correction with a reason (a Program Manager who did not propose it); nothing changes",
)
