"""A person's network: the page (/candidates/<id>/network/) and the API (/api/candidates/<id>/network/).

Who may see it follows the intelligence page (`selectors.may_see_intelligence`): shootings, meetings and groups
name many people. Anyone else, and anyone asking about a person they may not see, is answered 404 as if there
were no such page. The people shown are audited as reads by the middleware (vip/audit/reads.py): each person
drawn is a record the request loaded.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from candidates.api import CandidateRecordsPermission
from candidates.network import DEPTHS, NO_SCORE_REASON, NODE_KINDS, SOURCE_KINDS, layout, network_of
from candidates.selectors import get_candidate_for_user, may_see_intelligence, may_use_candidate_records

BAD_DEPTH = "The depth is 1 (the person's direct links) or 2 (their links' links): give depth=1 or depth=2."


def _network_candidate(user, pk):
    """The person whose network is asked for, or 404: for those who may not see networks, or this person."""
    if not (may_use_candidate_records(user) and may_see_intelligence(user)):
        raise Http404("No such page.")
    return get_candidate_for_user(user, pk)


@login_required
def network_page(request, pk: int):
    candidate = _network_candidate(request.user, pk)
    asked = request.GET.get("depth", "1")
    depth_error = "" if asked in {str(d) for d in DEPTHS} else BAD_DEPTH
    depth = 1 if depth_error else int(asked)
    network = network_of(request.user, candidate, depth)
    placed, lines = layout(network)
    return render(
        request,
        "candidates/network.html",
        {
            "candidate": candidate,
            "network": network,
            "placed": placed,
            "lines": lines,
            "depth": depth,
            "depths": DEPTHS,
            "depth_error": depth_error,
            "no_score_reason": NO_SCORE_REASON,
            "node_kinds": NODE_KINDS,
        },
        status=400 if depth_error else 200,
    )


# --- the API ------------------------------------------------------------------------------------------------


class NetworkQuerySerializer(serializers.Serializer):
    depth = serializers.ChoiceField(
        choices=DEPTHS, default=1, error_messages={"invalid_choice": BAD_DEPTH, "blank": BAD_DEPTH}
    )


class NetworkNodeSerializer(serializers.Serializer):
    key = serializers.CharField(help_text='"person:12", "group:3", "meeting:4", "influencer:7", ...')
    kind = serializers.ChoiceField(choices=list(NODE_KINDS.items()))
    kind_label = serializers.CharField()
    label = serializers.CharField()
    depth = serializers.IntegerField(help_text="0 for the person asked about, then 1 or 2 links away.")
    candidate_id = serializers.IntegerField(allow_null=True, help_text="The person's record, when there is one.")


class NetworkSourceSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=list(SOURCE_KINDS.items()))
    kind_label = serializers.CharField()
    record_id = serializers.IntegerField()
    label = serializers.CharField()
    date = serializers.DateField(allow_null=True)
    recorded_by = serializers.CharField()


class NetworkEdgeSerializer(serializers.Serializer):
    a = serializers.CharField(help_text="The key of one node.")
    b = serializers.CharField(help_text="The key of the other node.")
    relation = serializers.CharField()
    source = NetworkSourceSerializer()


class NetworkSerializer(serializers.Serializer):
    """A person's network: who is linked to whom, and by which record. Never a score, rank or count."""

    center = NetworkNodeSerializer()
    depth = serializers.IntegerField()
    nodes = NetworkNodeSerializer(many=True)
    edges = NetworkEdgeSerializer(many=True)
    note = serializers.CharField(help_text="Why the network carries no score.")


class CandidateNetworkView(APIView):
    permission_classes = [CandidateRecordsPermission]

    @extend_schema(
        summary="A person's network at depth 1 or 2, every link with its source (no score, no ranking)",
        parameters=[OpenApiParameter("depth", int, enum=list(DEPTHS), required=False, default=1)],
        responses={
            200: NetworkSerializer,
            400: OpenApiResponse(description="The depth is not 1 or 2"),
            404: OpenApiResponse(description="No such person, or not one the user may see"),
        },
    )
    def get(self, request, pk: int):
        query = NetworkQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        candidate = _network_candidate(request.user, pk)
        network = network_of(request.user, candidate, int(query.validated_data["depth"]))
        data = {**network.__dict__, "note": NO_SCORE_REASON}
        return Response(NetworkSerializer(data).data)
