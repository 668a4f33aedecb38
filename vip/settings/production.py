"""Production settings: the base settings, hardened, and a refusal to start on insecure defaults."""

from django.core.exceptions import ImproperlyConfigured

from vip.settings import *  # noqa: F403
from vip.settings import DATABASE_URL, DEBUG, INSECURE_DEFAULT_SECRET_KEY, SECRET_KEY, VIP_DEMO_MODE

if SECRET_KEY == INSECURE_DEFAULT_SECRET_KEY or len(SECRET_KEY) < 50 or SECRET_KEY.startswith("django-insecure"):
    raise ImproperlyConfigured("Set SECRET_KEY to a random value of at least 50 characters for production.")
if DEBUG:
    raise ImproperlyConfigured("DEBUG must be off in production: unset DEBUG or set DEBUG=0.")
if VIP_DEMO_MODE:
    raise ImproperlyConfigured("VIP_DEMO_MODE pre-enrols demo accounts and must be off in production.")
if not DATABASE_URL:
    raise ImproperlyConfigured("Set DATABASE_URL: the embedded PostgreSQL under var/ is for make run and make test.")

SECURE_SSL_REDIRECT = True
SECURE_HSTS_SECONDS = 31536000
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
# __Host- cookies: HTTPS only, this host only, path / (cannot be set by a sibling subdomain).
SESSION_COOKIE_NAME = "__Host-vip_session"
CSRF_COOKIE_NAME = "__Host-vip_csrftoken"
WHITENOISE_USE_FINDERS = False
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
