"""Settings of the sandbox project: SQLite file by default, PostgreSQL through DATABASE_URL."""

from __future__ import annotations

import os
from pathlib import Path

from django.utils.translation import gettext_lazy as _

from .. import task_names
from .dburl import database_from_url
from .secret_key import key_file, sandbox_secret_key

DATA_DIR = Path(os.environ.get("SANDBOX_DATA_DIR", Path.cwd()))
DEFAULT_DB_PATH = DATA_DIR / "wechat-distribution-sandbox.sqlite3"

DEBUG = os.environ.get("SANDBOX_DEBUG", "1") == "1"
ALLOWED_HOSTS = ["*"]
ROOT_URLCONF = "saleor_wechat_distribution.sandbox.urls"
WSGI_APPLICATION = None
USE_TZ = True
TIME_ZONE = "Asia/Shanghai"
LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("zh-hans", _("Simplified Chinese"))]
USE_I18N = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

INSTALLED_APPS = [
    "django.contrib.contenttypes",
    "saleor_wechat_distribution",
    "saleor_wechat_distribution.sandbox.vouchers",
]
MIDDLEWARE = [
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
]
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "APP_DIRS": True,
        "OPTIONS": {"context_processors": []},
    }
]

DATABASES = {"default": database_from_url(os.environ.get("DATABASE_URL") or f"sqlite:///{DEFAULT_DB_PATH}")}

# Random, made on first run beside the SQLite file (mode 0600), reused after: it signs the demo tokens
# (staff ones too) and seals bound accounts' secrets. SANDBOX_SECRET_KEY wins when set.
_SQLITE_FILE = (
    Path(DATABASES["default"]["NAME"]) if DATABASES["default"]["ENGINE"].endswith("sqlite3") else None
)
_KEY_DIR = _SQLITE_FILE.parent if _SQLITE_FILE is not None else DATA_DIR
SANDBOX_SECRET_KEY_FILE = None if os.environ.get("SANDBOX_SECRET_KEY") else str(key_file(_KEY_DIR))
SECRET_KEY = os.environ.get("SANDBOX_SECRET_KEY") or sandbox_secret_key(_KEY_DIR, database=_SQLITE_FILE)

#: share posters are stored in the default storage (Saleor's: S3, GCS... ; the sandbox: local files)
MEDIA_ROOT = str(DATA_DIR / "wechat-distribution-media")
MEDIA_URL = "/media/"

CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
if os.environ.get("REDIS_URL"):
    CACHES["default"] = {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": os.environ["REDIS_URL"],
    }

#: Program settings read by saleor_wechat_distribution.conf (Saleor reads its plugin configuration).
WECHAT_DISTRIBUTION = {"auto_approve": False}
#: How network imports match people to customer accounts (Saleor's adapter registers its own).
WECHAT_DISTRIBUTION_CUSTOMER_DIRECTORY = (
    "saleor_wechat_distribution.sandbox.customers.SandboxCustomerDirectory"
)

#: The distributor center's host: the demo catalog, and WeChat sign-in turned into demo tokens.
WECHAT_DISTRIBUTION_PRODUCT_CATALOG = "saleor_wechat_distribution.sandbox.catalog.SandboxProductCatalog"
WECHAT_DISTRIBUTION_CUSTOMER_SESSIONS = "saleor_wechat_distribution.sandbox.sessions.SandboxCustomerSessions"

#: The sandbox's own address (demo product pictures are absolute URLs): set by __main__ when serving.
SANDBOX_PUBLIC_URL = os.environ.get("SANDBOX_PUBLIC_URL", "")

#: How long demo access tokens printed by the sandbox stay valid.
SANDBOX_TOKEN_MAX_AGE = int(os.environ.get("SANDBOX_TOKEN_MAX_AGE", 8 * 3600))

#: one line per record: time, level, logger, message (README, "Logs"); tracebacks only for unexpected errors
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"line": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "line"}},
    "loggers": {"saleor_wechat_distribution": {"handlers": ["console"], "level": "INFO"}},
}

# Celery: eager in the sandbox unless a broker is given (then run a worker, see sandbox/celery.py).
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "memory://")
CELERY_TASK_ALWAYS_EAGER = not os.environ.get("CELERY_BROKER_URL")
CELERY_TASK_EAGER_PROPAGATES = True
#: seconds of the first retry of a payout after a temporary WeChat Pay error (doubling after that)
WECHAT_DISTRIBUTION_PAYOUT_RETRY_BACKOFF = int(os.environ.get("WECHAT_DISTRIBUTION_PAYOUT_RETRY_BACKOFF", 30))
#: seconds of the first retry of a coupon sync after a rate limit / temporary error (doubling after that)
WECHAT_DISTRIBUTION_COUPON_RETRY_BACKOFF = float(
    os.environ.get("WECHAT_DISTRIBUTION_COUPON_RETRY_BACKOFF", 30)
)
CELERY_BEAT_SCHEDULE = {
    "settle-commissions": {"task": task_names.COMMISSIONS_SETTLE_DUE, "schedule": 3600.0},
    "resume-withdrawals": {"task": task_names.WITHDRAWALS_RESUME, "schedule": 600.0},
    "reconcile-coupons": {"task": task_names.COUPONS_RECONCILE, "schedule": 900.0},
    # Open Platform authorizer access tokens (2 h) renewed when they expire within
    # WECHAT_DISTRIBUTION_TOKEN_REFRESH_AHEAD seconds (default 1200): run it more often than that
    "refresh-authorizer-tokens": {
        "task": task_names.WECHAT_AUTHORIZER_TOKENS_REFRESH,
        "schedule": 600.0,
    },
    # processed inbound events older than WECHAT_DISTRIBUTION_EVENT_RETENTION_DAYS (default 90) deleted
    "prune-inbound-events": {"task": task_names.INBOUND_EVENTS_PRUNE, "schedule": 3600.0},
}
