"""Settings for cellclinic, read from the environment (see README, "Configuration").

A fresh clone runs with no configuration at all: SQLite in ./var, e-mail printed to the
console, a random secret key kept in ./var. `CELLCLINIC_MODE=production` turns every
development default into a refusal to start.
"""

from __future__ import annotations

import sys
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import environ
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from cellclinic.lib.env import (
    env_bool,
    env_choice,
    env_int,
    env_list,
    env_str,
    local_secret_key,
)

BASE_DIR = Path(__file__).resolve().parent
DATA_DIR = Path(env_str("CELLCLINIC_DATA_DIR", "var")).resolve()
MODE = env_choice("CELLCLINIC_MODE", "development", {"development", "production"})
PRODUCTION = MODE == "production"
TESTING = "pytest" in sys.modules or env_bool("CELLCLINIC_TESTING", False)

_env = environ.Env()

# --- security -----------------------------------------------------------------------
DEBUG = env_bool("DEBUG", False)
SECRET_KEY = env_str("SECRET_KEY")
# Encrypts staff TOTP secrets and recovery seeds in the database (cellclinic/lib/crypto.py).
# Comma-separated: the first key encrypts, every key decrypts (for rotation).
FIELD_ENCRYPTION_KEYS = env_list("FIELD_ENCRYPTION_KEY", [])
ALLOWED_HOSTS = env_list(
    "ALLOWED_HOSTS", [] if PRODUCTION else ["localhost", "127.0.0.1", "[::1]", "testserver"]
)
if PRODUCTION:
    problems = []
    if not SECRET_KEY or SECRET_KEY.startswith("django-insecure") or len(SECRET_KEY) < 32:
        problems.append("SECRET_KEY must be set to a random value of at least 32 characters")
    if DEBUG:
        problems.append("DEBUG must be off")
    if not ALLOWED_HOSTS:
        problems.append("ALLOWED_HOSTS must name the hosts this site answers to")
    if not env_str("SITE_URL").startswith("https://"):
        problems.append("SITE_URL must be the site's https:// address (it is put in e-mails)")
    if not env_str("MEDICAL_DIRECTOR_EMAIL"):
        problems.append("MEDICAL_DIRECTOR_EMAIL must name who is told of serious adverse events")
    if not FIELD_ENCRYPTION_KEYS or any(len(key) < 32 for key in FIELD_ENCRYPTION_KEYS):
        problems.append(
            "FIELD_ENCRYPTION_KEY must be set to a random value of at least 32 characters "
            "(it encrypts the staff's TOTP secrets; keep it with the backups)"
        )
    if problems:
        raise ImproperlyConfigured(
            "cellclinic refuses to start in production mode: " + "; ".join(problems)
        )
else:
    SECRET_KEY = SECRET_KEY or local_secret_key(DATA_DIR)
    FIELD_ENCRYPTION_KEYS = FIELD_ENCRYPTION_KEYS or [
        local_secret_key(DATA_DIR, "field_encryption_key")
    ]

CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = PRODUCTION
CSRF_COOKIE_SECURE = PRODUCTION
LANGUAGE_COOKIE_SECURE = PRODUCTION
LANGUAGE_COOKIE_SAMESITE = "Lax"
# Production is HTTPS only (`check --deploy` finds nothing): plain HTTP is redirected, except
# /healthz, which a load balancer or monitor may ask over plain HTTP on the private side.
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", PRODUCTION)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000 if PRODUCTION else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", PRODUCTION)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", PRODUCTION)
if env_bool("BEHIND_TLS_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Content Security Policy (django-csp 4): nothing inline, nothing from elsewhere.
from csp.constants import NONE, SELF  # noqa: E402

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "base-uri": [SELF],
        "object-src": [NONE],
    }
}

# --- applications -------------------------------------------------------------------
INSTALLED_APPS = [
    "cellclinic",
    "cellclinic.programs",
    "cellclinic.inquiries",
    "cellclinic.contact",
    "cellclinic.screening",
    "cellclinic.care",
    "cellclinic.outcomes",
    "cellclinic.followup",
    "cellclinic.accounts",
    "cellclinic.api",
    "cellclinic.audit",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_countries",
    "django_tasks",
    "django_tasks_db",
    "ninja",
    "csp",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "simple_history",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Compressed pages for families on slow connections; Django pads compressed
    # responses at random against BREACH.
    "django.middleware.gzip.GZipMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "cellclinic.accounts.middleware.StaffSessionTimeoutMiddleware",
    "cellclinic.accounts.middleware.PrivateNoStoreMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Refuses a body over the limit from its Content-Length; runs before every view and
    # process_view, so nothing has read the body yet (cellclinic/middleware.py).
    "cellclinic.core.middleware.BodyLimitMiddleware",
]

ROOT_URLCONF = "cellclinic.urls"
WSGI_APPLICATION = "cellclinic.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "cellclinic.accounts.permissions.context",
                "cellclinic.core.clinic.context",
            ],
        },
    },
]

# --- data ---------------------------------------------------------------------------
DATABASE_URL = env_str("DATABASE_URL") or f"sqlite:///{DATA_DIR / 'cellclinic.sqlite3'}"
try:
    _db = _env.db_url_config(DATABASE_URL)
except Exception as exc:  # environ raises several types for a bad URL
    raise ImproperlyConfigured(f"DATABASE_URL is not a database URL: {exc}") from None
if _db.get("ENGINE") not in ("django.db.backends.sqlite3", "django.db.backends.postgresql"):
    raise ImproperlyConfigured(
        "DATABASE_URL must be a sqlite:/// or postgres:// URL, not " + DATABASE_URL.split(":")[0]
    )
if _db["ENGINE"] == "django.db.backends.sqlite3":
    if _db["NAME"] != ":memory:":
        Path(_db["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    # WAL lets readers work while one writer writes; IMMEDIATE takes the write lock at
    # BEGIN so two writers queue on the busy timeout instead of failing mid-transaction.
    _db["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"
        ),
    }
else:
    _db.setdefault("CONN_MAX_AGE", env_int("CONN_MAX_AGE", 60))
    # A server that accepts the connection and never answers stops the attempt after 10 s
    # instead of never (libpq waits forever); `?connect_timeout=N` in DATABASE_URL wins.
    _db.setdefault("OPTIONS", {}).setdefault("connect_timeout", 10)
    _db["CONN_HEALTH_CHECKS"] = True
DATABASES = {"default": _db}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

_cache_url = env_str("CACHE_URL") or env_str("REDIS_URL")
if _cache_url:
    CACHES = {"default": _env.cache_url_config(_cache_url)}
else:
    # Sign-in lockouts and other rate limits live in the cache, so every gunicorn worker
    # and app server must see the same one: a table in the database (created by the
    # migration cellclinic/migrations/0003_cache_table.py), not each process's memory.
    # Room for far more keys than Django's default 300, so that a flood of new keys cannot
    # push a lockout out of the cache.
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "cellclinic_cache",
            "OPTIONS": {"MAX_ENTRIES": 20000},
        }
    }

# Uploaded medical records: outside the static root, never given a URL.
UPLOAD_ROOT = Path(env_str("CELLCLINIC_UPLOAD_DIR", str(DATA_DIR / "uploads"))).resolve()
STORAGES = {
    "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(UPLOAD_ROOT), "base_url": None},
    },
    "staticfiles": {
        # Compressed but not hashed: pages render the same before and after
        # `collectstatic` (which `cellclinic serve` runs), in every command and test.
        "BACKEND": "whitenoise.storage.CompressedStaticFilesStorage",
    },
}
FILE_UPLOAD_PERMISSIONS = 0o600
FILE_UPLOAD_DIRECTORY_PERMISSIONS = 0o700
UPLOAD_MAX_BYTES = env_int("UPLOAD_MAX_BYTES", 10 * 1024 * 1024, minimum=1024)
UPLOAD_MAX_FILES = env_int("UPLOAD_MAX_FILES", 5, minimum=1)
DATA_UPLOAD_MAX_MEMORY_SIZE = 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 1024 * 1024

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
WHITENOISE_USE_FINDERS = TESTING or env_bool("WHITENOISE_USE_FINDERS", False)
CSRF_FAILURE_VIEW = "cellclinic.core.views.csrf_failure"

# --- tasks and e-mail ----------------------------------------------------------------
TASKS = {
    "default": {
        "BACKEND": (
            "django_tasks.backends.dummy.DummyBackend"
            if TESTING
            else "django_tasks_db.DatabaseBackend"
        ),
        # "urgent": serious adverse-event notices, served by a lane of their own.
        "QUEUES": ["default", "urgent"],
    }
}
EMAIL_URL = env_str("EMAIL_URL", "consolemail://")
try:
    vars().update(_env.email_url_config(EMAIL_URL))
except Exception as exc:
    raise ImproperlyConfigured(f"EMAIL_URL is not an e-mail URL: {exc}") from None
if EMAIL_URL.startswith("filemail://") or EMAIL_URL == "file":
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = str(DATA_DIR / "mail")
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "cellclinic <no-reply@localhost>")
# Seconds each network step of a send may wait (connect, greeting, every command): a
# server that accepts the connection and never answers costs one timeout, then a retry.
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 20, minimum=1)
EMAIL_RETRY_LIMIT = env_int("EMAIL_RETRY_LIMIT", 8, minimum=1)

# --- accounts -----------------------------------------------------------------------
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "/staff/"
ACCOUNT_LOGIN_METHODS = {"username"}
ACCOUNT_SIGNUP_FIELDS = ["username*", "password1*", "password2*"]
ACCOUNT_ADAPTER = "cellclinic.accounts.adapter.StaffOnlyAccountAdapter"
# A password reset asked for an unknown address sends nothing (the page says the same).
ACCOUNT_EMAIL_UNKNOWN_ACCOUNTS = False
# Signing out lands on the sign-in page, which says so ("You have signed out.").
ACCOUNT_LOGOUT_REDIRECT_URL = "account_login"
MFA_ADAPTER = "cellclinic.accounts.adapter.EncryptingMFAAdapter"
# Staff sessions end after this long without a request, and this long after sign-in
# (cellclinic/accounts/middleware.py); the session cookie expires with them.
STAFF_IDLE_MINUTES = env_int("STAFF_IDLE_MINUTES", 30, minimum=1)
STAFF_SESSION_MAX_HOURS = env_int("STAFF_SESSION_MAX_HOURS", 12, minimum=1)
SESSION_COOKIE_AGE = STAFF_SESSION_MAX_HOURS * 3600
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "cellclinic"
# Accept the code of the adjacent 30-second window too: a phone's clock a few seconds
# off, or a code typed as the window turns, still signs in. Used codes never work twice.
MFA_TOTP_TOLERANCE = 1
# Days an API token works after it is made (the longest; a shorter life may be asked for).
API_TOKEN_DAYS = env_int("API_TOKEN_DAYS", 90, minimum=1)
if TESTING:
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

# --- inquiries ----------------------------------------------------------------------
# Days a family's personal link keeps working after it was sent.
FAMILY_LINK_DAYS = env_int("FAMILY_LINK_DAYS", 30, minimum=1)
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
# At most this many submissions per client address within the window (seconds).
INQUIRY_RATE_LIMIT = env_int("INQUIRY_RATE_LIMIT", 5, minimum=1)
INQUIRY_RATE_WINDOW = env_int("INQUIRY_RATE_WINDOW", 3600, minimum=1)
# Header that holds the client address when a trusted proxy sits in front ("" = none).
CLIENT_IP_HEADER = env_str("CLIENT_IP_HEADER", "")
# The clinic as families see it: header, footer, error pages, e-mail signatures, printables.
# A development run (and `cellclinic demo`) shows a fictional demo clinic; production shows
# only what is configured.
_DEMO_CLINIC = {
    "CLINIC_NAME": "Harbourside Cell Therapy Clinic",
    "CLINIC_ADDRESS": "12 Example Quay, Port Fictional PF1 2AB (demo address)",
    # 020 7946 0xxx is set aside by the UK regulator for drama: it rings no one.
    "CLINIC_PHONE": "+44 20 7946 0123",
    "CLINIC_EMAIL": "contact@clinic.example",
    "CLINIC_LICENCE": "DEMO-0000 (demo, not a real licence)",
}


def _clinic(name: str, production_default: str = "") -> str:
    return env_str(name, production_default if PRODUCTION else _DEMO_CLINIC[name]).strip()


CLINIC_NAME = _clinic("CLINIC_NAME", "cellclinic")
CLINIC_ADDRESS = _clinic("CLINIC_ADDRESS")
CLINIC_PHONE = _clinic("CLINIC_PHONE")
CLINIC_EMAIL = _clinic("CLINIC_EMAIL")
CLINIC_LICENCE = _clinic("CLINIC_LICENCE")
CLINIC_LOGO_URL = env_str("CLINIC_LOGO_URL", "").strip()
CLINIC_TIME_ZONE = env_str("CLINIC_TIME_ZONE", "UTC")
try:
    ZoneInfo(CLINIC_TIME_ZONE)
except (ZoneInfoNotFoundError, ValueError):
    raise ImproperlyConfigured(
        "CLINIC_TIME_ZONE must be an IANA time zone such as Europe/Moscow, "
        f"not {CLINIC_TIME_ZONE!r}"
    ) from None

# --- care ---------------------------------------------------------------------------
# Who is told at once, by a retrying e-mail task, of every serious adverse event.
MEDICAL_DIRECTOR_EMAIL = env_str("MEDICAL_DIRECTOR_EMAIL", "medical-director@localhost")

# --- languages ----------------------------------------------------------------------
LANGUAGE_CODE = "en"
LANGUAGES = [
    ("en", _("English")),
    ("zh-hans", _("Simplified Chinese")),
    ("ru", _("Russian")),
    ("es", _("Spanish")),
    ("ar", _("Arabic")),
]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = "UTC"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}
