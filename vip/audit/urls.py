"""The audit pages, mounted at /audit/ (issue #5)."""

from django.urls import path

from vip.audit import views

app_name = "audit"

urlpatterns = [
    path("", views.audit_list, name="list"),
    path("export/", views.audit_export_csv, name="export"),
    path("seal/", views.seal_start, name="seal_start"),
    path("seal/<int:pk>/", views.seal, name="seal"),
    path("review/", views.review_queue, name="review"),
    path("review/<str:kind>/<int:pk>/", views.review_decide, name="review_decide"),
]
