"""/api/deliveries/..., /api/personnel/, /api/letter-templates/ (DESIGN.md); the token endpoint, which needs a one-time code, is in vip/urls.py."""

from django.urls import path

from notifications import api
from notifications.corrections import api as corrections

urlpatterns = [
    path("deliveries/", api.DeliveryListView.as_view(), name="api_deliveries"),
    path("deliveries/<int:pk>/", api.DeliveryDetailView.as_view(), name="api_delivery"),
    *[
        path(f"deliveries/<int:pk>/{name}/", view.as_view(), name=f"api_delivery_{name.replace('-', '_')}")
        for name, view in {**api.STEP_VIEWS, **api.TRANSITION_VIEWS}.items()
    ],
    path("deliveries/<int:pk>/corrections/", corrections.CorrectionsView.as_view(), name="api_delivery_corrections"),
    path(
        "deliveries/<int:pk>/corrections/<int:correction_pk>/approve/",
        corrections.CorrectionApproveView.as_view(),
        name="api_delivery_correction_approve",
    ),
    path(
        "deliveries/<int:pk>/corrections/<int:correction_pk>/refuse/",
        corrections.CorrectionRefuseView.as_view(),
        name="api_delivery_correction_refuse",
    ),
    path("personnel/", api.PersonnelListView.as_view(), name="api_personnel"),
    path("letter-templates/", api.LetterTemplateListView.as_view(), name="api_letter_templates"),
]
