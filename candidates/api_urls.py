from django.urls import path
from rest_framework.routers import DefaultRouter

from candidates import api, network_views
from candidates.merging import api as merging

router = DefaultRouter()
router.register("candidates", api.CandidateViewSet, basename="candidate")
router.register("influencers", api.InfluencerViewSet, basename="influencer")
router.register("groups", api.GroupViewSet, basename="group")
router.register("shootings", api.ShootingViewSet, basename="shooting")
router.register("gvis-meetings", api.GVISMeetingViewSet, basename="gvis-meeting")
router.register("referrals", api.ReferralViewSet, basename="referral")
router.register("eligibility-bases", api.EligibilityBasisViewSet, basename="eligibility-basis")
router.register("memberships", api.MembershipViewSet, basename="membership")
# Before the router's: "merges" is not a candidate's id.
urlpatterns = [
    path("candidates/merges/", merging.MergesView.as_view(), name="merge-list"),
    path("candidates/merges/<int:pk>/", merging.MergeView.as_view(), name="merge-detail"),
    path("candidates/merges/<int:pk>/approve/", merging.MergeApproveView.as_view(), name="merge-approve"),
    path("candidates/merges/<int:pk>/refuse/", merging.MergeRefuseView.as_view(), name="merge-refuse"),
    path("candidates/merges/<int:pk>/undo/", merging.MergeUndoView.as_view(), name="merge-undo"),
    path("candidates/duplicate-pairs/", merging.DuplicatePairsView.as_view(), name="duplicate-pair-list"),
    path(
        "candidates/duplicate-pairs/<int:pk>/dismiss/",
        merging.DuplicatePairDismissView.as_view(),
        name="duplicate-pair-dismiss",
    ),
    path("candidates/<int:pk>/network/", network_views.CandidateNetworkView.as_view(), name="candidate-network"),
    *router.urls,
]
