"""App mode's Django app (``settings.INSTALLED_APPS``, after the core's): installs the host lookups that
read Saleor through its API instead of its models (the plugin's ``saleor_adapter/wiring.py``), once
Django's models can be imported, in the web server and the worker alike (``host_wiring.py``); and connects
what makes every migration and task land in its instance's schema (``schemas.py``, ``task_scope.py``)."""

from __future__ import annotations

from django.apps import AppConfig


class AppModeConfig(AppConfig):
    name = "saleor_wechat_distribution.app"
    label = "wechat_distribution_app"
    verbose_name = "WeChat distribution (App mode)"

    def ready(self) -> None:
        from celery.signals import before_task_publish
        from django.db.models.signals import post_migrate

        from .host_wiring import install
        from .schemas import after_migrate
        from .task_scope import stamp

        install()
        post_migrate.connect(after_migrate, dispatch_uid="wd-app-instance-schemas")
        before_task_publish.connect(stamp, dispatch_uid="wd-app-task-instance", weak=False)
