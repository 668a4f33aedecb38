from django.urls import path

from notifications.review import views

app_name = "gvis"

urlpatterns = [
    path("", views.meeting_list, name="list"),
    path("start/", views.meeting_start, name="start"),
    path("<int:pk>/", views.meeting_detail, name="meeting"),
    path("<int:pk>/attendees/", views.attendee_add, name="attendee_add"),
    path("<int:pk>/shootings/<int:shooting_pk>/reviewed/", views.shooting_reviewed, name="shooting_reviewed"),
    path("<int:pk>/people/", views.person_identify, name="identify"),
    path("<int:pk>/groups/", views.group_identify, name="group_identify"),
    path("<int:pk>/people/<int:identification_pk>/decide/", views.person_decide, name="decide"),
    path("<int:pk>/minutes/", views.minutes, name="minutes"),
]
