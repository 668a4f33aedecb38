from django.urls import path

from notifications import reminder_views

app_name = "reminders"

urlpatterns = [
    path("", reminder_views.inbox, name="inbox"),
    path("<int:pk>/read/", reminder_views.mark_read, name="mark_read"),
    path("read-all/", reminder_views.mark_all_read, name="mark_all_read"),
    path("digest/", reminder_views.set_digest, name="set_digest"),
]
