"""The sandbox's Celery app. Eager by default (no broker needed); CELERY_BROKER_URL for a real worker:
``celery -A saleor_wechat_distribution.sandbox.celery worker``."""

from __future__ import annotations

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "saleor_wechat_distribution.sandbox.settings")

app = Celery("wechat_distribution_sandbox")
app.config_from_object("django.conf:settings", namespace="CELERY")
