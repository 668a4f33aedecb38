from django.urls import path

from reports import views

app_name = "reports"

urlpatterns = [
    path("dashboard/", views.dashboard, name="dashboard"),
    path("dashboard/recompute/", views.recompute, name="recompute"),
    path("drill/<slug:figure>/", views.drill, name="drill"),
    path("funnel/", views.funnel_page, name="funnel"),
    path("follow-up/", views.follow_up_page, name="follow_up"),
    path("services/", views.service_list, name="services"),
    path("services/new/", views.service_new, name="service_new"),
    path("services/<int:pk>/edit/", views.service_edit, name="service_edit"),
    path("outcomes/", views.outcome_list, name="outcomes"),
    path("export/<slug:kind>.csv", views.export, name="export"),
    path("evaluation-extract/", views.evaluation_extract, name="extract"),
    path("transparency/", views.transparency, name="transparency"),
    path("transparency.json", views.transparency_json, name="transparency_json"),
]
