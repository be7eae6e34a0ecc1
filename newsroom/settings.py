"""The one settings module: every knob comes from the environment, with local defaults
that need nothing installed (SQLite file in the checkout, local-memory cache)."""

import os
from pathlib import Path
from urllib.parse import urlsplit

import botocore.config
import dj_database_url
from celery.schedules import crontab
from csp.constants import NONCE, NONE, SELF
from whitenoise.compress import Compressor

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, *, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, *, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def cache_config(url: str) -> dict:
    """Turn CACHE_URL / REDIS_URL into a CACHES entry: locmem://, dummy:// or redis(s)://."""
    scheme = urlsplit(url).scheme
    if scheme in {"redis", "rediss", "unix"}:
        return {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": url,
            "KEY_PREFIX": "newsroom",
        }
    if scheme == "dummy":
        return {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}
    if scheme == "locmem":
        return {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "newsroom"}
    raise ValueError(
        f"Unsupported cache URL scheme {scheme!r}: use locmem://, dummy:// or redis://"
    )


# Production must set its own key; `check --deploy` flags this placeholder.
SECRET_KEY = os.environ.get(
    "DJANGO_SECRET_KEY", "django-insecure-local-only-never-use-this-key-in-production"
)
DEBUG = env_bool("DJANGO_DEBUG", default=False)
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", default="127.0.0.1,localhost,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", default="")
SITE_NAME = os.environ.get("NEWSROOM_SITE_NAME", "Newsroom")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "corsheaders",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "rest_framework",
    "rest_framework_api_key",
    "taggit",
    "simple_history",
    "django_prose_editor",
    "axes",
    # Ours, by area (docs/design.md): content, the reader site, partners, and the cache layer.
    "articles",
    "public",
    "partners",
    "newsletters",
    "readership",
    "caching",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "newsroom.middleware.ContentSecurityPolicyMiddleware",
    "newsroom.middleware.ExplainRefusedMethodMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "corsheaders.middleware.CorsMiddleware",
    "partners.api.middleware.PrivateApiResponsesMiddleware",
    "django.middleware.gzip.GZipMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.http.ConditionalGetMiddleware",
    "caching.pages.PublicPageCacheMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
    "newsroom.middleware.DatabaseUnavailableMiddleware",
]

ROOT_URLCONF = "newsroom.urls"
WSGI_APPLICATION = "newsroom.wsgi.application"

CONTEXT_PROCESSORS = [
    "django.template.context_processors.request",
    "django.contrib.auth.context_processors.auth",
    "django.contrib.messages.context_processors.messages",
    "public.context_processors.site",
]
TEMPLATES = [
    # The reader site: templates/jinja2/ (see newsroom/jinja2.py).
    {
        "BACKEND": "django.template.backends.jinja2.Jinja2",
        "DIRS": [BASE_DIR / "templates" / "jinja2"],
        "APP_DIRS": False,
        "OPTIONS": {
            "environment": "newsroom.jinja2.environment",
            "context_processors": CONTEXT_PROCESSORS,
        },
    },
    # The admin, feeds, sitemaps, API docs and error pages without a request.
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": CONTEXT_PROCESSORS,
            "libraries": {"csp": "newsroom.csp_tags"},
        },
    },
]

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("DJANGO_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Whole public pages are cached (and invalidated on every content change) unless switched off;
# CACHE_URL=dummy:// switches off every cache at once, for measurements.
PAGE_CACHE = env_bool("NEWSROOM_PAGE_CACHE", default=True)
# For measurements: cache layers to switch off one by one (caching/: "local-pages",
# "pages", "remember", "api-bodies"), for the with/without figures in docs/performance.md.
CACHE_LAYERS_OFF = set(env_list("NEWSROOM_CACHE_LAYERS_OFF", default=""))
# How often each process asks the database whether content changed (caching/freshness.py):
# the longest a change committed by another process stays unseen.
FRESHNESS_CHECK_SECONDS = 1.0
# A cache in front (Varnish with xkey, docs/deploy.md) that a committed change tells what to drop:
# its purge address. With it, public pages may be kept there for minutes (s-maxage).
PURGE_URL = os.environ.get("NEWSROOM_PURGE_URL", "")
CACHES = {
    "default": cache_config(
        os.environ.get("CACHE_URL") or os.environ.get("REDIS_URL") or "locmem://"
    )
}

AUTHENTICATION_BACKENDS = [
    # django-axes first: it refuses locked-out users and IPs before a password is checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
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

LANGUAGE_CODE = "en-us"
TIME_ZONE = os.environ.get("DJANGO_TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("DJANGO_STATIC_ROOT", BASE_DIR / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "static"]
STATICFILES_FINDERS = [
    "django.contrib.staticfiles.finders.FileSystemFinder",
    "newsroom.staticfiles.ServedAppAssetsFinder",
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
# Only the hashed names are kept and compressed (templates only ever ask for those), and source
# maps, which only a developer's tools fetch, are not compressed.
WHITENOISE_KEEP_ONLY_HASHED_FILES = True
WHITENOISE_SKIP_COMPRESS_EXTENSIONS = [*Compressor.SKIP_COMPRESS_EXTENSIONS, "map"]
MEDIA_URL = "media/"
MEDIA_ROOT = Path(os.environ.get("DJANGO_MEDIA_ROOT", BASE_DIR / "media"))
# Uploaded media is served by Django itself unless a front server or object store takes it over.
SERVE_MEDIA = env_bool("DJANGO_SERVE_MEDIA", default=True)
# How long browsers and caches in front may keep a public media file: the most an unpublished
# article's image stays reachable from a cache that was not purged.
MEDIA_CACHE_SECONDS = int(os.environ.get("NEWSROOM_MEDIA_CACHE_SECONDS", "300"))

# Background work (articles.tasks, partners.tasks) on Celery. With a broker (Redis by default in production,
# RabbitMQ works by URL), tasks go to `celery -A newsroom worker` once the transaction commits.
# Without one (the embedded default) each task runs in the process that asks, at once, inside
# the caller's transaction: the same work the request did before there were workers.
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_IGNORE_RESULT = True
# A task is acknowledged once done, so a worker that dies mid-task leaves it for another.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TIMEZONE = "UTC"
# The newsletter's daily edition is sent at this time, UTC (HH:MM; with a broker and celery
# beat, which also builds it NEWSLETTER_REVIEW_MINUTES before; without one, run `manage.py
# send_newsletter daily` from cron at that time, and `send_newsletter daily --build-only` before).
NEWSLETTER_DAILY_AT = os.environ.get("NEWSROOM_NEWSLETTER_DAILY_AT", "18:00")
# Editors have this long between the daily edition's build and its sending to reorder it, add
# a note on top or skip it (in the admin: Newsletters → Editions).
NEWSLETTER_REVIEW_MINUTES = int(os.environ.get("NEWSROOM_NEWSLETTER_REVIEW_MINUTES", "60"))
# Newsletter mails handed to the mail server per minute, by all workers together (0: no limit;
# most providers set one).
NEWSLETTER_PER_MINUTE = int(os.environ.get("NEWSROOM_NEWSLETTER_PER_MINUTE", "0"))
# A newsletter send claimed this long ago and never marked sent was a worker that died: the
# next run sends it (longer than any batch of 100 takes).
NEWSLETTER_STALE_CLAIM_SECONDS = int(
    os.environ.get("NEWSROOM_NEWSLETTER_STALE_CLAIM_SECONDS", "600")
)
SEND_AT = int(NEWSLETTER_DAILY_AT.split(":")[0]) * 60 + int(NEWSLETTER_DAILY_AT.split(":")[1])
BUILD_AT = (SEND_AT - NEWSLETTER_REVIEW_MINUTES) % (24 * 60)
CELERY_BEAT_SCHEDULE = {
    "webhooks-sweep": {"task": "articles.tasks.webhooks_sweep", "schedule": 60.0},
    "fold-reads": {"task": "readership.tasks.fold_reads", "schedule": 60.0},
    "newsletter-build": {
        "task": "newsletters.tasks.build_daily_edition",
        "schedule": crontab(hour=BUILD_AT // 60, minute=BUILD_AT % 60),
    },
    "newsletter-daily": {
        "task": "newsletters.tasks.send_daily_edition",
        "schedule": crontab(hour=SEND_AT // 60, minute=SEND_AT % 60),
    },
}

# Partner webhooks (partners/webhooks/) only reach public addresses over https; tests with
# a receiver on 127.0.0.1 turn this on. Never in production: it opens the door to requests
# against the servers' own network.
WEBHOOK_ALLOW_PRIVATE_ADDRESSES = env_bool(
    "NEWSROOM_WEBHOOK_ALLOW_PRIVATE_ADDRESSES", default=False
)
# Without a broker, webhook deliveries are attempted by this many threads of the process that made
# the change, after its commit (0: in that process's own thread, after the commit; for tests).
WEBHOOK_DELIVERY_THREADS = int(os.environ.get("NEWSROOM_WEBHOOK_DELIVERY_THREADS", "2"))
# This site's public address, for the absolute URLs inside webhook deliveries.
SITE_URL = os.environ.get("NEWSROOM_SITE_URL", "http://127.0.0.1:8000").rstrip("/")

# Object storage (S3 or any S3-compatible store) for uploads and renditions, through
# django-storages, when a bucket is named; otherwise MEDIA_ROOT on this machine.
AWS_STORAGE_BUCKET_NAME = os.environ.get("AWS_STORAGE_BUCKET_NAME", "")
MEDIA_ORIGIN = ""  # where browsers fetch media from, when it is not this site (CSP img-src)
if AWS_STORAGE_BUCKET_NAME:
    AWS_S3_ENDPOINT_URL = os.environ.get("AWS_S3_ENDPOINT_URL") or None
    AWS_S3_CUSTOM_DOMAIN = os.environ.get("AWS_S3_CUSTOM_DOMAIN") or None
    # https, unless the endpoint itself is plain http (a local S3-compatible server).
    media_scheme = urlsplit(AWS_S3_ENDPOINT_URL).scheme if AWS_S3_ENDPOINT_URL else "https"
    STORAGES["default"] = {
        # Private objects behind the embargo gate: pages name /media/ addresses, which redirect
        # whoever may see a file to a short-lived signed address in the bucket (newsroom.storage).
        "BACKEND": "newsroom.storage.GatedS3Storage",
        "OPTIONS": {
            "bucket_name": AWS_STORAGE_BUCKET_NAME,
            "endpoint_url": AWS_S3_ENDPOINT_URL,
            "region_name": os.environ.get("AWS_S3_REGION_NAME") or None,
            "access_key": os.environ.get("AWS_ACCESS_KEY_ID") or None,
            "secret_key": os.environ.get("AWS_SECRET_ACCESS_KEY") or None,
            # A CDN in front of the bucket (its host name), else the bucket's own address. A
            # CloudFront key pair signs the CDN's addresses; without one they are not signed.
            "custom_domain": AWS_S3_CUSTOM_DOMAIN,
            "cloudfront_key_id": os.environ.get("AWS_CLOUDFRONT_KEY_ID") or None,
            "cloudfront_key": os.environ.get("AWS_CLOUDFRONT_KEY", "").encode() or None,
            "url_protocol": f"{media_scheme}:",
            # An upload never replaces another file of the same name (renditions are named by
            # their content's digest; uploads get a suffix).
            "file_overwrite": False,
            "addressing_style": os.environ.get("AWS_S3_ADDRESSING_STYLE") or None,
            # Files never change under their name: whoever fetched one may keep it.
            "object_parameters": {"CacheControl": "public, max-age=31536000, immutable"},
            # An unreachable store fails an upload in seconds, not after botocore's minutes.
            "client_config": botocore.config.Config(
                connect_timeout=5, read_timeout=30, retries={"max_attempts": 2}
            ),
        },
    }
    if AWS_S3_CUSTOM_DOMAIN:
        MEDIA_ORIGIN = f"{media_scheme}://{AWS_S3_CUSTOM_DOMAIN}"
    elif AWS_S3_ENDPOINT_URL:
        MEDIA_ORIGIN = AWS_S3_ENDPOINT_URL.rstrip("/")
    else:
        MEDIA_ORIGIN = f"https://{AWS_STORAGE_BUCKET_NAME}.s3.amazonaws.com"

# Plain HTTP works locally; DJANGO_HTTPS=1 is for a deployment behind TLS.
HTTPS = env_bool("DJANGO_HTTPS", default=False)
# Behind a trusted proxy (DJANGO_BEHIND_PROXY, on with DJANGO_HTTPS): its X-Forwarded-For and
# X-Forwarded-Proto count; otherwise anyone could pick their own address.
BEHIND_PROXY = env_bool("DJANGO_BEHIND_PROXY", default=HTTPS)
SECURE_SSL_REDIRECT = HTTPS
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_HSTS_SECONDS = int(os.environ.get("DJANGO_HSTS_SECONDS", 31536000 if HTTPS else 0))
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = env_bool("DJANGO_HSTS_PRELOAD", default=False)
# Joining the browsers' HSTS preload list is hard to undo, so it is the operator's explicit
# choice (DJANGO_HSTS_PRELOAD=1), not something `check --deploy` should nag every deploy about.
SILENCED_SYSTEM_CHECKS = ["security.W021"]
if BEHIND_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
# A stale token on an autosave or a sign-in from the dialog gets JSON (newsroom.sessions).
CSRF_FAILURE_VIEW = "newsroom.sessions.csrf_failure"
X_FRAME_OPTIONS = "DENY"

# The public site runs no inline script and no inline style. The admin's rich-text editor
# loads its modules through an inline import map, which carries the request's nonce.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF],
        "img-src": [SELF, "data:", *([MEDIA_ORIGIN] if MEDIA_ORIGIN else [])],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}
PERMISSIONS_POLICY = {
    feature: []
    for feature in (
        "accelerometer",
        "autoplay",
        "camera",
        "display-capture",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "payment",
        "usb",
    )
}

# Brute force and credential stuffing: after AXES_FAILURE_LIMIT failed logins for one username
# (from anywhere), or from one address (whatever the usernames), further logins for it are
# refused for an hour; a superuser can lift a lock sooner in the admin (Axes → Access attempts:
# delete the row) or with `manage.py axes_reset_username NAME` / `axes_reset_ip ADDRESS`.
AXES_FAILURE_LIMIT = int(os.environ.get("NEWSROOM_LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = float(os.environ.get("NEWSROOM_LOGIN_COOLOFF_HOURS", "1"))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_LOCKOUT_CALLABLE = "newsroom.views.login_locked_out"
AXES_RESET_ON_SUCCESS = True
# Only a trusted proxy's X-Forwarded-For counts; otherwise anyone could pick their own address.
if BEHIND_PROXY:
    AXES_IPWARE_PROXY_COUNT = 1
    AXES_IPWARE_META_PRECEDENCE_ORDER = ["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"]
else:
    AXES_IPWARE_META_PRECEDENCE_ORDER = ["REMOTE_ADDR"]

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["partners.api.authentication.ApiKeyAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["partners.api.authentication.HasPartnerKey"],
    "DEFAULT_THROTTLE_CLASSES": ["partners.api.authentication.PartnerKeyThrottle"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_FILTER_BACKENDS": ["partners.api.filters.StrictFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "partners.api.exceptions.exception_handler",
    "UNAUTHENTICATED_USER": None,
}

# Partners' browser apps may read the API from any origin; the key, not a cookie, authorizes.
CORS_URLS_REGEX = r"^/api/v1/.*$"
CORS_ALLOW_ALL_ORIGINS = True
CORS_ALLOW_METHODS = ["GET", "HEAD", "OPTIONS"]
CORS_ALLOW_HEADERS = ["authorization", "if-none-match", "if-modified-since"]
CORS_EXPOSE_HEADERS = ["ETag", "Last-Modified", "Retry-After", "RateLimit", "RateLimit-Policy"]
CORS_PREFLIGHT_MAX_AGE = 86400

SPECTACULAR_SETTINGS = {
    "TITLE": "Newsroom partner API",
    "DESCRIPTION": "Read-only access to live articles. Send `Authorization: Api-Key <key>`.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("DJANGO_LOG_LEVEL", "WARNING")},
}


# Password-reset mail for the admin's "Forgotten your password?" link; the console by default.
EMAIL_BACKEND = os.environ.get(
    "DJANGO_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend"
)
EMAIL_HOST = os.environ.get("DJANGO_EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("DJANGO_EMAIL_PORT", "25"))
DEFAULT_FROM_EMAIL = os.environ.get("DJANGO_DEFAULT_FROM_EMAIL", "newsroom@localhost")

# Editorial defaults.
ARTICLES_PER_PAGE = 24
# How often a reader's open live-coverage page asks for new entries (15-30 s is kind to servers).
LIVE_POLL_SECONDS = int(os.environ.get("NEWSROOM_LIVE_POLL_SECONDS", "20"))
PREVIEW_MAX_AGE = int(os.environ.get("NEWSROOM_PREVIEW_HOURS", "48")) * 3600
