"""Django settings. Everything deploy-specific comes from the environment.

DATABASE_URL   postgres://user@host/db (default: SQLite file luoshi.sqlite3, WAL)
SECRET_KEY     required when DEBUG is off
DEBUG          "1" for development (default on unless LUOSHI_PRODUCTION=1)
"""
import os
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent.parent
PRODUCTION = os.environ.get("LUOSHI_PRODUCTION") == "1"
DEBUG = os.environ.get("DEBUG", "0" if PRODUCTION else "1") == "1"
DEV_SECRET_KEY = "dev-only-not-secret-luoshi"
SECRET_KEY = os.environ.get("SECRET_KEY") or ("" if PRODUCTION else DEV_SECRET_KEY)
ALLOWED_HOSTS = [h for h in os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",") if h]
if PRODUCTION:
    # secrets come from the environment only: refuse to start without a real key or with the development one
    from django.core.exceptions import ImproperlyConfigured

    if len(SECRET_KEY) < 50 or SECRET_KEY == DEV_SECRET_KEY or len(set(SECRET_KEY)) < 5:
        raise ImproperlyConfigured("LUOSHI_PRODUCTION=1 needs SECRET_KEY in the environment (50+ random characters, "
                                   "e.g. python -c 'import secrets; print(secrets.token_urlsafe(50))')")
    if "ALLOWED_HOSTS" not in os.environ:
        raise ImproperlyConfigured("LUOSHI_PRODUCTION=1 needs ALLOWED_HOSTS in the environment (the site's host names)")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "luoshi.jobs",  # before django_tasks_db: its db_worker command (stale-job recovery first) takes precedence
    "django_tasks",
    "django_tasks_db",
    "luoshi.org",
    "luoshi.ledger",
    "luoshi.projects",
    "luoshi.service",
    "luoshi.cockpit",
    "luoshi.evaluation",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "luoshi.locale_default.ChineseUnlessChosen",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "luoshi.urls"
WSGI_APPLICATION = "luoshi.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "luoshi" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "luoshi.org.context.person",
            ],
        },
    },
]

_default_db = "sqlite:///" + str(BASE_DIR / "luoshi.sqlite3")
DATABASES = {"default": dj_database_url.parse(os.environ.get("DATABASE_URL", _default_db), conn_max_age=600)}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # WAL lets readers run beside the one writer; IMMEDIATE avoids "database is locked" on upgrade
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
else:
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# background work (luoshi/jobs): queued in the database, run by `manage.py db_worker` (docs/operations.md)
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
# uploads up to these sizes are processed within the request (the user sees the result at once); bigger ones go to
# the worker and the user watches their progress. 16 KB of .xlsx ≈ 500 ledger rows ≈ 2 s of importing.
LUOSHI_INLINE_IMPORT_BYTES = 16 * 1024
LUOSHI_INLINE_DOCUMENT_BYTES = 2 * 1024 * 1024
# a job left "running" by a worker on another host is declared interrupted after this long (same host: at once,
# when a worker starts and finds the process gone)
LUOSHI_JOB_TIMEOUT_SECONDS = int(os.environ.get("LUOSHI_JOB_TIMEOUT_SECONDS", 2 * 3600))

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "luoshi" / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "luoshi" / "static"]
MEDIA_URL = "media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))

# uploads: a speech is small; attachments are photos and scans
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_NUMBER_FILES = 20  # files in one request (each capped below; nginx caps the whole body)
LUOSHI_DOCUMENT_MAX_BYTES = 20 * 1024 * 1024
LUOSHI_ATTACHMENT_MAX_BYTES = 10 * 1024 * 1024
LUOSHI_ATTACHMENT_TYPES = [".jpg", ".jpeg", ".png", ".pdf", ".docx", ".xlsx", ".txt"]

# a fixed "today" for the demo county, whose responsibility list is for 2021 (empty: the real date)
LUOSHI_TODAY = os.environ.get("LUOSHI_TODAY", "")

# Open311 GeoReport v2: the jurisdiction_id this endpoint answers for (empty: any is accepted)
LUOSHI_OPEN311_JURISDICTION = os.environ.get("LUOSHI_OPEN311_JURISDICTION", "")

# the public request form's per-IP limits need a cache shared by every app process in production
CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": os.environ["REDIS_URL"]}
          if os.environ.get("REDIS_URL") else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "luoshi@localhost")
EMAIL_FILE_PATH = os.environ.get("EMAIL_FILE_PATH")  # the folder of EMAIL_BACKEND=…filebased.EmailBackend

# database sessions that treat a cookie which cannot be a session key (a NUL in it: a 500 on PostgreSQL) as none
SESSION_ENGINE = "luoshi.org.sessions"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = int(os.environ.get("SESSION_COOKIE_AGE", 12 * 3600))  # a working day, then sign in again
CSRF_COOKIE_HTTPONLY = False
CSRF_COOKIE_SAMESITE = "Lax"
# https://luoshi.example.cn when nginx terminates TLS on another origin than the app sees
CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",") if o]
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# failed sign-ins per username+IP and per IP before a lockout (luoshi/org/auth.py): (failures, seconds)
LUOSHI_LOGIN_LIMITS = {"user_ip": (5, 900), "ip": (50, 900)}
# the reverse proxies (nginx) in front of gunicorn: their X-Forwarded-For names the client for per-IP limits
LUOSHI_TRUSTED_PROXIES = [a for a in os.environ.get("LUOSHI_TRUSTED_PROXIES", "").split(",") if a]
if PRODUCTION:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = os.environ.get("SECURE_SSL_REDIRECT", "1") == "1"
    SECURE_HSTS_SECONDS = 31536000
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}
