"""The CN REST API: one endpoint per preparation step and one per transition, each calling one service.

Views check access (`get_delivery_for_user`: a CN the user may not see is a 404), shape the body with a
serializer, call the service, and answer with the CN as it now is. Rules live in the services and
guards; `vip.api.exception_handler` turns their refusals into 400/403/409 with the reasons in words.
Every POST honours `Idempotency-Key` (`vip.api.idempotent`), so a tablet's retry is applied once.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers as drf
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.generics import GenericAPIView, ListAPIView
from rest_framework.response import Response
from rest_framework.views import APIView

from candidates.selectors import candidates_visible_to
from notifications import serializers as ser
from notifications import services
from notifications.models import Delivery, LetterTemplate, State
from notifications.personnel import personnel_overview
from notifications.selectors import (
    count_on_team_of,
    deliveries_on_team_of,
    deliveries_visible_to,
    get_changed_delivery_detail_for_user,
    get_delivery_detail_for_user,
    get_delivery_for_user,
    known_count,
)
from vip import roles
from vip.api import idempotent
from vip.errors import DomainError, NotPermitted
from vip.kept import kept
from vip.paging import KnownCountPagination

ErrorSerializer = inline_serializer(
    "Error",
    {
        "detail": drf.CharField(help_text="What went wrong, in words a person can act on."),
        "code": drf.CharField(),
        "unmet_conditions": ser.UnmetConditionSerializer(many=True, required=False),
    },
)
IDEMPOTENCY_KEY = OpenApiParameter(
    "Idempotency-Key",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    required=False,
    description="A unique key per submission: a retry with the same key and body is applied once and "
    "answered with the first answer; the same key with another body answers 422.",
)
ERRORS = {
    400: ErrorSerializer,
    403: ErrorSerializer,
    404: ErrorSerializer,
    409: ErrorSerializer,
    422: ErrorSerializer,
}


def _detail(request, pk) -> dict:
    return ser.delivery_detail_data(get_delivery_detail_for_user(request.user, pk))


def _sees_program_records(user) -> bool:
    return roles.sees_all_candidates(user) or roles.is_administrator(user)


# --- list, create, read -------------------------------------------------------------------------------


class DeliveryListView(GenericAPIView):
    """CN deliveries the requesting user may see, newest first."""

    serializer_class = ser.DeliveryListSerializer
    filter_backends: list = []
    pagination_class = KnownCountPagination
    known_count: int | None = None

    def get_queryset(self):
        qs = deliveries_visible_to(self.request.user).order_by("-created_at", "-id")
        params = self.request.query_params
        state = params.get("state")
        if state:
            if state not in State.values:
                raise DomainError(f"Unknown state in ?state=. Use one of: {', '.join(State.values)}.")
            qs = qs.filter(state=state)
        if params.get("mine") in ("1", "true", "yes"):
            qs = deliveries_on_team_of(self.request.user, qs)
        candidate = params.get("candidate")
        if candidate:
            if not candidate.isdigit():
                raise DomainError("Give the candidate's id (a number) in ?candidate=.")
            qs = qs.filter(candidate_id=int(candidate))
        return qs

    @extend_schema(
        operation_id="deliveries_list",
        parameters=[
            OpenApiParameter("state", OpenApiTypes.STR, enum=State.values, description="Only CNs in this state."),
            OpenApiParameter("mine", OpenApiTypes.BOOL, description="1: only CNs whose team I am on."),
            OpenApiParameter("candidate", OpenApiTypes.INT, description="Only this candidate's CNs."),
        ],
        responses={200: ser.DeliveryListSerializer(many=True), 400: ErrorSerializer},
    )
    def get(self, request):
        # Read again and again by the same tablets and scripts: the page is kept until a CN changes (`kept`),
        # one copy for everyone who sees the same CNs, unless it is their own team's (`?mine=`).
        address = hashlib.sha256(request.build_absolute_uri().encode()).hexdigest()[:32]  # the links name it
        mine = request.query_params.get("mine") in ("1", "true", "yes")
        return Response(kept("api-deliveries", request.user, lambda: self._page(request), address, shared=not mine))

    def _page(self, request) -> dict:
        params = request.query_params
        filters = {"mine", "candidate", "state"} & set(params)
        if filters <= {"state"}:  # then the count is the board's, already kept
            self.known_count = known_count(request.user, state=params.get("state"))
        elif filters == {"mine"} and params["mine"] in ("1", "true", "yes"):
            self.known_count = count_on_team_of(request.user)
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(self.get_serializer(page, many=True).data).data

    @extend_schema(
        operation_id="deliveries_create",
        summary="Open a CN for a candidate (the VIP LE Lead only)",
        request=ser.DeliveryCreateSerializer,
        responses={201: ser.DeliveryDetailSerializer, **ERRORS},
        parameters=[IDEMPOTENCY_KEY],
    )
    @idempotent
    def post(self, request):
        body = ser.DeliveryCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
        candidate = candidates_visible_to(request.user).filter(pk=data.pop("candidate")).first()
        if candidate is None:
            if not roles.is_le_lead(request.user):
                raise NotPermitted("Only the VIP Law Enforcement Lead opens a CN for a candidate.")
            raise ValidationError({"candidate": "There is no such candidate: check the id."})
        delivery = services.delivery_create(user=request.user, candidate=candidate, **data)
        return Response(_detail(request, delivery.pk), status=201)


class DeliveryDetailView(APIView):
    @extend_schema(
        operation_id="deliveries_retrieve",
        summary="A CN: its state, its step records, and what the requesting user may do next",
        responses={200: ser.DeliveryDetailSerializer, 404: ErrorSerializer},
    )
    def get(self, request, pk: int):
        return Response(_detail(request, pk))


# --- one endpoint per step and per transition ---------------------------------------------------------


def _action_view(
    api_name: str, body: type[drf.Serializer], perform: Callable, summary: str, description: str
) -> type[APIView]:
    """An APIView whose POST shapes the body, calls one service, and answers with the CN."""

    @extend_schema(
        operation_id=f"deliveries_{api_name.replace('-', '_')}",
        summary=summary,
        description=description,
        request=body,
        responses={200: ser.DeliveryDetailSerializer, **ERRORS},
        parameters=[IDEMPOTENCY_KEY],
    )
    @idempotent
    def post(self, request, pk: int):
        # Who may see the CN is checked by the service, under its lock (a 404 as here). It is read first only
        # for a body whose fields are checked against it (the candidate's influencers, say), or to answer a
        # bad body: a CN the user may not see is a 404 whatever was sent.
        kwargs = {}
        if issubclass(body, ser.DeliveryContextMixin):
            kwargs["delivery"] = get_delivery_for_user(request.user, pk)
        data = body(data=request.data, **kwargs)
        if not data.is_valid():
            if "delivery" not in kwargs:
                get_delivery_for_user(request.user, pk)  # raises Http404 for a CN they may not see
            raise ValidationError(data.errors)
        changed = perform(pk, request.user, dict(data.validated_data))
        if isinstance(changed, Delivery):  # a transition: the CN as the service saved it, not read again
            return Response(ser.delivery_detail_data(get_changed_delivery_detail_for_user(request.user, changed)))
        return Response(_detail(request, pk))

    name = "".join(part.title() for part in api_name.split("-")) + "View"
    return type(name, (APIView,), {"post": post, "__doc__": description, "__module__": __name__})


def _check(kind):
    return lambda pk, user, data: services.record_check(pk, user=user, kind=kind, **data)


def _team(pk, user, data):
    if data.pop("action") == "remove":
        return services.remove_team_member(pk, user=user, member=data["member"])
    return services.add_team_member(pk, user=user, member=data["member"], role=data["role"])


STEPS = {
    # api name: (body, perform, summary)
    "threat-assessment": (ser.CheckInputSerializer, _check("threat_assessment"), "Record the threat assessment"),
    "background-check": (ser.CheckInputSerializer, _check("background_check"), "Record the background check"),
    "letter": (
        ser.LetterInputSerializer,
        lambda pk, u, data: services.record_letter(pk, user=u, **data),
        "Draft the personalised letter, or record it as not warranted with a reason",
    ),
    "team": (ser.TeamInputSerializer, _team, "Add a person to the delivery team, or remove one"),
    "social-services": (
        ser.SocialServicesInputSerializer,
        lambda pk, u, data: services.record_social_services(pk, user=u, **data),
        "Record the coordination with the social services component",
    ),
    "jpo-check": (
        ser.JPOCheckInputSerializer,
        lambda pk, u, data: services.record_jpo_check(pk, user=u, **data),
        "Record the Juvenile Probation Office contact; 'do not deliver' cancels the CN",
    ),
    "guardian-contact": (
        ser.GuardianContactInputSerializer,
        lambda pk, u, data: services.record_guardian_contact(pk, user=u, **data),
        "Record an attempt to contact a juvenile's parent or guardian",
    ),
}

TRANSITION_BODIES = {
    "determine-eligibility": ser.DetermineEligibilitySerializer,
    "start-preparation": ser.NoteSerializer,
    "approve": ser.NoteSerializer,
    "advise-ecc": ser.AdviseECCSerializer,
    "record-delivery": ser.EncounterInputSerializer,
    "record-influencer-delivery": ser.EncounterInputSerializer,
    "record-refusal": ser.RefusalSerializer,
    "record-not-located": ser.NoteSerializer,
    "retry": ser.NoteSerializer,
    "record-after-action": ser.AfterActionInputSerializer,
    "close": ser.NoteSerializer,
    "cancel": ser.CancelSerializer,
}


def _transition(api_name):
    service = services.transition_by_api_name(api_name)
    return lambda pk, user, data: service(pk, user=user, **data)


STEP_VIEWS = {
    name: _action_view(name, body, perform, summary, f"SOP 2-64 preparation step '{name}'.")
    for name, (body, perform, summary) in STEPS.items()
}
TRANSITION_VIEWS = {
    name: _action_view(
        name,
        TRANSITION_BODIES[name],
        _transition(name),
        f"Transition: {name.replace('-', ' ')}",
        (services.transition_by_api_name(name).__doc__ or "").strip()
        + " A guard that is not met answers 409 with `unmet_conditions`.",
    )
    for name in services.TRANSITIONS
}


# --- personnel and letter templates ----------------------------------------------------------------


class PersonnelListView(GenericAPIView):
    """Sworn personnel and officers with their SOP 2-64-6 qualification, and what each lacks."""

    serializer_class = ser.PersonnelSerializer
    filter_backends: list = []

    @extend_schema(
        operation_id="personnel_list", responses={200: ser.PersonnelSerializer(many=True), 403: ErrorSerializer}
    )
    def get(self, request):
        if not _sees_program_records(request.user):
            raise PermissionDenied("Only the VIP LE Lead, the Program Manager and administrators see personnel.")
        page = self.paginate_queryset(personnel_overview())
        return self.get_paginated_response(self.get_serializer(page, many=True).data)


class LetterTemplateListView(ListAPIView):
    """The active letter templates (edited by administrators in the admin)."""

    serializer_class = ser.LetterTemplateSerializer
    filter_backends: list = []

    def get_queryset(self):
        return LetterTemplate.objects.filter(active=True).order_by("name")

    @extend_schema(operation_id="letter_templates_list")
    def get(self, request, *args, **kwargs):
        if not _sees_program_records(request.user):
            raise PermissionDenied("Only the VIP LE Lead, the Program Manager and administrators see letter templates.")
        return super().get(request, *args, **kwargs)
