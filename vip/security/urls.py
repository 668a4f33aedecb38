"""Account security pages: MFA enrolment and verification, the system-use notice, the audit viewer."""

from django.urls import path

from vip import security_views

app_name = "security"

urlpatterns: list = [
    path("mfa/enrol/", security_views.mfa_enrol, name="mfa_enrol"),
    path("mfa/verify/", security_views.mfa_verify, name="mfa_verify"),
    path("mfa/recovery-codes/", security_views.recovery_codes, name="recovery_codes"),
    path("notice/", security_views.notice, name="notice"),
]
