"""Django settings of App mode (``python -m saleor_wechat_distribution.app``), from the environment:

- ``DATABASE_URL``            PostgreSQL (required): ``postgres://user:pw@host:5432/name``
- ``SECRET_KEY``              required; seals the App tokens and WeChat secrets at rest: keep it, and
                              keep it secret (a new key cannot open what the old one sealed)
- ``WECHAT_DISTRIBUTION_SECRET_KEY``  optional: the key secrets are sealed with, when the plugin's Saleor
                              set one (``sealing.py``); else derived from ``SECRET_KEY``
- ``CELERY_BROKER_URL``       Redis or RabbitMQ (``redis://…``, ``amqp://…``); default Redis on localhost
- ``CELERY_QUEUE``            the queue name (default ``celery``)
- ``REDIS_URL``               the shared cache (WeChat access tokens, JWKS refresh throttle); recommended
- ``ALLOWED_HOSTS``           comma-separated host names the server answers for (default ``*``)
- ``WECHAT_DISTRIBUTION_TOKEN_RECHECK_S``  seconds Saleor's word on a user token is reused (default 30,
                              at most 60: a revoked token is refused within that time)
- ``WECHAT_DISTRIBUTION_CENTER_TOKEN_TTL``  seconds a WeChat sign-in's token lives (default 3600)
- ``WECHAT_DISTRIBUTION_IMPORT_CREATES_CUSTOMERS``  ``1``: network imports create missing customers in
                              Saleor (default: they only match existing ones)
- ``WECHAT_DISTRIBUTION_EVENT_RETENTION_DAYS``  days processed inbound events (webhooks, WeChat
                              callbacks) are kept before the hourly job deletes them (default 90, at
                              least 14; events still to apply are kept)
- ``WECHAT_DISTRIBUTION_ALLOWED_SALEOR_URLS``  comma-separated API URLs of the Saleor instances that may
                              install the App (required: one or more). One server serves them all, each
                              instance's rows in a PostgreSQL schema of its own (``schemas.py``), created
                              and migrated when it installs the App; taking a URL off the list stops
                              serving that instance at once (its schema stays)
- ``WECHAT_DISTRIBUTION_PAYOUTS``, ``WECHAT_DISTRIBUTION_COUPONS``  JSON: the WeChat Pay merchants of
                              withdrawals and of card-pack coupons, by channel slug (``wechat/gateways.py``,
                              ``wechat/coupon_gateways.py``): the server's, for every instance without its
                              own
- ``WECHAT_DISTRIBUTION_COMPONENT``  JSON: the Open Platform component (``wechat/mp.py``); likewise
- ``WECHAT_DISTRIBUTION_MINI_PROGRAMS``  JSON: the Mini Programs (小程序) by channel slug
                              (``miniprogram_settings.py``; secrets as ``app_secret_sealed``, sealed with
                              this server's key); likewise
- ``WECHAT_DISTRIBUTION_INSTANCES``  JSON: each instance's own merchants, component, Mini Programs and
                              program defaults, keyed by its API URL (``instance_settings.py``), so that two
                              brands with the same channel slug never share a merchant or a Mini Program
Every JSON setting is checked here: a mistake stops the server (and the worker) at start-up, saying where.
"""

from __future__ import annotations

import os
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from .. import task_names
from ..dburl import database_from_url
from . import instance_settings


def _required(name: str) -> str:
    value = os.environ.get(name, "")
    if not value:
        raise ImproperlyConfigured(f"App mode needs the {name} environment variable (README, App mode).")
    return value


def _list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def _json(name: str) -> Any:
    """A JSON setting from the environment (None when unset), checked as that setting."""
    return instance_settings.json_setting(name, os.environ.get(name))


DEBUG = os.environ.get("DEBUG", "0") == "1"
SECRET_KEY = _required("SECRET_KEY")
WECHAT_DISTRIBUTION_SECRET_KEY = os.environ.get("WECHAT_DISTRIBUTION_SECRET_KEY", "")
ALLOWED_HOSTS = _list("ALLOWED_HOSTS", "*")
ROOT_URLCONF = "saleor_wechat_distribution.app.urls"
USE_TZ = True
TIME_ZONE = "Asia/Shanghai"
LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("zh-hans", _("Simplified Chinese"))]
USE_I18N = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
USE_X_FORWARDED_HOST = os.environ.get("USE_X_FORWARDED_HOST", "0") == "1"

INSTALLED_APPS = [
    "django.contrib.contenttypes",
    "saleor_wechat_distribution",
    "saleor_wechat_distribution.app",  # App mode's host lookups over Saleor's API (app/apps.py)
]
MIDDLEWARE = ["django.middleware.locale.LocaleMiddleware", "django.middleware.common.CommonMiddleware"]
TEMPLATES = [{"BACKEND": "django.template.backends.django.DjangoTemplates", "APP_DIRS": True, "OPTIONS": {}}]

DATABASES = {"default": database_from_url(_required("DATABASE_URL"))}
if DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
    raise ImproperlyConfigured("App mode runs on PostgreSQL: DATABASE_URL=postgres://…")
#: PostgreSQL, with the connection's search_path following the instance in scope (``postgresql/base.py``)
DATABASES["default"]["ENGINE"] = "saleor_wechat_distribution.app.postgresql"

CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
if os.environ.get("REDIS_URL"):
    CACHES["default"] = {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": os.environ["REDIS_URL"],
    }
#: keys made in an instance's scope name it (``instance_scope.cache_key``)
CACHES["default"]["KEY_FUNCTION"] = "saleor_wechat_distribution.instance_scope.cache_key"

MEDIA_ROOT = os.environ.get("MEDIA_ROOT", os.path.join(os.getcwd(), "wechat-distribution-media"))
MEDIA_URL = os.environ.get("MEDIA_URL", "/media/")

WECHAT_DISTRIBUTION = {"auto_approve": False}
WECHAT_DISTRIBUTION_ALLOWED_SALEOR_URLS = _list("WECHAT_DISTRIBUTION_ALLOWED_SALEOR_URLS")
if not WECHAT_DISTRIBUTION_ALLOWED_SALEOR_URLS:  # any Saleor could install it (and get a schema) otherwise
    raise ImproperlyConfigured(
        "App mode needs WECHAT_DISTRIBUTION_ALLOWED_SALEOR_URLS: the API URLs of the Saleor instances it "
        "serves."
    )
#: the server's merchants, component and Mini Programs (JSON in the environment), for instances without
#: their own
WECHAT_DISTRIBUTION_PAYOUTS = _json("WECHAT_DISTRIBUTION_PAYOUTS")
WECHAT_DISTRIBUTION_COUPONS = _json("WECHAT_DISTRIBUTION_COUPONS")
WECHAT_DISTRIBUTION_COMPONENT = _json("WECHAT_DISTRIBUTION_COMPONENT")
WECHAT_DISTRIBUTION_MINI_PROGRAMS = _json("WECHAT_DISTRIBUTION_MINI_PROGRAMS")
#: each instance's own (``instance_settings.py``: ``{API URL: {setting name: value}}``), checked now
WECHAT_DISTRIBUTION_INSTANCES = instance_settings.parse(
    os.environ.get(instance_settings.ENV),
    WECHAT_DISTRIBUTION_ALLOWED_SALEOR_URLS,
    shared={
        "WECHAT_DISTRIBUTION_PAYOUTS": WECHAT_DISTRIBUTION_PAYOUTS,
        "WECHAT_DISTRIBUTION_COUPONS": WECHAT_DISTRIBUTION_COUPONS,
    },
)
#: sealed Mini Program secrets open with this server's key (``sealing.py``), one secret per AppID
instance_settings.mini_program_secrets_check(
    WECHAT_DISTRIBUTION_INSTANCES,
    {"WECHAT_DISTRIBUTION_MINI_PROGRAMS": WECHAT_DISTRIBUTION_MINI_PROGRAMS},
    key=WECHAT_DISTRIBUTION_SECRET_KEY or SECRET_KEY,
)
#: each instance's rows in a schema of its own (``schemas.py``); public keeps the registry
WECHAT_DISTRIBUTION_INSTANCE_SCHEMAS = True
DATABASE_ROUTERS = ["saleor_wechat_distribution.app.schemas.InstanceSchemaRouter"]

#: how long Saleor's answer about a user token is reused (app/auth.py; at most 60)
WECHAT_DISTRIBUTION_TOKEN_RECHECK_S = int(os.environ.get("WECHAT_DISTRIBUTION_TOKEN_RECHECK_S", "30"))
#: the lifetime of the App's center tokens after a WeChat sign-in (app/customer_sessions.py)
WECHAT_DISTRIBUTION_CENTER_TOKEN_TTL = int(os.environ.get("WECHAT_DISTRIBUTION_CENTER_TOKEN_TTL", "3600"))
#: days processed inbound events (webhooks, WeChat callbacks) are kept (services/inbound_event_retention.py)
WECHAT_DISTRIBUTION_EVENT_RETENTION_DAYS = os.environ.get("WECHAT_DISTRIBUTION_EVENT_RETENTION_DAYS", "")
#: network imports may create missing customers in Saleor (``customerCreate``; app/customers.py)
WECHAT_DISTRIBUTION_IMPORT_CREATES_CUSTOMERS = (
    os.environ.get("WECHAT_DISTRIBUTION_IMPORT_CREATES_CUSTOMERS") == "1"
)

CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "redis://127.0.0.1:6379/0")
CELERY_TASK_ACKS_LATE = True
#: the queue web processes send to and ``wechat-distribution-app worker`` consumes
CELERY_TASK_DEFAULT_QUEUE = os.environ.get("CELERY_QUEUE", "celery")
#: every periodic job runs once per installed instance, in its schema (``tasks.app_for_each_instance_task``)
_PERIODIC = {
    "settle-commissions": (task_names.COMMISSIONS_SETTLE_DUE, 3600.0),
    "resume-withdrawals": (task_names.WITHDRAWALS_RESUME, 600.0),
    "reconcile-coupons": (task_names.COUPONS_RECONCILE, 900.0),
    "resume-saleor-events": (task_names.APP_EVENTS_RESUME, 600.0),
    "poll-saleor-orders": (task_names.APP_ORDERS_POLL, 300.0),
    "refresh-authorizer-tokens": (task_names.WECHAT_AUTHORIZER_TOKENS_REFRESH, 600.0),
    "prune-inbound-events": (task_names.INBOUND_EVENTS_PRUNE, 3600.0),
}
CELERY_BEAT_SCHEDULE = {
    name: {"task": task_names.APP_FOR_EACH_INSTANCE, "args": (task,), "schedule": every}
    for name, (task, every) in _PERIODIC.items()
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"line": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "line"}},
    "loggers": {"saleor_wechat_distribution": {"handlers": ["console"], "level": "INFO"}},
}
