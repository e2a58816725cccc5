"""App mode's Celery app: ``celery -A saleor_wechat_distribution.app.celery worker`` (and ``beat``).

Every task is an ``InstanceTask`` (``task_scope.py``): it runs in the schema of the instance that queued it.
"""

from __future__ import annotations

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "saleor_wechat_distribution.app.settings")

app = Celery("wechat_distribution_app", task_cls="saleor_wechat_distribution.app.task_scope:InstanceTask")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks(["saleor_wechat_distribution", "saleor_wechat_distribution.app"])
