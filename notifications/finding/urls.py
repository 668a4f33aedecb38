from django.urls import path

from notifications.finding import views

app_name = "finding"

urlpatterns = [
    path("", views.search, name="search"),
    path("caseload/", views.caseload, name="caseload"),
    path("calendar/", views.calendar, name="calendar"),
]
