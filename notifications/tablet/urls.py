from django.urls import path

from notifications.tablet import views

app_name = "tablet"

urlpatterns = [
    path("", views.home, name="home"),
    path("sw.js", views.service_worker, name="sw"),
    path("offline/", views.offline, name="offline"),
    path("<int:pk>/", views.step, name="step"),
    path("<int:pk>/status/", views.status, name="status"),
    path("<int:pk>/photo/", views.photo, name="photo"),
    path("briefings/", views.briefing_cards, name="briefings"),
    path("<int:pk>/briefing/", views.briefing_card, name="briefing"),
    path("<int:pk>/advise-ecc/", views.advise_ecc, name="advise_ecc"),
    path("<int:pk>/encounter/", views.encounter, name="encounter"),
    path("<int:pk>/delivered/", views.delivered, name="delivered"),
    path("<int:pk>/delivered-to-influencer/", views.influencer, name="influencer"),
    path("<int:pk>/refused/", views.refusal, name="refusal"),
    path("<int:pk>/not-located/", views.not_located, name="not_located"),
    path("<int:pk>/retry/", views.retry, name="retry"),
    path("<int:pk>/after-action/", views.after_action, name="after_action"),
]
