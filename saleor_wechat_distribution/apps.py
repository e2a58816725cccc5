from importlib import import_module

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WeChatDistributionConfig(AppConfig):
    """Saleor adds the entry point's *name* to INSTALLED_APPS, so the module path is the app name."""

    name = "saleor_wechat_distribution"
    label = "wechat_distribution"
    verbose_name = _("WeChat distribution")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.apps import apps

        from . import conf, tasks  # noqa: F401 - tasks: registers our Celery tasks in the host's app

        if apps.is_installed("saleor.plugins"):
            # Inside Saleor: the adapter registers settings, payouts, checkout lookup and the writer
            # guard. Imported by name: only saleor_adapter may import saleor (import-linter contract).
            import_module(f"{self.name}.saleor_adapter.wiring").install()
        from .wechat.gateways import payout_gateway_from_settings

        if not conf.has_payout_gateway_factory():  # a host (Saleor's adapter) may have registered its own
            conf.set_payout_gateway_factory(payout_gateway_from_settings)
