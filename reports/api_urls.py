from rest_framework.routers import SimpleRouter

from reports.aftercare.api import (
    CaseNoteViewSet,
    ConsentViewSet,
    NeedViewSet,
    PartnerReferralViewSet,
    PartnerViewSet,
)
from reports.api import OutcomeEventViewSet, ServiceOfferViewSet

router = SimpleRouter()
router.register("services", ServiceOfferViewSet, basename="service-offer")
router.register("outcomes", OutcomeEventViewSet, basename="outcome-event")
# after the door (issue 19), behind the services wall
router.register("needs", NeedViewSet, basename="need")
router.register("partner-referrals", PartnerReferralViewSet, basename="partner-referral")
router.register("consents", ConsentViewSet, basename="consent")
router.register("case-notes", CaseNoteViewSet, basename="case-note")
router.register("partners", PartnerViewSet, basename="partner")
urlpatterns = router.urls
