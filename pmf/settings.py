"""Settings for the performance management product.

Every value comes from the environment (or a `.env` file beside manage.py) with a safe default
for local use. A malformed value stops start-up with a message naming the variable.
"""

import ipaddress
import os
import warnings
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)


def _env(reader, name: str, **kwargs):
    """Read one variable, turning a malformed value into an error that names it."""
    try:
        return reader(name, **kwargs)
    except (ValueError, TypeError, ImproperlyConfigured) as error:
        raise ImproperlyConfigured(f"Environment variable {name} is invalid: {error}") from error


DEBUG = _env(env.bool, "DEBUG", default=False)
SECRET_KEY = _env(env.str, "SECRET_KEY", default="insecure-local-development-key-change-me")
ALLOWED_HOSTS = _env(env.list, "ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = _env(env.list, "CSRF_TRUSTED_ORIGINS", default=[])
SITE_URL = _env(env.str, "SITE_URL", default="http://127.0.0.1:8000")

COUNCIL_NAME = _env(env.str, "COUNCIL_NAME", default="Wessex County Council")
PRODUCT_NAME = _env(env.str, "PRODUCT_NAME", default="Performance management")
PHASE = _env(env.str, "PHASE", default="Beta")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.forms",
    "django_filters",
    "django_tables2",
    "simple_history",
    "rules.apps.AutodiscoverRulesConfig",
    "axes",
    "csp",
    "pmf",
    "kpis",
    "scorecards",
    "committees",
    "django_tasks",
    "django_tasks_db",
    "reports",
    "demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "pmf.urls"
WSGI_APPLICATION = "pmf.wsgi.application"

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
                "pmf.context_processors.service",
            ],
        },
    },
]

DATABASES = {
    "default": _env(env.db_url, "DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"].setdefault("CONN_MAX_AGE", _env(env.int, "CONN_MAX_AGE", default=0))
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Wait for a writer rather than failing at once when two requests save together.
    DATABASES["default"].setdefault("OPTIONS", {})["timeout"] = 20

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "pmf.User"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "rules.permissions.ObjectPermissionBackend",
    "pmf.backends.PasswordBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Sign-in throttling (pmf.throttling): a username is locked out from one address after
# AXES_FAILURE_LIMIT failures, and an address for every username after AXES_ADDRESS_FAILURE_LIMIT,
# for AXES_COOLOFF_HOURS. The address is the client's, read from X-Forwarded-For only when the
# request comes from one of TRUSTED_PROXIES (addresses or networks, like 10.0.0.5 or 10.0.0.0/24).
TRUSTED_PROXIES = _env(env.list, "TRUSTED_PROXIES", default=[])
for _proxy in TRUSTED_PROXIES:
    try:
        ipaddress.ip_network(_proxy, strict=False)
    except ValueError as _error:
        raise ImproperlyConfigured(
            f"Environment variable TRUSTED_PROXIES is invalid: {_error}"
        ) from _error
AXES_FAILURE_LIMIT = _env(env.int, "AXES_FAILURE_LIMIT", default=5)
AXES_ADDRESS_FAILURE_LIMIT = _env(env.int, "AXES_ADDRESS_FAILURE_LIMIT", default=50)
AXES_COOLOFF_TIME = _env(env.float, "AXES_COOLOFF_HOURS", default=0.25)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], "ip_address"]
AXES_CLIENT_IP_CALLABLE = "pmf.throttling.client_address"
AXES_HANDLER = "pmf.throttling.SignInThrottle"
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_RESET_ON_SUCCESS = True
AXES_ENABLED = _env(env.bool, "AXES_ENABLED", default=True)

SESSION_COOKIE_AGE = _env(env.int, "SESSION_COOKIE_AGE", default=8 * 60 * 60)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = _env(env.bool, "SECURE_COOKIES", default=False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
CSRF_COOKIE_HTTPONLY = True
SECURE_SSL_REDIRECT = _env(env.bool, "SECURE_SSL_REDIRECT", default=False)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = _env(env.int, "SECURE_HSTS_SECONDS", default=0)
# Each widens HTTPS-only beyond this host, for years: every subdomain of it, or (once the domain's
# owner submits it to the browsers' preload list) the whole domain. So each is off unless set.
SECURE_HSTS_INCLUDE_SUBDOMAINS = _env(env.bool, "SECURE_HSTS_INCLUDE_SUBDOMAINS", default=False)
SECURE_HSTS_PRELOAD = _env(env.bool, "SECURE_HSTS_PRELOAD", default=False)
# `check --deploy` reminds about each while it is off; setting it to false is a decision, not an
# oversight, and silences the reminder.
SILENCED_SYSTEM_CHECKS = [
    check
    for name, check in (
        ("SECURE_HSTS_INCLUDE_SUBDOMAINS", "security.W005"),
        ("SECURE_HSTS_PRELOAD", "security.W021"),
    )
    if name in os.environ
]
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# Content Security Policy: nothing inline, nothing from elsewhere.
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
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True
USE_THOUSAND_SEPARATOR = False

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(_env(env.str, "MEDIA_ROOT", default=str(BASE_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": _env(
            env.str,
            "STATICFILES_BACKEND",
            default="django.contrib.staticfiles.storage.StaticFilesStorage",
        )
    },
}

# Uploaded spreadsheets: refuse anything larger than this before parsing it.
MAX_UPLOAD_BYTES = _env(env.int, "MAX_UPLOAD_BYTES", default=10 * 1024 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = MAX_UPLOAD_BYTES + 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440

EMAIL_BACKEND = _env(
    env.str, "EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend"
)
EMAIL_HOST = _env(env.str, "EMAIL_HOST", default="localhost")
EMAIL_PORT = _env(env.int, "EMAIL_PORT", default=25)
EMAIL_HOST_USER = _env(env.str, "EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = _env(env.str, "EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = _env(env.bool, "EMAIL_USE_TLS", default=False)
DEFAULT_FROM_EMAIL = _env(env.str, "DEFAULT_FROM_EMAIL", default="performance@example.gov.uk")

# Django's cache. Each process keeps the council's units in memory and asks this cache, at most
# once a second, whether they have changed (kpis.register.units). A cache every web process and
# worker shares (dbcache://pmf_cache after `manage.py createcachetable`, or Memcached) carries an
# edited unit to all of them within a second; the default, each process's own memory, within
# UNITS_CACHE_SECONDS, when each process reads the units again.
CACHES = {"default": _env(env.cache_url, "CACHE_URL", default="locmemcache://")}
UNITS_CACHE_SECONDS = _env(env.int, "UNITS_CACHE_SECONDS", default=60)

# Owners are reminded this many days before a period's submission deadline (send_reminders).
REMINDER_DAYS_BEFORE = _env(env.int, "REMINDER_DAYS_BEFORE", default=3)

DJANGO_TABLES2_TEMPLATE = "pmf/tables/govuk_table.html"
DJANGO_TABLES2_PAGE_RANGE = 7
REGISTER_PAGE_SIZE = _env(env.int, "REGISTER_PAGE_SIZE", default=50)
SCORECARD_PAGE_SIZE = _env(env.int, "SCORECARD_PAGE_SIZE", default=200)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": _env(env.str, "LOG_LEVEL", default="WARNING")},
}

# Background tasks (committee packs): the immediate backend runs a task inline (local use, tests);
# TASKS_BACKEND=django_tasks_db.DatabaseBackend queues it for `manage.py db_worker` processes.
TASKS = {
    "default": {
        "BACKEND": _env(
            env.str, "TASKS_BACKEND", default="django_tasks.backends.immediate.ImmediateBackend"
        ),
    },
}

# A pack generation still "running" after this many seconds has lost its worker (killed or
# restarted mid-way): it is shown as stopped, marked failed when a worker next starts a job or
# someone asks for a new one, and can be tried again. Nothing is published by a stopped one.
PACK_JOB_TIMEOUT = _env(env.int, "PACK_JOB_TIMEOUT", default=900)

FORM_RENDERER = "pmf.forms_govuk.GovukFormRenderer"

# Serve static files straight from static/ unless collectstatic has been run (production).
WHITENOISE_USE_FINDERS = _env(env.bool, "WHITENOISE_USE_FINDERS", default=True)
if WHITENOISE_USE_FINDERS:
    # Locally there is no collected STATIC_ROOT, which is expected, not worth a warning.
    warnings.filterwarnings("ignore", message="No directory at", module="whitenoise.base")
