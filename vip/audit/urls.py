"""The audit pages, mounted at /audit/ (issue #5). The project's urlconf adds the candidates' sealing and
review pages (candidates/records_urls.py) to the same `audit` namespace."""

from django.urls import path

from vip.audit import views

app_name = "audit"

urlpatterns = [
    path("", views.audit_list, name="list"),
    path("export/", views.audit_export_csv, name="export"),
]
