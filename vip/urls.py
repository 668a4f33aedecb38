from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from vip import views

api_patterns = [
    path("", include("candidates.api_urls")),
    path("", include("notifications.api_urls")),
]

urlpatterns = [
    path("", views.home, name="home"),
    path("no-role/", views.no_role, name="no_role"),
    path("healthz", views.healthz, name="healthz"),
    path("healthz/auth", views.floor, name="healthz_auth"),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("security/", include("vip.security_urls")),
    path("candidates/", include("candidates.urls")),
    path("tablet/", include("notifications.tablet_urls")),
    path("reminders/", include("notifications.reminder_urls")),
    path("reports/", include("reports.urls")),
    path("cn/", include("notifications.urls")),
    path("api/", include(api_patterns)),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="api_docs"),
    path("admin/", admin.site.urls),
]
