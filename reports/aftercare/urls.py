from django.urls import path

from reports.aftercare import views

app_name = "aftercare"

urlpatterns = [
    path("", views.caseload, name="caseload"),
    path("people/<int:pk>/", views.person, name="person"),
    path("people/<int:pk>/needs/", views.need_set, name="need_set"),
    path("people/<int:pk>/referrals/", views.referral_new, name="referral_new"),
    path("people/<int:pk>/consents/", views.consent_new, name="consent_new"),
    path("people/<int:pk>/notes/", views.note_add, name="note_add"),
    path("people/<int:pk>/navigator/", views.assign, name="assign"),
    path("referrals/<int:pk>/result/", views.referral_result, name="referral_result"),
    path("consents/<int:pk>/withdraw/", views.consent_withdraw, name="consent_withdraw"),
]
