from django.urls import path

from notifications import tablet

app_name = "tablet"

urlpatterns = [
    path("", tablet.home, name="home"),
    path("sw.js", tablet.service_worker, name="sw"),
    path("offline/", tablet.offline, name="offline"),
    path("<int:pk>/", tablet.step, name="step"),
    path("<int:pk>/status/", tablet.status, name="status"),
    path("<int:pk>/photo/", tablet.photo, name="photo"),
    path("<int:pk>/advise-ecc/", tablet.advise_ecc, name="advise_ecc"),
    path("<int:pk>/encounter/", tablet.encounter, name="encounter"),
    path("<int:pk>/delivered/", tablet.delivered, name="delivered"),
    path("<int:pk>/delivered-to-influencer/", tablet.influencer, name="influencer"),
    path("<int:pk>/refused/", tablet.refusal, name="refusal"),
    path("<int:pk>/not-located/", tablet.not_located, name="not_located"),
    path("<int:pk>/retry/", tablet.retry, name="retry"),
    path("<int:pk>/after-action/", tablet.after_action, name="after_action"),
]
