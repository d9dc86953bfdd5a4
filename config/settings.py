"""Settings read from environment variables, with defaults that work on a new machine.

They refuse to start until told where they run: ``DEBUG=1`` for development on one's own
machine (debug pages and a development key), or a real ``SECRET_KEY`` anywhere else.
Nothing ever runs with debug off and the development key, which is public in this file.
With ``DEBUG=1`` and nothing else the site runs on SQLite under ``var/`` with a broker
that needs no server. ``DATABASE_URL`` selects PostgreSQL (psycopg 3),
``CELERY_BROKER_URL`` selects Redis or RabbitMQ, ``CACHE_URL`` a shared Redis cache.
Production uses ``config.production``, which also refuses debug and requires
``ALLOWED_HOSTS``.
"""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
import django_stubs_ext
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from config.code_version import code_version
from config.environment import env_bool, env_list

# Lets admin and queryset classes be subscripted at run time, as the type stubs declare them.
django_stubs_ext.monkeypatch()

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("VAR_DIR", BASE_DIR / "var"))

# Debug is on only when asked for; the development key only with debug on.
DEVELOPMENT_SECRET_KEY = "development-only-key-never-used-in-production"
DEBUG = env_bool("DEBUG", False)
SECRET_KEY = os.environ.get("SECRET_KEY") or DEVELOPMENT_SECRET_KEY
if not DEBUG and SECRET_KEY == DEVELOPMENT_SECRET_KEY:
    raise ImproperlyConfigured(
        "Refusing to start: DEBUG is off and SECRET_KEY is unset or the development key, "
        "which is public. For development on your own machine set DEBUG=1. Anywhere else "
        "set SECRET_KEY to a long random value, for example the output of "
        "python -c 'import secrets; print(secrets.token_urlsafe(50))', "
        "and in production DJANGO_SETTINGS_MODULE=config.production."
    )
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "config.apps.SystemAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "guardian",
    "simple_history",
    "axes",
    "csp",
    # The rich-text editor's script and style sheet, served as static files.
    "django_prose_editor",
    "programme",
    "remiss",
    "reporting",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "config.middleware.SwedishByDefaultLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "config.middleware.SlidingSessionMiddleware",
    "config.middleware.FormKeepingLoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes asks: it turns a locked-out sign-in into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

# Django's simplest widgets (an input, a text area) are written in code, to the same text
# their templates write; every other widget and template renders as usual.
FORM_RENDERER = "config.form_renderer.FormRenderer"

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
                "programme.context_processors.user_roles",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "0")),
    )
}


def _prepare_threshold(value: str) -> int | None:
    """``DATABASE_PREPARE_THRESHOLD``: after how many runs psycopg prepares a query, or off."""
    if value.strip().lower() in {"off", "none", ""}:
        return None
    try:
        threshold = int(value)
    except ValueError:
        threshold = -1
    if threshold < 0:
        raise ImproperlyConfigured(
            f"DATABASE_PREPARE_THRESHOLD must be a whole number of runs or 'off', not {value!r}."
        )
    return threshold


if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Parameters sent apart from the SQL, so that psycopg prepares a query the connection
    # has run a few times and PostgreSQL plans it once, not on every request: most of the
    # server's CPU on a page was planning. "off" for a pooler that cannot keep prepared
    # statements (PgBouncer in transaction mode before 1.21).
    _options = DATABASES["default"].setdefault("OPTIONS", {})
    _options["prepare_threshold"] = _prepare_threshold(
        os.environ.get("DATABASE_PREPARE_THRESHOLD", "5")
    )
    if _options["prepare_threshold"] is not None:
        _options["server_side_binding"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = [
    # First, so that a locked-out user is refused before any password is checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    "guardian.backends.ObjectPermissionBackend",
    # The models of the admin (users, roles, memberships, sign-in attempts), for the
    # system administrator role only; never object permissions on bodies.
    "config.admin_site.SystemAdministratorBackend",
]
# Object permissions use direct foreign-key models; guardian's anonymous user is not needed.
ANONYMOUS_USER_NAME = None
GUARDIAN_RAISE_403 = False

# Sign-in security: a user name is locked for a while after repeated failures from one
# address; the sign-in page says so in Swedish. A system administrator can lift it in
# the admin (django-axes' access attempts).
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("AXES_COOLOFF_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_VERBOSE = False
# Behind a reverse proxy every request comes from the proxy's address; the proxies (how
# many append to X-Forwarded-For) tell the client's real address apart.
TRUSTED_PROXY_COUNT = int(os.environ.get("TRUSTED_PROXY_COUNT", "0"))
AXES_CLIENT_IP_CALLABLE = "config.middleware.client_ip_address"

# A session ends after 8 hours without activity: config.middleware.SlidingSessionMiddleware
# starts the 8 hours anew on activity (at most once every few minutes, so that reading
# a page does not cost a write). A form posted after the session ended is kept and
# given back after signing in again (config.middleware.FormKeepingLoginRequiredMiddleware).
SESSION_COOKIE_AGE = 8 * 60 * 60
SESSION_REFRESH_INTERVAL = 5 * 60
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
# A failed CSRF check answers with the site's own Swedish page (config/views.py).
CSRF_FAILURE_VIEW = "config.views.csrf_failure"

# Content-Security-Policy: only our own files, no inline script or style anywhere.
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
    }
}
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"

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
LOGIN_REDIRECT_URL = "start"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "sv"
LANGUAGES = [("sv", _("Swedish")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Stockholm"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Files that only a view may hand out (evidence of programme duties) live outside
# MEDIA_ROOT and have no URL of their own.
PRIVATE_MEDIA_ROOT = Path(os.environ.get("PRIVATE_MEDIA_ROOT", VAR_DIR / "private"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "private": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(PRIVATE_MEDIA_ROOT), "base_url": None},
    },
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Rendered reports: on local disk beside the evidence files by default (no URL of their
# own; a view hands them out). REPORT_STORAGE=s3 writes them to S3-compatible storage
# through django-storages, so that workers on other machines write where the web reads
# (AWS_STORAGE_BUCKET_NAME, AWS_S3_ENDPOINT_URL, AWS_ACCESS_KEY_ID,
# AWS_SECRET_ACCESS_KEY and AWS_S3_REGION_NAME as django-storages reads them).
REPORT_STORAGE = os.environ.get("REPORT_STORAGE", "local")
if REPORT_STORAGE == "s3":
    STORAGES["reports"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": os.environ.get("AWS_STORAGE_BUCKET_NAME", ""),
            "endpoint_url": os.environ.get("AWS_S3_ENDPOINT_URL") or None,
            "region_name": os.environ.get("AWS_S3_REGION_NAME") or None,
            "location": os.environ.get("REPORT_STORAGE_PREFIX", "reports"),
            "default_acl": None,
            "querystring_auth": True,
            "file_overwrite": True,
        },
    }
elif REPORT_STORAGE == "local":
    STORAGES["reports"] = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(PRIVATE_MEDIA_ROOT / "reports"), "base_url": None},
    }
else:
    raise ImproperlyConfigured(f"REPORT_STORAGE must be 'local' or 's3', not {REPORT_STORAGE!r}.")
MEDIA_ROOT = VAR_DIR / "media"
MEDIA_URL = "media/"
# Evidence files may be up to 20 MB; a larger upload is refused with a message.
EVIDENCE_MAX_BYTES = 20 * 1024 * 1024
# Documents imported into a response: the largest taken, and the largest read at once in
# the web request (larger ones are read by the worker while the page shows progress).
IMPORT_MAX_BYTES = 10 * 1024 * 1024
IMPORT_INLINE_BYTES = 256 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440

# Rendered fragments (a plan's rows, a follow-up's submitted rows) are cached under a key
# made of everything they show, so an entry is never stale and never reaches a viewer
# whose rows differ. Each process keeps its own in memory by default; CACHE_URL
# (redis://…) shares one Redis among every process and machine. The whole parts of a
# page (SLK's overview, the follow-up form, SLK's review: up to about 150 kB each) are
# kept apart in "pages", which holds fewer entries, so a process's memory stays bounded.
CACHE_URL = os.environ.get("CACHE_URL", "")
SHARED_CACHE = CACHE_URL.startswith(("redis://", "rediss://", "unix://"))
# Shared by every process and kept across a deployment: each release of the code keeps
# its own entries (config.code_version).
CACHE_KEY_PREFIX = code_version(BASE_DIR) if SHARED_CACHE else ""


def _cache(location: str, max_entries: int) -> dict[str, object]:
    if SHARED_CACHE:
        return {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": CACHE_URL,
            "KEY_PREFIX": CACHE_KEY_PREFIX,
        }
    return {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": location,
        "OPTIONS": {"MAX_ENTRIES": max_entries},
    }


CACHES: dict[str, dict[str, object]] = {
    "default": _cache("fragments", 5000),
    "pages": _cache("pages", 200),
}
if CACHE_URL and not CACHE_URL.startswith(("redis://", "rediss://", "unix://")):
    raise ImproperlyConfigured(f"CACHE_URL must be a redis:// address, not {CACHE_URL!r}.")

# The seed documents live beside the project in ../shared/seeds unless told otherwise.
SEEDS_DIR = Path(os.environ.get("SEEDS_DIR", BASE_DIR.parent / "shared" / "seeds"))

# Celery: a broker that needs no server by default (kombu's filesystem transport), which
# serves workers on this machine only; CELERY_BROKER_URL selects Redis (redis://…) or
# RabbitMQ (amqp://…) for workers on several machines.
BROKER_DIR = VAR_DIR / "broker"
# Beat's record of when each scheduled task last ran, and the logs scripts/start writes.
CELERY_DIR = VAR_DIR / "celery"
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "filesystem://")
CELERY_BROKER_TRANSPORT_OPTIONS = (
    {
        "data_folder_in": str(BROKER_DIR / "queue"),
        "data_folder_out": str(BROKER_DIR / "queue"),
        "processed_folder": str(BROKER_DIR / "processed"),
        "store_processed": False,
        # Broadcasts (remote control, shutdown) go here; kombu's default is the cwd.
        "control_folder": str(BROKER_DIR / "control"),
    }
    if CELERY_BROKER_URL.startswith("filesystem")
    else {}
)
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# No result store by default: tasks record what they did in the database (ReminderSent).
CELERY_RESULT_BACKEND = os.environ.get("CELERY_RESULT_BACKEND") or None
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
# A task is acknowledged when it has finished, so one lost with its worker runs again;
# every task is therefore safe to run twice. One message at a time per worker process.
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# A pool process that has grown past this many KiB (about 290 MiB) after a task is
# replaced by a fresh one: rendering reports leaves memory outside Python's reach.
CELERY_WORKER_MAX_MEMORY_PER_CHILD = int(
    os.environ.get("CELERY_WORKER_MAX_MEMORY_PER_CHILD", "300000")
)
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE_FILENAME = str(CELERY_DIR / "beat-schedule")
# Deadline reminders run once a day at REMINDER_HOUR (Stockholm time), or every
# REMINDER_SCHEDULE_SECONDS when that is set (for trying them out). A run is safe to
# repeat: each reminder goes out once (programme.reminders).
REMINDER_HOUR = int(os.environ.get("REMINDER_HOUR", "7"))
REMINDER_SCHEDULE_SECONDS = os.environ.get("REMINDER_SCHEDULE_SECONDS")
# A report's rendering is stopped after REPORT_TIME_LIMIT seconds (the soft limit a
# little earlier, so the run is marked failed with a reason); the sweep marks a run
# failed that has been running longer than that (its worker vanished) every
# REPORT_SWEEP_SECONDS, and removes temporary files left behind.
REPORT_TIME_LIMIT = int(os.environ.get("REPORT_TIME_LIMIT", "600"))
REPORT_SWEEP_SECONDS = float(os.environ.get("REPORT_SWEEP_SECONDS", "300"))
# Redis redelivers a task that was never acknowledged only after this many seconds; it
# must exceed the task's time limit, or a long rendering would be delivered twice.
if CELERY_BROKER_URL.startswith(("redis", "rediss")):
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "visibility_timeout": int(
            os.environ.get("CELERY_VISIBILITY_TIMEOUT", str(REPORT_TIME_LIMIT + 300))
        )
    }
CELERY_BEAT_SCHEDULE = {
    "report-sweep": {
        "task": "reporting.tasks.sweep_report_runs",
        "schedule": REPORT_SWEEP_SECONDS,
    },
    # The yearly report date SLK sets: checked every hour, started once.
    "scheduled-reports": {
        "task": "reporting.tasks.start_scheduled_reports",
        "schedule": crontab(minute=5),
    },
    "deadline-reminders": {
        "task": "programme.tasks.send_deadline_reminders",
        "schedule": (
            float(REMINDER_SCHEDULE_SECONDS)
            if REMINDER_SCHEDULE_SECONDS
            else crontab(hour=REMINDER_HOUR, minute=0)
        ),
    },
    # Referral deadlines, on the same schedule and windows as the follow-up deadlines.
    "referral-reminders": {
        "task": "remiss.tasks.send_referral_reminders",
        "schedule": (
            float(REMINDER_SCHEDULE_SECONDS)
            if REMINDER_SCHEDULE_SECONDS
            else crontab(hour=REMINDER_HOUR, minute=0)
        ),
    },
    # SLK reviewers' daily digests of the previous day's submitted follow-ups.
    "notification-digests": {
        "task": "programme.tasks.send_notification_digests",
        "schedule": crontab(hour=REMINDER_HOUR, minute=0),
    },
}

# E-mail: printed to the worker's output in development; set EMAIL_BACKEND (and the SMTP
# settings) in production, for example django.core.mail.backends.smtp.EmailBackend.
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_TIMEOUT = int(os.environ.get("EMAIL_TIMEOUT", "30"))
# For django.core.mail.backends.filebased.EmailBackend: one file per sending.
EMAIL_FILE_PATH = os.environ.get("EMAIL_FILE_PATH", str(VAR_DIR / "mail"))
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "noreply@localhost")
# Where the accessibility statement asks people to report what does not work for them.
ACCESSIBILITY_CONTACT_EMAIL = os.environ.get(
    "ACCESSIBILITY_CONTACT_EMAIL", "stadsledningskontoret@stockholm.se"
)
# The site's address as its users reach it, for links in e-mails (no trailing slash).
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"forbidden": {"()": "config.logging.ForbiddenWithoutTraceback"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["forbidden"]}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    # Django gives its own logger a console handler too; let it reach the root's only,
    # so that every line is written once.
    "loggers": {
        "django": {"handlers": [], "level": "INFO", "propagate": True},
        # django-axes logs every sign-in and sign-out at INFO; lockouts come at WARNING.
        "axes": {"handlers": [], "level": "WARNING", "propagate": True},
    },
}

# The run-time folders must exist before the first migrate, collectstatic or worker
# start; a new clone has none of them.
for _folder in (
    VAR_DIR,
    STATIC_ROOT,
    MEDIA_ROOT,
    PRIVATE_MEDIA_ROOT,
    BROKER_DIR / "queue",
    BROKER_DIR / "processed",
    BROKER_DIR / "control",
    CELERY_DIR,
):
    _folder.mkdir(parents=True, exist_ok=True)
