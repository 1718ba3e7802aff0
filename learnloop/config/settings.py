"""learnloop settings, read from the environment.

One module for every environment: `LEARNLOOP_ENV` switches the few things that must differ
(debug, HTTPS hardening, where the secret key and static files come from), everything else is configured
by variables documented in docs/configuration.md.
"""

from datetime import timedelta
from pathlib import Path

import dj_database_url

from learnloop.config.env import (
    ImproperlyConfiguredEnv,
    env_bool,
    env_choice,
    env_int,
    env_list,
    env_str,
    kept_secret,
)

BASE_DIR = Path(__file__).resolve().parent.parent
PROJECT_DIR = BASE_DIR.parent
VAR_DIR = Path(env_str("LEARNLOOP_VAR_DIR", str(PROJECT_DIR / "var")))

LEARNLOOP_ENV = env_choice("LEARNLOOP_ENV", ("development", "demo", "production", "test"), "development")
PRODUCTION = LEARNLOOP_ENV == "production"
# `make demo`: runs as production does (no debug pages, collected static files, a secret key of its own),
# but over plain HTTP on this machine, so without the HTTPS hardening.
DEMO = LEARNLOOP_ENV == "demo"

DEBUG = env_bool("DEBUG", default=LEARNLOOP_ENV == "development")

_DEV_SECRET = "dev-only-insecure-key-do-not-use-in-production-0123456789abcdefghij"
if PRODUCTION:
    SECRET_KEY = env_str("SECRET_KEY")
elif DEMO:
    # Made on the first start and kept, so sign-ins and signed links survive a restart.
    SECRET_KEY = env_str("SECRET_KEY") or kept_secret(VAR_DIR / "secret_key")
else:
    SECRET_KEY = env_str("SECRET_KEY", _DEV_SECRET)
if PRODUCTION and len(SECRET_KEY) < 50:
    raise ImproperlyConfiguredEnv("SECRET_KEY must be set to at least 50 random characters in production")

_LOCAL_HOSTS = ["127.0.0.1", "localhost", "[::1]"]
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", [] if PRODUCTION else _LOCAL_HOSTS if DEMO else [*_LOCAL_HOSTS, "testserver"])
if PRODUCTION and not ALLOWED_HOSTS:
    raise ImproperlyConfiguredEnv("ALLOWED_HOSTS must name the host names learnloop is served under")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.postgres",
    "django_tasks",
    "django_tasks_db",
    "axes",
    "csp",
    "ninja",
    "learnloop.core",
    "learnloop.people",
    "learnloop.accounts",
    "learnloop.lrs",
    "learnloop.skills",
    "learnloop.learning",
    "learnloop.notifications",
    "learnloop.pathways",
    "learnloop.plans",
    "learnloop.learningtime",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "learnloop.core.middleware.PageMethodsMiddleware",
    "learnloop.core.middleware.NoStoreMiddleware",
    "learnloop.core.input.InputGuardMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "learnloop.accounts.sessions.SessionTimeoutMiddleware",
    # The reader's locale (Accept-Language, among LANGUAGES) picks how dates read: core/templatetags/dates.py.
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "learnloop.core.middleware.StaticCSPMiddleware",
    "learnloop.core.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",
    "learnloop.core.response_cache.ResponseCacheMiddleware",
    # After the cache: its view hook runs only when the page is really built.
    "learnloop.core.middleware.PersonTimezoneMiddleware",
]

ROOT_URLCONF = "learnloop.config.urls"
WSGI_APPLICATION = "learnloop.config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "learnloop.core.context_processors.navigation",
            ],
            "builtins": [
                "learnloop.core.templatetags.durations",
                "learnloop.core.templatetags.dates",
                "django.templatetags.tz",
            ],
        },
    },
]

# --- Database: SQLite by default, PostgreSQL through DATABASE_URL -------------------------------
DATABASE_URL = env_str("DATABASE_URL")
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=env_int("DB_CONN_MAX_AGE", 60))}
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
        # Django's backend, with a health check that asks the socket instead of sending SELECT 1 on every
        # request (core/postgresql/base.py).
        DATABASES["default"]["ENGINE"] = "learnloop.core.postgresql"
else:
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": env_str("SQLITE_PATH", str(VAR_DIR / "learnloop.sqlite3")),
            "OPTIONS": {
                # WAL lets readers proceed while one writer writes; IMMEDIATE transactions take the
                # write lock up front so two writers queue on the busy timeout instead of failing
                # with "database is locked" when one upgrades a read lock.
                "init_command": (
                    "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON; "
                    "PRAGMA cache_size=-64000; PRAGMA mmap_size=268435456;"
                ),
                "transaction_mode": "IMMEDIATE",
                "timeout": env_int("SQLITE_BUSY_TIMEOUT_SECONDS", 20, minimum=1),
            },
            "TEST": {"NAME": env_str("SQLITE_TEST_PATH") or None},
            # Keep each thread's connection open between requests, so the page cache stays warm.
            "CONN_MAX_AGE": env_int("DB_CONN_MAX_AGE", 60, minimum=0),
            "CONN_HEALTH_CHECKS": True,
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache: local memory unless REDIS_URL is given (needed with several app processes) ------------
REDIS_URL = env_str("REDIS_URL")
CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
        if REDIS_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}

# Hot read-only API answers are cached this long at most (0 turns the cache off); writes retire them
# at once through data versions (see core/response_cache.py).
RESPONSE_CACHE_SECONDS = env_int("RESPONSE_CACHE_SECONDS", 300, minimum=0)

# How long an xAPI `more` link works (it works only for the client it was issued to).
LRS_MORE_LINK_SECONDS = env_int("LRS_MORE_LINK_SECONDS", 60 * 60 * 24, minimum=60)

# --- Authentication -------------------------------------------------------------------------------
AUTH_USER_MODEL = "people.Person"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
if LEARNLOOP_ENV == "test":
    # Tests create many accounts; a slow hash there proves nothing and costs minutes.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "accounts:login"

# Lockout after repeated failed logins (django-axes): per user name and address pair, so one
# attacker cannot lock everyone out from one address and one victim is not locked out everywhere.
AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("LOGIN_LOCKOUT_MINUTES", 15, minimum=1))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "learnloop.accounts.lockout.lockout_response"
AXES_ENABLE_ACCESS_FAILURE_LOG = True
AXES_VERBOSE = False
# How many reverse proxies in front of learnloop append to X-Forwarded-For (0: none, trust REMOTE_ADDR).
# Lockout then counts the client's own address, not the proxy's (accounts/lockout.py: client_ip).
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0, minimum=0)
AXES_CLIENT_IP_CALLABLE = "learnloop.accounts.lockout.client_ip"

# --- Sessions, cookies, HTTPS -------------------------------------------------------------------
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
# A sign-in ends after SESSION_IDLE_MINUTES without a request, and SESSION_MAX_HOURS after it began
# whatever its use (accounts/sessions.py); the cookie lives no longer than that.
SESSION_IDLE_TIMEOUT = timedelta(minutes=env_int("SESSION_IDLE_MINUTES", 30, minimum=1))
SESSION_MAX_LIFETIME = timedelta(hours=env_int("SESSION_MAX_HOURS", 12, minimum=1))
SESSION_COOKIE_AGE = int(SESSION_MAX_LIFETIME.total_seconds())
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = False  # htmx reads the token from the page, not the cookie
CSRF_FAILURE_VIEW = "learnloop.core.views.csrf_failure"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
if PRODUCTION:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 60 * 60 * 24 * 365, minimum=0)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
    if env_bool("BEHIND_TLS_PROXY", False):
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]

# Content Security Policy: everything is served from our own origin, no inline script.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
}

# --- Email: console by default, SMTP when EMAIL_HOST is set --------------------------------------
EMAIL_HOST = env_str("EMAIL_HOST")
if EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_PORT = env_int("EMAIL_PORT", 587, minimum=1)
    EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
    EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
    EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
    EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
    EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 20, minimum=1)
else:
    EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "learnloop <learnloop@localhost>")

# --- Background tasks ------------------------------------------------------------------------------
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default", "email", "imports"]}}
TASK_MAX_ATTEMPTS = env_int("TASK_MAX_ATTEMPTS", 5, minimum=1)

# --- Static files, i18n, time zones --------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(VAR_DIR / "static")))
# Uploaded files (catalog items delivered as a file). Never served from a public URL: the item's download
# view checks who may see the item first.
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(VAR_DIR / "media")))
# Production and the demo serve the files `learnloop collectstatic` gathered, under names that change with
# their content (so browsers may keep them for a year); development and tests read them from the apps.
COLLECTED_STATIC = PRODUCTION or DEMO
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if COLLECTED_STATIC
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = not COLLECTED_STATIC
if not COLLECTED_STATIC:
    STATIC_ROOT.mkdir(parents=True, exist_ok=True)
LANGUAGE_CODE = "en"
# The English variants whose date conventions pages follow, chosen by the browser's language.
LANGUAGES = [
    ("en", "English (United States)"),
    ("en-gb", "English (United Kingdom)"),
    ("en-au", "English (Australia)"),
    ("en-ca", "English (Canada)"),
    ("en-ie", "English (Ireland)"),
]
FORMAT_MODULE_PATH = ["learnloop.config.formats"]
TIME_ZONE = env_str("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {"axes": {"level": "WARNING"}, "django_tasks": {"level": "WARNING"}},
}

# --- API ------------------------------------------------------------------------------------------
API_PAGE_SIZE = env_int("API_PAGE_SIZE", 50, minimum=1)
API_MAX_PAGE_SIZE = env_int("API_MAX_PAGE_SIZE", 500, minimum=1)
NINJA_PAGINATION_MAX_LIMIT = API_MAX_PAGE_SIZE
NINJA_PAGINATION_PER_PAGE = API_PAGE_SIZE
NINJA_PAGINATION_CLASS = "learnloop.core.api.LimitOffsetPagination"

# --- xAPI (LRS) -----------------------------------------------------------------------------------
# Origins whose browser content may call /xapi/ (comma-separated, "*" for any); none by default. Cookies
# are never allowed cross-origin unless XAPI_CORS_CREDENTIALS is on, and then only for named origins.
XAPI_CORS_ORIGINS = env_list("XAPI_CORS_ORIGINS")
XAPI_CORS_CREDENTIALS = env_bool("XAPI_CORS_CREDENTIALS", False)

# --- Learning time -------------------------------------------------------------------------------
# The weekly learning-time budget of anyone without their own or a team default (docs/learning-time.md).
LEARNING_TIME_DEFAULT_WEEKLY_MINUTES = env_int("LEARNING_TIME_DEFAULT_WEEKLY_MINUTES", 120, minimum=0)
