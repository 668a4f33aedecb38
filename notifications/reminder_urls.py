from django.urls import path

from notifications import reminder_views

app_name = "reminders"

urlpatterns = [
    path("", reminder_views.inbox, name="inbox"),
]
