from django.urls import path

from notifications import views
from notifications.corrections import views as corrections

app_name = "notifications"

urlpatterns = [
    path("board/", views.board, name="board"),
    path("mine/", views.my_deliveries, name="my_deliveries"),
    path("personnel/", views.personnel, name="personnel"),
    path("new/", views.delivery_new, name="new"),
    path("corrections/", corrections.corrections, name="corrections"),
    path("<int:pk>/", views.delivery_detail, name="detail"),
    path("<int:pk>/letter/", views.delivery_letter, name="letter"),
    path("<int:pk>/step/<slug:name>/", views.delivery_step, name="step"),
    path("<int:pk>/transition/<slug:name>/", views.delivery_transition, name="transition"),
    path("<int:pk>/corrections/new/", corrections.correction_new, name="correction_new"),
    path(
        "<int:pk>/corrections/<int:correction_pk>/approve/", corrections.correction_approve, name="correction_approve"
    ),
    path("<int:pk>/corrections/<int:correction_pk>/refuse/", corrections.correction_refuse, name="correction_refuse"),
]
