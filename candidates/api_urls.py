from django.urls import path
from rest_framework.routers import DefaultRouter

from candidates import api, network_views

router = DefaultRouter()
router.register("candidates", api.CandidateViewSet, basename="candidate")
router.register("influencers", api.InfluencerViewSet, basename="influencer")
router.register("groups", api.GroupViewSet, basename="group")
router.register("shootings", api.ShootingViewSet, basename="shooting")
router.register("gvis-meetings", api.GVISMeetingViewSet, basename="gvis-meeting")
router.register("referrals", api.ReferralViewSet, basename="referral")
router.register("eligibility-bases", api.EligibilityBasisViewSet, basename="eligibility-basis")
router.register("memberships", api.MembershipViewSet, basename="membership")
urlpatterns = [
    path("candidates/<int:pk>/network/", network_views.CandidateNetworkView.as_view(), name="candidate-network"),
    *router.urls,
]
