"""Settings of the live tier's Saleor *processes* (its ASGI server under uvicorn and its Celery worker), on
the tier's test database (``test_app_live.py``).

Saleor's own test settings (the same RSA key as the test process, so tokens made there are Saleor's own;
loopback targets allowed: ``HTTP_IP_FILTER_ENABLED = False``), with what a deployment has instead: a real
broker (no eager tasks), one queue of the run's own, the public URL webhooks name as ``Saleor-Api-Url``,
Saleor's built-in plugins with ours, as during a move from plugin mode to App mode.
"""

from __future__ import annotations

import os

from saleor.tests.settings import *  # noqa: F403

from .live_hooks import connect_task_hook

CELERY_TASK_ALWAYS_EAGER = False
CELERY_BROKER_URL = os.environ["CELERY_BROKER_URL"]
CELERY_TASK_DEFAULT_QUEUE = os.environ["WD_LIVE_SALEOR_QUEUE"]
# the test settings route these to queues of their own: here everything goes to the run's queue
CHECKOUT_WEBHOOK_EVENTS_CELERY_QUEUE_NAME = None
ORDER_WEBHOOK_EVENTS_CELERY_QUEUE_NAME = None
# the test settings raise on writer use in tasks; a deployment logs it
CELERY_RESTRICT_WRITER_METHOD = "saleor.core.db.connection.log_writer_usage"
MIDDLEWARE = [
    "tests.saleor.live_hooks.fresh_site_middleware",
    *(m for m in MIDDLEWARE if not m.endswith("restrict_writer_middleware")),  # noqa: F405
]
connect_task_hook()

PUBLIC_URL = os.environ["PUBLIC_URL"]
# the plugin's notification URLs for WeChat Pay (https only) are built from WECHAT_DISTRIBUTION_PUBLIC_URL,
# read from the environment as a deployment would set it (test_app_live.py: a TLS proxy's address)
#: the plugin's WeChat Pay clients talk to the test process's fake WeChat Pay (the plugin's own merchant)
WECHAT_DISTRIBUTION_WECHATPAY_API_BASE_URL = os.environ.get("WECHAT_DISTRIBUTION_WECHATPAY_API_BASE_URL", "")
SEND_USAGE_TELEMETRY = False  # the server would post its usage statistics to Saleor's servers at startup
MEDIA_ROOT = os.environ["WD_LIVE_MEDIA_ROOT"]  # Saleor keeps the installed App's logo there
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
# as deployed: Saleor's built-in plugins (its WebhookPlugin delivers the Apps' webhooks) and ours
PLUGINS = BUILTIN_PLUGINS + EXTERNAL_PLUGINS  # noqa: F405
# one cache for the server and the worker, as deployed (a cache per process would not see the other's writes)
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": CELERY_BROKER_URL,
        "KEY_PREFIX": CELERY_TASK_DEFAULT_QUEUE,
    }
}
