"""App mode's Django app (``settings.INSTALLED_APPS``): installs App mode's host lookups once Django's
models can be imported (``host_wiring.py``), in the web server and the worker alike."""

from __future__ import annotations

from django.apps import AppConfig


class AppModeConfig(AppConfig):
    name = "saleor_wechat_distribution.app"
    label = "wechat_distribution_app"
    verbose_name = "WeChat distribution (App mode)"

    def ready(self) -> None:
        from .host_wiring import install

        install()
