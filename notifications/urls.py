from django.urls import path

from notifications import views

app_name = "notifications"

urlpatterns = [
    path("board/", views.board, name="board"),
    path("mine/", views.my_deliveries, name="my_deliveries"),
    path("personnel/", views.personnel, name="personnel"),
    path("new/", views.delivery_new, name="new"),
    path("<int:pk>/", views.delivery_detail, name="detail"),
    path("<int:pk>/letter/", views.delivery_letter, name="letter"),
    path("<int:pk>/step/<slug:name>/", views.delivery_step, name="step"),
    path("<int:pk>/transition/<slug:name>/", views.delivery_transition, name="transition"),
]
