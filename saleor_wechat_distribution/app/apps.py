"""App mode's Django app (``INSTALLED_APPS`` of ``app/settings.py``): no models; connects what makes every
migration, request and task land in its instance's schema."""

from __future__ import annotations

from django.apps import AppConfig


class WeChatDistributionAppConfig(AppConfig):
    name = "saleor_wechat_distribution.app"
    label = "wechat_distribution_app"

    def ready(self) -> None:
        from celery.signals import before_task_publish
        from django.db.models.signals import post_migrate

        from .schemas import after_migrate
        from .task_scope import stamp

        post_migrate.connect(after_migrate, dispatch_uid="wd-app-instance-schemas")
        before_task_publish.connect(stamp, dispatch_uid="wd-app-task-instance", weak=False)
