from rest_framework.routers import SimpleRouter

from reports.api import OutcomeEventViewSet, ServiceOfferViewSet

router = SimpleRouter()
router.register("services", ServiceOfferViewSet, basename="service-offer")
router.register("outcomes", OutcomeEventViewSet, basename="outcome-event")
urlpatterns = router.urls
