"""REST API of candidates and their network (DESIGN.md, "The REST API").

Reads start from `candidates_visible_to(user)`: a person the user may not see is a 404, and their
influencers, referrals, bases and memberships are not listed. Writes go through `candidates.services`
(only the VIP LE Lead writes); a rule refused there answers 400 with the field errors.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Prefetch
from django.http import Http404, HttpResponseRedirect
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from candidates import models as m
from candidates import services
from candidates.filters import (
    CandidateFilter,
    EligibilityBasisFilter,
    GroupFilter,
    GVISMeetingFilter,
    InfluencerFilter,
    MembershipFilter,
    ReferralFilter,
    ShootingFilter,
)
from candidates.selectors import (
    MergedAway,
    candidate_list_for,
    candidates_visible_to,
    may_see_intelligence,
    may_use_candidate_records,
    possible_duplicates,
    surviving_record,
)
from candidates.serializers import (
    CandidateSerializer,
    DuplicateSerializer,
    EligibilityBasisSerializer,
    GroupSerializer,
    GVISMeetingSerializer,
    InfluencerSerializer,
    MembershipSerializer,
    ReferralSerializer,
    ShootingSerializer,
)
from vip.api import idempotent
from vip.paging import CountingPageNumberPagination

WRITE_METHODS = ["get", "post", "put", "patch", "head", "options"]


class CandidateRecordsPermission(permissions.BasePermission):
    """Reading: the roles that work with people. Writing: the VIP LE Lead."""

    message = "Only the VIP LE Lead may change candidate records."

    def has_permission(self, request, view):
        if not may_use_candidate_records(request.user):
            return False
        if request.method in permissions.SAFE_METHODS:
            return True
        return services.may_write_candidates(request.user)


def as_field_errors(exc: DjangoValidationError) -> serializers.ValidationError:
    if hasattr(exc, "error_dict"):
        data = {("non_field_errors" if k == "__all__" else k): v for k, v in exc.message_dict.items()}
        return serializers.ValidationError(data)
    return serializers.ValidationError({"non_field_errors": exc.messages})


class ServiceViewSet(viewsets.ModelViewSet):
    """Create and update call a service; no record is deleted through the API (corrections are audited)."""

    permission_classes = [CandidateRecordsPermission]
    http_method_names = WRITE_METHODS
    create_service = None
    update_service = None
    update_kwarg = ""

    def call(self, service, **kwargs):
        try:
            obj = service(user=self.request.user, **kwargs)
        except DjangoValidationError as exc:
            raise as_field_errors(exc) from exc
        # Answer with the record as the list shows it (annotations, prefetched rows).
        return self.get_queryset().get(pk=obj.pk)

    def perform_create(self, serializer):
        serializer.instance = self.call(type(self).create_service, **serializer.validated_data)

    def perform_update(self, serializer):
        kwargs = {self.update_kwarg: serializer.instance, **same_candidate(serializer)}
        serializer.instance = self.call(type(self).update_service, **kwargs)

    # A retry is answered the record created first only while the user may still see it (a person sealed
    # since is a 404).
    @idempotent(lambda view, body: view.get_queryset().filter(pk=body["id"]).exists())
    def create(self, request, *args, **kwargs):
        return super().create(request, *args, **kwargs)


def same_candidate(serializer) -> dict:
    """The validated fields of an update, less `candidate`: a row stays with its person (a PUT repeats it)."""
    data = dict(serializer.validated_data)
    candidate = data.pop("candidate", None)
    if candidate is not None and candidate.pk != getattr(serializer.instance, "candidate_id", candidate.pk):
        raise serializers.ValidationError(
            {"candidate": "A record stays with its person: add a new one to the other person instead."}
        )
    return data


def _of_visible_candidates(model, user):
    return model.objects.filter(candidate__in=candidates_visible_to(user))


def _reference_records(model, user):
    """Shootings, groups and GVIS meetings name people: they are for those who see every candidate."""
    if may_see_intelligence(user):
        return model.objects.all()
    return model.objects.none()


@extend_schema_view(
    list=extend_schema(summary="Candidates, searchable by name or alias (?q=, misspellings tolerated)"),
    create=extend_schema(
        summary="Intake a candidate",
        description=(
            "When people with the same date of birth and a similar name or alias exist, answers 409 with them "
            "(`possible_duplicates`): open one of them, or send again with `create_anyway: true`."
        ),
        responses={201: CandidateSerializer, 409: OpenApiResponse(description="Possible duplicates")},
    ),
)
class CandidateViewSet(ServiceViewSet):
    serializer_class = CandidateSerializer
    filterset_class = CandidateFilter
    pagination_class = CountingPageNumberPagination  # a search is matched once, not once more to count it
    create_service = services.candidate_create
    update_service = services.candidate_update
    update_kwarg = "candidate"

    def get_queryset(self):
        return candidate_list_for(self.request.user, contacts=True)

    def get_object(self):
        try:
            return super().get_object()
        except Http404:
            survivor = surviving_record(self.request.user, self.kwargs.get(self.lookup_field))
            if survivor is None:
                raise
            raise MergedAway(int(self.kwargs[self.lookup_field]), survivor.pk) from None

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        create_anyway = data.pop("create_anyway", False)
        if not create_anyway:
            duplicates = possible_duplicates(
                self.request.user,
                first_name=data.get("first_name", ""),
                last_name=data.get("last_name", ""),
                date_of_birth=data.get("date_of_birth"),
                aliases=[a["name"] for a in data.get("aliases", [])],
            )
            if duplicates:
                raise _DuplicatesFound(duplicates)
        serializer.instance = self.call(services.candidate_create, **data)

    def perform_update(self, serializer):
        data = dict(serializer.validated_data)
        data.pop("create_anyway", None)
        serializer.instance = self.call(services.candidate_update, candidate=serializer.instance, **data)

    @extend_schema(
        summary="People who may be the same person as the one about to be taken in",
        parameters=[
            OpenApiParameter("first_name", str, required=True),
            OpenApiParameter("last_name", str, required=True),
            OpenApiParameter("date_of_birth", OpenApiTypes.DATE, required=True),
            OpenApiParameter("alias", str, many=True, required=False),
        ],
        responses={200: DuplicateSerializer(many=True)},
    )
    @action(detail=False, methods=["get"], url_path="possible-duplicates", filterset_class=None, pagination_class=None)
    def possible_duplicates(self, request, format=None):  # noqa: A002 (DRF passes the .json suffix)
        params = _DuplicateQuery(data=request.query_params)
        params.is_valid(raise_exception=True)
        found = possible_duplicates(
            request.user,
            first_name=params.validated_data["first_name"],
            last_name=params.validated_data["last_name"],
            date_of_birth=params.validated_data["date_of_birth"],
            aliases=request.query_params.getlist("alias"),
        )
        return Response(DuplicateSerializer(found, many=True).data)

    def handle_exception(self, exc):
        if isinstance(exc, MergedAway):  # the survivor, for those who may see it (candidates.merging)
            return HttpResponseRedirect(exc.location(self.request.get_full_path()))
        if isinstance(exc, _DuplicatesFound):
            body = {
                "detail": "These people have the same date of birth and a similar name: open one of them, "
                "or send again with create_anyway set to true.",
                "code": "possible_duplicates",
                "possible_duplicates": DuplicateSerializer(exc.candidates, many=True).data,
            }
            return Response(body, status=status.HTTP_409_CONFLICT)
        return super().handle_exception(exc)


class _DuplicateQuery(serializers.Serializer):
    first_name = serializers.CharField()
    last_name = serializers.CharField()
    date_of_birth = serializers.DateField()


class _DuplicatesFound(Exception):
    def __init__(self, candidates):
        super().__init__("possible duplicates")
        self.candidates = candidates


class InfluencerViewSet(ServiceViewSet):
    serializer_class = InfluencerSerializer
    filterset_class = InfluencerFilter
    create_service = services.influencer_add
    update_service = services.influencer_update
    update_kwarg = "influencer"

    def get_queryset(self):
        return _of_visible_candidates(m.Influencer, self.request.user).order_by("id")


class ReferralViewSet(ServiceViewSet):
    serializer_class = ReferralSerializer
    filterset_class = ReferralFilter
    create_service = services.referral_add
    update_service = services.referral_update
    update_kwarg = "referral"

    def get_queryset(self):
        return _of_visible_candidates(m.Referral, self.request.user)

    def perform_update(self, serializer):
        data = same_candidate(serializer)
        data.pop("add_basis", None)
        serializer.instance = self.call(services.referral_update, referral=serializer.instance, **data)


class EligibilityBasisViewSet(ServiceViewSet):
    serializer_class = EligibilityBasisSerializer
    filterset_class = EligibilityBasisFilter
    create_service = services.basis_add
    update_service = services.basis_update
    update_kwarg = "basis"

    def get_queryset(self):
        return _of_visible_candidates(m.EligibilityBasis, self.request.user).select_related(
            "shooting", "related_person", "gvis_meeting", "referral"
        )


class MembershipViewSet(ServiceViewSet):
    serializer_class = MembershipSerializer
    filterset_class = MembershipFilter
    create_service = services.membership_add
    update_service = services.membership_update
    update_kwarg = "membership"

    def get_queryset(self):
        return _of_visible_candidates(m.GroupMembership, self.request.user).select_related("group").order_by("id")


class GroupViewSet(ServiceViewSet):
    serializer_class = GroupSerializer
    filterset_class = GroupFilter
    create_service = services.group_create
    update_service = services.group_update
    update_kwarg = "group"

    def get_queryset(self):
        return _reference_records(m.Group, self.request.user)


class ShootingViewSet(ServiceViewSet):
    serializer_class = ShootingSerializer
    filterset_class = ShootingFilter
    create_service = services.shooting_create
    update_service = services.shooting_update
    update_kwarg = "shooting"

    def get_queryset(self):
        return _reference_records(m.Shooting, self.request.user).prefetch_related(
            Prefetch("participants", queryset=m.ShootingParticipant.objects.order_by("id"))
        )


class GVISMeetingViewSet(ServiceViewSet):
    serializer_class = GVISMeetingSerializer
    filterset_class = GVISMeetingFilter
    create_service = services.gvis_meeting_create
    update_service = services.gvis_meeting_update
    update_kwarg = "meeting"

    def get_queryset(self):
        return _reference_records(m.GVISMeeting, self.request.user).prefetch_related(
            "shootings_reviewed", "groups_identified", "individuals_identified"
        )

    def perform_create(self, serializer):
        data = _meeting_links(serializer.validated_data)
        serializer.instance = self.call(services.gvis_meeting_create, **data)

    def perform_update(self, serializer):
        data = _meeting_links(serializer.validated_data)
        serializer.instance = self.call(services.gvis_meeting_update, meeting=serializer.instance, **data)


def _meeting_links(validated: dict) -> dict:
    data = dict(validated)
    renames = {
        "shootings_reviewed": "shootings",
        "groups_identified": "groups",
        "individuals_identified": "individuals",
    }
    for old, new in renames.items():
        if old in data:
            data[new] = data.pop(old)
    return data
