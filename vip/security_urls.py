"""Account security pages: MFA enrolment and verification, the system-use notice, the audit viewer."""

urlpatterns: list = []
