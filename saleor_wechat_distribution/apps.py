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
        from django.core.signals import request_finished, request_started
        from django.db.models.signals import post_delete, post_save

        from . import checks, deprecated_tasks, host, jobs, tasks  # noqa: F401 - tasks: registers our Celery tasks; checks: system checks
        from .graphql.core import error_log
        from .log_redaction import install_log_redaction
        from .models import CommissionRule
        from .services.commissions import rules_cache_clear
        from .wechat.card_events import register_card_event_handlers
        from .wechat.coupon_gateways import coupon_gateways_from_settings
        from .wechat.gateways import payout_gateway_from_settings
        from .wechat.web import WeChatGateway

        if apps.is_installed("saleor.plugins"):
            # Inside Saleor: the adapter registers settings, payouts, checkout lookup and the writer
            # guard. Imported by name: only saleor_adapter may import saleor (import-linter contract).
            import_module(f"{self.name}.saleor_adapter.wiring").install()
        register_card_event_handlers()
        install_log_redaction()  # WeChat's secrets travel in URLs, which urllib3 logs at DEBUG
        error_log.install()  # graphql-core's own tracebacks of our requests' errors: see error_log.py
        # our Celery messages leave after the response (jobs.py)
        request_started.connect(jobs.request_started, dispatch_uid="wd-jobs-request-started")
        request_finished.connect(jobs.request_finished, dispatch_uid="wd-jobs-request-finished")
        post_save.connect(rules_cache_clear, sender=CommissionRule, dispatch_uid="wd-rules-cache-save")
        post_delete.connect(rules_cache_clear, sender=CommissionRule, dispatch_uid="wd-rules-cache-delete")
        # defaults from Django settings, unless a host (Saleor's adapter) installed its own
        host.fill_defaults(
            payout_gateway=payout_gateway_from_settings,
            coupon_gateways=coupon_gateways_from_settings,
            official_account_gateway=WeChatGateway(),
        )
