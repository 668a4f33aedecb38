"""/api/candidates/merges/: the merges (GET) and the LE Lead's proposal (POST); .../<id>/approve/ and .../refuse/,
the Program Manager's decision; .../<id>/undo/, asked by one and done by the other of the two who made it.
/api/candidates/duplicate-pairs/: the nightly list of likely pairs, and .../<id>/dismiss/. Each calls one service;
`vip.api.exception_handler` turns its refusals into 400/403/404/409 in words."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import generics, serializers
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response
from rest_framework.views import APIView

from candidates.merging import duplicates, services
from candidates.merging.selectors import get_merge_for_user, may_see_merges, merges_visible_to
from candidates.models import CandidateMerge, DuplicatePair
from vip.api import idempotent

IDEMPOTENCY_KEY = OpenApiParameter(
    "Idempotency-Key",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    required=False,
    description="A unique key per submission: a retry with the same key and body is applied once.",
)
ERROR = inline_serializer("MergeError", {"detail": serializers.CharField(), "code": serializers.CharField()})
ERRORS = {400: ERROR, 403: ERROR, 404: ERROR, 409: ERROR}


class _Person(serializers.Serializer):
    id = serializers.IntegerField()
    full_name = serializers.CharField()
    date_of_birth = serializers.DateField()


class MergeSerializer(serializers.ModelSerializer):
    survivor = _Person(read_only=True)
    merged = _Person(read_only=True)
    proposed_by = serializers.CharField(source="proposed_by.get_full_name", read_only=True)
    decided_by = serializers.CharField(source="decided_by.get_full_name", read_only=True, default=None)
    undo_asked_by = serializers.CharField(source="undo_asked_by.get_full_name", read_only=True, default=None)

    class Meta:
        model = CandidateMerge
        fields = [
            "id",
            "survivor",
            "merged",
            "reason",
            "status",
            "proposed_by",
            "proposed_at",
            "decided_by",
            "decided_at",
            "decision_reason",
            "moved",
            "aliases_added",
            "undo_asked_by",
            "undone_at",
        ]
        read_only_fields = fields


class MergeProposeSerializer(serializers.Serializer):
    survivor = serializers.IntegerField(help_text="The record that stays.")
    merged = serializers.IntegerField(help_text="The record merged into it, which then redirects there.")
    reason = serializers.CharField(max_length=2000, help_text="Why the two records are one person.")


class MergeApproveSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class MergeRefuseSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000)


def _still_visible(view, body) -> bool:
    return merges_visible_to(view.request.user).filter(pk=body["id"]).exists()


def _require_merges(user) -> None:
    if not may_see_merges(user):
        raise PermissionDenied("Only the VIP LE Lead and the Program Manager work with merges.")


def _answer(user, pk: int, status: int = 200) -> Response:
    return Response(MergeSerializer(get_merge_for_user(user, pk)).data, status=status)


class MergesView(generics.ListAPIView):
    """Paged as every list of the API is (`?page=`)."""

    serializer_class = MergeSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # the schema's generation asks as no one
            return CandidateMerge.objects.none()
        _require_merges(self.request.user)
        return merges_visible_to(self.request.user).order_by("-proposed_at", "-pk")

    @extend_schema(summary="Merges of two candidate records, newest first")
    def get(self, request, *args, **kwargs):
        return self.list(request, *args, **kwargs)

    @extend_schema(
        summary="Propose to merge two records of one person (the VIP LE Lead); nothing moves until approved",
        description="Refused with 409 while either record is sealed or both have an open CN (the reason names it).",
        request=MergeProposeSerializer,
        responses={201: MergeSerializer, **ERRORS},
        parameters=[IDEMPOTENCY_KEY],
    )
    @idempotent(_still_visible)
    def post(self, request):
        body = MergeProposeSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        merge = services.merge_propose(
            user=request.user, survivor_id=data["survivor"], merged_id=data["merged"], reason=data["reason"]
        )
        return _answer(request.user, merge.pk, status=201)


class MergeView(APIView):
    @extend_schema(summary="One merge, with what it moved", responses={200: MergeSerializer, 404: ERROR})
    def get(self, request, pk: int):
        _require_merges(request.user)
        return _answer(request.user, pk)


def _step_view(step: str, body: type[serializers.Serializer] | None, call, summary: str) -> type[APIView]:
    @extend_schema(
        operation_id=f"candidates_merges_{step}",
        summary=summary,
        request=body,
        responses={200: MergeSerializer, **ERRORS},
        parameters=[IDEMPOTENCY_KEY],
    )
    @idempotent(_still_visible)
    def post(self, request, pk: int):
        get_merge_for_user(request.user, pk)  # a merge the user may not see is a 404
        data = {}
        if body is not None:
            given = body(data=request.data)
            given.is_valid(raise_exception=True)
            data = dict(given.validated_data)
        call(pk, user=request.user, **data)
        return _answer(request.user, pk)

    return type(f"Merge{step.title()}View", (APIView,), {"post": post, "__doc__": summary, "__module__": __name__})


MergeApproveView = _step_view(
    "approve",
    MergeApproveSerializer,
    services.merge_approve,
    "Approve a merge (a Program Manager who did not propose it)",
)
MergeRefuseView = _step_view(
    "refuse", MergeRefuseSerializer, services.merge_refuse, "Refuse a merge with a reason; nothing moves"
)
MergeUndoView = _step_view(
    "undo",
    None,
    services.merge_undo,
    f"Undo a merge within {services.UNDO_DAYS} days: one of its two makers asks, the other's call undoes it",
)


class PairSerializer(serializers.ModelSerializer):
    first = _Person(read_only=True)
    second = _Person(read_only=True)

    class Meta:
        model = DuplicatePair
        fields = ["id", "first", "second", "name_similarity", "matched_on", "found_at"]
        read_only_fields = fields


class DuplicatePairsView(generics.ListAPIView):
    """Paged as every list of the API is (`?page=`): the nightly list can be long."""

    serializer_class = PairSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # the schema's generation asks as no one
            return DuplicatePair.objects.none()
        if not services.may_propose(self.request.user):
            raise PermissionDenied(duplicates.REVIEWER_REFUSAL)
        return duplicates.pairs_for_review(self.request.user).order_by("-pk")

    @extend_schema(summary="Records likely to be one person (the nightly list, for the VIP LE Lead)")
    def get(self, request, *args, **kwargs):
        return self.list(request, *args, **kwargs)


class DuplicatePairDismissView(APIView):
    @extend_schema(
        summary="Dismiss a pair for good: they are two people, and the pair is never listed again",
        request=None,
        responses={200: PairSerializer, **ERRORS},
    )
    def post(self, request, pk: int):
        pair = duplicates.duplicate_pair_dismiss(pk, user=request.user)
        return Response(PairSerializer(pair).data)
