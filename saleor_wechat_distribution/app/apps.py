"""App mode's Django app (``settings.INSTALLED_APPS``, after the core's): installs the host lookups that
read Saleor through its API instead of its models (the plugin's ``saleor_adapter/wiring.py``), once
Django's models can be imported, in the web server and the worker alike (``host_wiring.py``)."""

from __future__ import annotations

from django.apps import AppConfig


class AppModeConfig(AppConfig):
    name = "saleor_wechat_distribution.app"
    label = "wechat_distribution_app"
    verbose_name = "WeChat distribution (App mode)"

    def ready(self) -> None:
        from .host_wiring import install

        install()
