"""Settings for the VIP record management database.

Everything that differs between machines comes from the environment, with embedded defaults that let
`make run` work on a machine with only Python: the embedded PostgreSQL under var/pg when DATABASE_URL is
unset (scripts/embedded_pg.py starts it), and kombu's filesystem transport as the Celery broker when
REDIS_URL is unset (a real worker and beat still run).
Production settings live in `vip.settings.production`, which refuses insecure defaults.
"""

import os
from datetime import timedelta
from pathlib import Path
from urllib.parse import quote

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(os.environ.get("VIP_VAR_DIR", BASE_DIR / "var"))


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


INSECURE_DEFAULT_SECRET_KEY = "django-insecure-vip-development-only-key-never-use-in-production"  # noqa: S105
SECRET_KEY = os.environ.get("SECRET_KEY", INSECURE_DEFAULT_SECRET_KEY)
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

# Demo mode pre-enrols the demo personas in MFA and shows demo hints; production refuses it.
VIP_DEMO_MODE = env_bool("VIP_DEMO_MODE", False)
# A `Server-Timing` header on every answer (the request's time, its audit INSERTs', whether its kept pages were
# served kept): the benchmark's gunicorn turns it on (bench/mixed.py); off elsewhere (vip/server_timing.py).
VIP_SERVER_TIMING = env_bool("VIP_SERVER_TIMING", False)

INSTALLED_APPS = [
    # The admin site requires a verified second factor (vip.admin_site.VipAdminSite).
    "vip.apps.VipAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_filters",
    "django_fsm",
    "django_celery_beat",
    "django_htmx",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "axes",
    "csp",
    "vip",
    "candidates",
    "notifications",
    "reports",
]

MIDDLEWARE = [
    # Off unless VIP_SERVER_TIMING: times each request for the benchmark (vip/server_timing.py). First, so
    # its `app` time is the whole of Django's.
    "vip.server_timing.ServerTimingMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "vip.security.RequestSizeLimitMiddleware",
    # A NUL character in a query, a form field or a header: a 400 with a message (PostgreSQL cannot store it).
    "vip.security.RefuseNulMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "vip.requestlocal.RequestLocalMiddleware",
    # After a change its user reads the primary a few seconds, not the replica (vip/replica.py; a no-op without).
    "vip.replica.ReplicaStickyMiddleware",
    "vip.audit.middleware.AuditReadMiddleware",
    # A merged-away record's page redirects to the surviving record's (candidates.merging).
    "candidates.merging.middleware.MergedRecordMiddleware",
    # Session lock (CJIS AC-11/AC-12), MFA and system-use notice gate (IA-2, AC-8), Cache-Control: no-store.
    "vip.security.SecurityGateMiddleware",
    # Turns a lockout (CJIS AC-7) into the "account locked" page; keep it last.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "vip.urls"
WSGI_APPLICATION = "vip.wsgi.application"
ASGI_APPLICATION = "vip.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "vip.context_processors.navigation",
                "notifications.context_processors.unread_reminders",
            ],
        },
    },
]

DATABASE_URL = os.environ.get("DATABASE_URL", "")
# The largest hand-written queries are prepared once per database connection (vip.prepared). Turn off behind a
# pooler in transaction mode (PgBouncer), where a transaction may run on a session that did not prepare them.
VIP_PREPARED_STATEMENTS = env_bool("VIP_PREPARED_STATEMENTS", True)
# Unset: the embedded PostgreSQL that `make run` / `make test` start under var/pg (scripts/embedded_pg.py), on
# its Unix socket there; a manage.py command run by hand reaches it while one of them is running.
EMBEDDED_DATABASE_URL = f"postgresql://postgres@{quote(str(VAR_DIR / 'pg'), safe='')}:5432/vip"
DATABASES = {"default": dj_database_url.parse(DATABASE_URL or EMBEDDED_DATABASE_URL, conn_max_age=60)}
# Two database roles (docs/operations.md, "Database roles"; CJIS AU-9): DATABASE_URL is the app role the site,
# the worker and beat connect as (SELECT and INSERT only on the audit trail, `manage.py setup_db_roles`);
# DATABASE_OWNER_URL is the role that owns the tables, which `migrate`, `flush`, `setup_db_roles` and
# `purge_audit` use on their own (vip.db_roles.as_owner). Unset, the owner is DATABASE_URL's role: a
# single-role deployment works as before, without the separation. Only its role, password, host, port and
# options are used: it names the same database.
DATABASE_OWNER_URL = os.environ.get("DATABASE_OWNER_URL", "")
VIP_DATABASE_OWNER = dj_database_url.parse(DATABASE_OWNER_URL) if DATABASE_OWNER_URL else None
if VIP_DATABASE_OWNER and VIP_DATABASE_OWNER["NAME"] != DATABASES["default"]["NAME"]:
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured(
        f"DATABASE_OWNER_URL names the database {VIP_DATABASE_OWNER['NAME']!r} and DATABASE_URL "
        f"{DATABASES['default']['NAME']!r}: both name the one database, with the owner's and the app's role."
    )

# A PostgreSQL streaming replica for the reports (vip/replica.py; docs/operations.md, "A read replica"): the
# dashboard, its drill-downs, the exports and the transparency report read it; every write and every other read
# goes to the primary. Unset: no replica, no router, nothing changes. Same role and database name as
# DATABASE_URL unless the URL says otherwise; never migrated (a standby takes the primary's schema by WAL).
DATABASE_REPLICA_URL = os.environ.get("DATABASE_REPLICA_URL", "")
if DATABASE_REPLICA_URL:
    _replica = dj_database_url.parse(DATABASE_REPLICA_URL, conn_max_age=60)
    for _key in ("NAME", "USER", "PASSWORD"):
        _replica[_key] = _replica.get(_key) or DATABASES["default"].get(_key, "")
    # an unreachable replica costs a request at most this long before the primary answers instead
    _replica.setdefault("OPTIONS", {}).setdefault("connect_timeout", 2)
    _replica["TEST"] = {"MIRROR": "default"}  # tests read it as the primary's test database (no test copy)
    DATABASES["replica"] = _replica
    DATABASE_ROUTERS = ["vip.replica.ReplicaRouter"]
# After a change (any request but GET/HEAD/OPTIONS), its user reads the primary this long: they see their write.
VIP_REPLICA_STICKY_SECONDS = int(os.environ.get("VIP_REPLICA_STICKY_SECONDS", "5"))
# A replica further behind than this is not read (the primary answers); checked every few seconds per process.
VIP_REPLICA_MAX_LAG_SECONDS = float(os.environ.get("VIP_REPLICA_MAX_LAG_SECONDS", "30"))
VIP_REPLICA_CHECK_SECONDS = float(os.environ.get("VIP_REPLICA_CHECK_SECONDS", "2"))

# Behind a connection pooler in transaction mode (PgBouncer, pool_mode = transaction), set
# DATABASE_POOLER=transaction: each transaction may run on another server session, so nothing may live in a
# session between transactions. Django's server-side cursors (QuerySet.iterator() outside a transaction) and
# the prepared statements of vip.prepared are turned off; the name search's trigram threshold is sent with
# each statement that needs it (candidates/apps.py). docs/operations.md, "Connection pooling".
DATABASE_POOLER = os.environ.get("DATABASE_POOLER", "").strip().lower()
if DATABASE_POOLER not in ("", "session", "transaction"):
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured(
        f"DATABASE_POOLER is {DATABASE_POOLER!r}: leave it unset, or say session or transaction."
    )
if DATABASE_POOLER == "transaction":
    for _alias in DATABASES.values():
        _alias["DISABLE_SERVER_SIDE_CURSORS"] = True
    VIP_PREPARED_STATEMENTS = False

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = [
    # django-axes first: refuses a locked account before the password is even checked (CJIS AC-7).
    "axes.backends.AxesStandaloneBackend",
    # Django's ModelBackend, reading the user's roles with the user (a query less a request).
    "vip.auth_backends.ModelBackend",
]

AUTH_PASSWORD_VALIDATORS = [
    # CJIS IA-5 / NIST 800-63B: length and a common-password list, no composition rules.
    {"NAME": "vip.passwords.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "vip.passwords.MaximumLengthValidator", "OPTIONS": {"max_length": 128}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "America/Denver"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "staticfiles"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # whitenoise warns when it is missing
STATICFILES_DIRS = [BASE_DIR / "static"]
WHITENOISE_USE_FINDERS = True  # dev and tests serve static files straight from the source folders
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
MEDIA_URL = "media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
# A refused form says how to recover, in the site's layout (the API answers JSON): vip.views.csrf_failure.
CSRF_FAILURE_VIEW = "vip.views.csrf_failure"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"

# --- Sign-in and session security (FBI CJIS Security Policy, OWASP ASVS L2) ---------------------------
# Session lock (AC-11) after 30 minutes without activity; re-authentication at least every 12 hours (AC-12).
VIP_SESSION_IDLE_TIMEOUT = timedelta(minutes=30)
VIP_SESSION_MAX_AGE = timedelta(hours=12)
SESSION_COOKIE_AGE = int(VIP_SESSION_MAX_AGE.total_seconds())
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
# API tokens (tablets) expire like a session does: ask for a new one with a one-time code.
VIP_API_TOKEN_MAX_AGE = timedelta(hours=12)
# Accounts unused this long are disabled by the daily `disable_inactive_accounts` task (IA-4).
VIP_ACCOUNT_INACTIVITY_LIMIT = timedelta(days=90)

# A retried POST (the API's Idempotency-Key, the tablet form's key) is applied once (vip/idempotency.py). Its
# answer is kept this long for retries, then purged hourly by `vip.tasks.purge_expired_idempotency_records`;
# a key older than this is new again.
VIP_IDEMPOTENCY_KEPT_FOR = timedelta(hours=24)
# A key claimed and not answered this long was left by a crashed request (nothing of it was applied): the
# next retry takes it over. Younger, a retry waits up to VIP_IDEMPOTENCY_WAIT for the first request's answer,
# then answers 409 "in progress".
VIP_IDEMPOTENCY_CLAIM_TIMEOUT = timedelta(seconds=60)
VIP_IDEMPOTENCY_WAIT = timedelta(seconds=10)

# MFA (IA-2): TOTP apps (django-otp), recovery codes; no SMS.
OTP_TOTP_ISSUER = "APD VIP"
OTP_TOTP_THROTTLE_FACTOR = 1
OTP_ADMIN_HIDE_SENSITIVE_DATA = True  # administrators never see a secret key or its QR code
VIP_RECOVERY_CODE_COUNT = 10

# Lockout (AC-7): 5 failed sign-ins within 15 minutes lock the account until an administrator releases it.
AXES_FAILURE_LIMIT = 5
VIP_FAILED_SIGNIN_WINDOW = timedelta(minutes=15)
AXES_COOLOFF_TIME = None
AXES_LOCKOUT_PARAMETERS = ["username"]
# axes.W006 asks to lock by IP address too. Not here: every station shares one address, and a permanent lock
# (no cool-off) of that address would lock out a whole shift. The lock is by account, as AC-7 asks, and
# rotating user agents or cookies cannot get around a lock by username.
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
# Only a complete sign-in (password and second factor) starts the count again (vip.security.signin_completed).
AXES_RESET_ON_SUCCESS = False
# Sign-in from one client address pauses after this many failures within VIP_FAILED_SIGNIN_WINDOW, whatever the
# usernames (vip.security.address_throttled): one address cannot lock account after account. Not a lock (it
# wears off), so a station that shares its address is paused, never locked out.
VIP_ADDRESS_FAILURE_LIMIT = 10
AXES_ENABLE_ACCESS_FAILURE_LOG = True
AXES_HANDLER = "vip.security.LockoutHandler"
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_HTTP_RESPONSE_CODE = 403
AXES_VERBOSE = False
AXES_SENSITIVE_PARAMETERS = ["password", "otp", "token"]

# Content Security Policy (django-csp 4): no inline scripts or styles anywhere; /api/docs/ alone relaxes
# style-src for Swagger UI (see vip.urls).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    },
}

# Oversized input is refused (ASVS 5.1.4): 2.5 MB request bodies, at most 1,000 form fields.
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
DATA_UPLOAD_MAX_NUMBER_FIELDS = 1000
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
VIP_MAX_UPLOAD_SIZE = 10 * 1024 * 1024  # multipart bodies (a scanned letter, a photo)
VIP_JSON_MAX_DEPTH = 32  # API bodies nest a few levels; deeper is refused (vip.parsers.SafeJSONParser)

EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "vip-noreply@example.org")

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # A browser session counts only once its second factor is verified (CJIS IA-2).
        "vip.api_auth.VerifiedSessionAuthentication",
        # Tablet tokens are issued only against a one-time code and expire (POST /api/auth/token/).
        "vip.api_auth.ExpiringTokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    # DRF's parsers, JSON with a depth limit and no NUL or infinite numbers (a 400 with a message, never a 500).
    "DEFAULT_PARSER_CLASSES": [
        "vip.parsers.SafeJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "vip.api.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "VIP record management database API",
    "DESCRIPTION": "Custom Notification case management for APD's Violence Intervention Program (SOP 2-64).",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    # Swagger UI served from our own static files (drf-spectacular-sidecar), never a CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # drf-spectacular's own enum hook, then the links from a created record to its operations (vip/openapi.py).
    "POSTPROCESSING_HOOKS": ["drf_spectacular.hooks.postprocess_schema_enums", "vip.openapi.add_links"],
    "ENUM_NAME_OVERRIDES": {
        "TeamRoleEnum": "notifications.models.TeamMember.Role",
        "ShootingRoleEnum": "candidates.models.ShootingParticipant.Role",
        # the CN's step records keep the names they had before issue 19 added fields of the same names
        "ResultEnum": "notifications.models.Check.Result",
        "DecisionEnum": "notifications.models.JPOCheck.Decision",
        "MethodEnum": "notifications.models.GuardianContactAttempt.Method",
        # after the door (issue 19): names the other "result", "decision" and "method" fields do not take
        "ReferralResultEnum": "candidates.aftercare.models.PartnerReferral.Result",
        "ConsentDecisionEnum": "candidates.aftercare.models.Consent.Decision",
        "ConsentMethodEnum": "candidates.aftercare.models.Consent.Method",
        "AreaEnum": "candidates.aftercare.kinds.Area",
    },
}

# Celery: Redis when REDIS_URL is set; otherwise kombu's filesystem transport, which still runs a real
# worker and beat on a machine with only Python.
REDIS_URL = os.environ.get("REDIS_URL", "")
CELERY_DATA_DIR = VAR_DIR / "celery"
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    CELERY_BROKER_TRANSPORT_OPTIONS: dict = {"visibility_timeout": 3600}
else:
    for sub in ("queue", "processed", "control"):
        (CELERY_DATA_DIR / sub).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_URL = "filesystem://"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(CELERY_DATA_DIR / "queue"),
        "data_folder_out": str(CELERY_DATA_DIR / "queue"),
        "processed_folder": str(CELERY_DATA_DIR / "processed"),
        "control_folder": str(CELERY_DATA_DIR / "control"),
        "store_processed": False,
    }

# The cache holds only short-lived derived numbers (the board's CN counts per state), never a record.
# Redis when REDIS_URL is set, shared by every web host; otherwise this process's memory (`make run` has one
# web process). Its keys are prefixed, so it can share the broker's Redis database.
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "vip.cache.RedisCache",  # one Redis client for every operation (vip/cache.py)
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "vip",
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "KEY_PREFIX": "vip"}}
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_IGNORE_RESULT = True
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_TIMEZONE = TIME_ZONE

# Due times of each CN step after the delivery enters its state; an administrator overrides any of them
# in the admin (notifications.StepDueTime) without a deploy. Past twice the due time it escalates.
VIP_STEP_DUE = {
    "identified": timedelta(days=2),  # determine eligibility
    "eligible": timedelta(days=2),  # start preparation within 2 days of eligibility
    "in_preparation.checks": timedelta(days=5),  # threat assessment and background check
    "in_preparation": timedelta(days=7),  # approval
    "ready": timedelta(days=7),  # the delivery within 7 days of approval
    "ecc_advised": timedelta(days=7),
    "delivered": timedelta(hours=24),  # after-action within 24 hours of the encounter
    "delivered_to_influencer": timedelta(hours=24),
    "refused": timedelta(hours=24),
    "not_located": timedelta(hours=24),
    "after_action": timedelta(days=2),  # the LE Lead's confirmation (close)
    "gvis": timedelta(days=7),  # the weekly shooting review
}

# The Program Manager's dashboard shows stored figures (reports/snapshots.py): a Celery task recomputes them
# every VIP_FIGURES_REFRESH_MINUTES; older than VIP_FIGURES_MAX_AGE (the worker is down, a period nobody asked
# for yet) the dashboard recomputes them itself.
VIP_FIGURES_REFRESH_MINUTES = 10
VIP_FIGURES_MAX_AGE = timedelta(minutes=15)

# CAD report numbers look like "CAD-2026-000123" or "260123-0456" (year-month-day + sequence).
VIP_CAD_NUMBER_PATTERN = os.environ.get("VIP_CAD_NUMBER_PATTERN", r"^(CAD-\d{4}-\d{4,8}|\d{6}-\d{4})$")

# CJIS AU-11: the audit trail is kept at least a year; `manage.py purge_audit` refuses anything shorter.
VIP_AUDIT_RETENTION_DAYS = int(os.environ.get("VIP_AUDIT_RETENTION_DAYS", "1095"))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}
