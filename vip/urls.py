from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView

from candidates import records_urls
from vip import views
from vip.audit import urls as audit_urls
from vip.security.api import ObtainTokenView
from vip.security.views import SignInView

api_patterns = [
    path("", include("candidates.api_urls")),
    path("", include("notifications.api_urls")),
    path("", include("reports.api_urls")),
]

urlpatterns = [
    path("", views.home, name="home"),
    path("no-role/", views.no_role, name="no_role"),
    path("healthz", views.healthz, name="healthz"),
    path("healthz/auth", views.floor, name="healthz_auth"),
    path("accounts/login/", SignInView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("security/", include("vip.security.urls")),
    # the audit viewer (vip) and the candidates' sealing and review pages share the `audit` namespace
    path("audit/", include((audit_urls.urlpatterns + records_urls.urlpatterns, audit_urls.app_name))),
    # the weekly review: a candidates record (the meeting) whose decisions open CNs (notifications)
    path("candidates/gvis/", include("notifications.review.urls")),
    path("candidates/", include("candidates.urls")),
    path("tablet/", include("notifications.tablet.urls")),
    path("reminders/", include("notifications.reminders.urls")),
    path("reports/", include("reports.urls")),
    path("aftercare/", include("reports.aftercare.urls")),
    path("cn/", include("notifications.urls")),
    path("find/", include("notifications.finding.urls")),  # search, caseload, calendar (issue 18)
    path("staff/", include("notifications.staff.urls")),
    # Before the API includes: a token needs username, password and a one-time code (CJIS IA-2).
    path("api/auth/token/", ObtainTokenView.as_view(), name="api_token"),
    path("api/", include(api_patterns)),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    # Swagger UI loads its start-up script from a URL (no inline script); only its styles are relaxed.
    path("api/docs/", views.api_docs, name="api_docs"),
    path("admin/", admin.site.urls),
]

handler403 = "vip.views.permission_denied"
handler404 = "vip.views.not_found"
