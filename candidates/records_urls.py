"""Sealing and the intelligence review queue, in the project's `audit` namespace at /audit/ (vip/urls.py)."""

from django.urls import path

from candidates import records_views as views

urlpatterns = [
    path("seal/", views.seal_start, name="seal_start"),
    path("seal/<int:pk>/", views.seal, name="seal"),
    path("seal/<int:pk>/unseal/", views.unseal, name="unseal"),
    path("review/", views.review_queue, name="review"),
    path("review/<str:kind>/<int:pk>/", views.review_decide, name="review_decide"),
]
