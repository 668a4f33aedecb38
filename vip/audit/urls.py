"""The audit pages, mounted at /audit/ (issue #5)."""

from django.urls import path

from vip import audit_views

app_name = "audit"

urlpatterns = [
    path("", audit_views.audit_list, name="list"),
    path("export/", audit_views.audit_export_csv, name="export"),
    path("seal/", audit_views.seal_start, name="seal_start"),
    path("seal/<int:pk>/", audit_views.seal, name="seal"),
    path("review/", audit_views.review_queue, name="review"),
    path("review/<str:kind>/<int:pk>/", audit_views.review_decide, name="review_decide"),
]
