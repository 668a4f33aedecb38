from django.urls import path

from notifications import views

app_name = "notifications"

urlpatterns = [
    path("board/", views.board, name="board"),
    path("mine/", views.my_deliveries, name="my_deliveries"),
    path("personnel/", views.personnel, name="personnel"),
    path("<int:pk>/", views.delivery_detail, name="detail"),
]
