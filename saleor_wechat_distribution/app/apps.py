"""App mode's Django app (``settings.INSTALLED_APPS``, after the core's): installs the host lookups that
read Saleor through its API instead of its models (the plugin's ``saleor_adapter/wiring.py``)."""

from __future__ import annotations

from django.apps import AppConfig


class AppModeConfig(AppConfig):
    name = "saleor_wechat_distribution.app"
    label = "wechat_distribution_app"
    verbose_name = "WeChat distribution (App mode)"

    def ready(self) -> None:
        from .. import host
        from .vouchers import SaleorApiVoucherSource

        host.update(voucher_source=SaleorApiVoucherSource())
