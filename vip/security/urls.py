"""Account security pages: MFA enrolment and verification, the system-use notice, the audit viewer."""

from django.urls import path

from vip.grants import views as grants_views
from vip.security import views

app_name = "security"

urlpatterns: list = [
    path("mfa/enrol/", views.mfa_enrol, name="mfa_enrol"),
    path("mfa/verify/", views.mfa_verify, name="mfa_verify"),
    path("mfa/recovery-codes/", views.recovery_codes, name="recovery_codes"),
    path("notice/", views.notice, name="notice"),
    # role grants awaiting a second person's approval (vip.grants)
    path("grants/", grants_views.grant_list, name="grants"),
    path("grants/<int:pk>/", grants_views.grant_decide, name="grant_decide"),
]
