from django.urls import path

from notifications.staff import views

app_name = "staff"

urlpatterns = [
    path("", views.staff_list, name="list"),
    path("new/", views.staff_add, name="add"),
    path("<int:pk>/", views.staff_detail, name="detail"),
    path("<int:pk>/release-lockout/", views.staff_release_lockout, name="release_lockout"),
    path("<int:pk>/reset-second-factor/", views.staff_reset_second_factor, name="reset_second_factor"),
]
