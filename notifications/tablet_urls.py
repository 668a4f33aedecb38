from django.urls import path

from notifications import tablet

app_name = "tablet"

urlpatterns = [
    path("", tablet.home, name="home"),
]
