"""/api/deliveries/..., /api/personnel/, /api/letter-templates/ (DESIGN.md); the token endpoint, which needs a one-time code, is in vip/urls.py."""

from django.urls import path

from notifications import api

urlpatterns = [
    path("deliveries/", api.DeliveryListView.as_view(), name="api_deliveries"),
    path("deliveries/<int:pk>/", api.DeliveryDetailView.as_view(), name="api_delivery"),
    *[
        path(f"deliveries/<int:pk>/{name}/", view.as_view(), name=f"api_delivery_{name.replace('-', '_')}")
        for name, view in {**api.STEP_VIEWS, **api.TRANSITION_VIEWS}.items()
    ],
    path("personnel/", api.PersonnelListView.as_view(), name="api_personnel"),
    path("letter-templates/", api.LetterTemplateListView.as_view(), name="api_letter_templates"),
]
