"""The Saleor plugin class: glue only (docs/architecture.md §1–2). Saleor finds it through the
``saleor.plugins`` entry point, adds the entry point's name (this package) to INSTALLED_APPS and this
class to PLUGINS.

Hooks run inside the customer's request (``checkoutComplete`` calls order_created, order_paid,
order_fully_paid, … synchronously): each one only queues a Celery task with the Saleor id, on commit,
never raises into Saleor (an exception would make the customer's mutation answer null and skip Saleor's
later hooks) and returns ``previous_value`` unchanged. Saleor calls hooks with keyword arguments
(``previous_value=``, ``webhooks=``), which every hook accepts.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpResponse, JsonResponse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from saleor.core.db.connection import allow_writer
from saleor.order import OrderChargeStatus
from saleor.plugins.base_plugin import BasePlugin, ConfigurationTypeField
from saleor.plugins.error_codes import PluginErrorCode

from .. import host_events, jobs, task_names
from ..domain.errors import DistributionError
from ..domain.referrals import REF_METADATA_KEY
from . import config, routes
from .program_form import form_changes, program_form_values
from .program_sync import sync_program
from .sealed_config import seal_items
from .vouchers import voucher_event

logger = logging.getLogger(__name__)
_CHARGED = frozenset((OrderChargeStatus.FULL, OrderChargeStatus.OVERCHARGED))

for _name in ("STRING", "MULTILINE", "BOOLEAN", "SECRET", "SECRET_MULTILINE"):
    assert getattr(config, _name) == getattr(ConfigurationTypeField, _name), _name


def _contained(hook: Callable[..., None]) -> Callable[..., Any]:
    """Run ``hook`` for its effect; log and swallow any error; always hand ``previous_value`` on."""

    @functools.wraps(hook)
    def wrapper(self: WeChatDistributionPlugin, *args: Any, previous_value: Any = None, **kwargs: Any) -> Any:
        if self.active:
            try:
                hook(self, *args)
            except Exception:
                logger.exception("WeChat distribution: the %s hook failed", hook.__name__)
        return previous_value

    return wrapper


class WeChatDistributionPlugin(BasePlugin):
    PLUGIN_ID = config.PLUGIN_ID
    PLUGIN_NAME = "WeChat distribution"
    PLUGIN_DESCRIPTION = _(
        "WeChat social distribution (微信分销): distributor networks, referral attribution, commissions, "
        "storefronts on Official Accounts and card-pack coupons."
    )
    CONFIGURATION_PER_CHANNEL = True
    DEFAULT_ACTIVE = False
    DEFAULT_CONFIGURATION = config.DEFAULT_CONFIGURATION
    CONFIG_STRUCTURE = config.CONFIG_STRUCTURE

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._queued: set[tuple[str, str]] = set()

    # --- configuration ---------------------------------------------------------------------------------

    @classmethod
    def validate_plugin_configuration(cls, plugin_configuration: Any, **kwargs: Any) -> None:
        channel = getattr(plugin_configuration, "channel", None)
        try:
            config.parse_configuration(
                plugin_configuration.configuration, getattr(channel, "currency_code", None)
            )
        except config.ConfigurationError as error:
            raise ValidationError(
                {
                    name: ValidationError(str(message), code=PluginErrorCode.INVALID.value)
                    for name, message in error.errors.items()
                }
            ) from None

    def save_plugin_configuration(self, plugin_configuration: Any, cleaned_data: Any) -> Any:  # type: ignore[override]
        """Saleor's save, then the program copy the core reads (``ChannelProgram``, level rates), in one
        transaction: a setting the core refuses (e.g. fewer levels than an existing product rule's)
        leaves both unchanged. An instance method (Saleor's is a class method, which Saleor's manager
        calls on the plugin instance): the instance knows who saves, ``self.requestor`` (the staff user or
        app of the ``pluginUpdate`` request), which the program records as ``updatedBy``."""
        from .auth import principal_of_requestor

        before = [dict(item) for item in plugin_configuration.configuration or []]  # Saleor updates in place
        with transaction.atomic():
            saved = super().save_plugin_configuration(plugin_configuration, cleaned_data)
            channel = getattr(plugin_configuration, "channel", None)
            if channel is not None:
                try:
                    sync_program(
                        channel.slug,
                        channel.currency_code,
                        plugin_configuration.configuration,
                        actor=principal_of_requestor(self.requestor),
                        changed=form_changes(before, plugin_configuration.configuration),
                    )
                except DistributionError as error:
                    raise ValidationError(
                        {
                            error.field or "configuration": ValidationError(
                                gettext(str(error.message)), code=PluginErrorCode.INVALID.value
                            )
                        }
                    ) from None
        return saved

    @classmethod
    def pre_save_plugin_configuration(cls, plugin_configuration: Any) -> None:
        """Secrets are sealed at rest (``sealed_config``): Saleor would store them in plaintext."""
        seal_items(plugin_configuration.configuration or [], config.SECRET_NAMES)

    def resolve_plugin_configuration(self, request: Any) -> Any:
        """The dashboard's view of the configuration (Saleor's hook for it): Saleor has obfuscated the
        secrets already, but from the sealed text we store; show the last characters of each secret
        itself (``config.dashboard_items``, reading the stored row), and money labels in the channel's
        currency."""
        db_config = getattr(self, "db_config", None)
        stored = db_config.configuration if db_config is not None else []
        currency = getattr(self.channel, "currency_code", None)
        slug = getattr(self.channel, "slug", None)
        with allow_writer():  # our tables: the program as the API left it (no replica lag)
            current = program_form_values(slug) if slug else None
        return config.dashboard_items(self.configuration or [], stored, currency, current)

    # --- HTTP ------------------------------------------------------------------------------------------

    def webhook(self, request: Any, path: str, previous_value: Any = None, **kwargs: Any) -> HttpResponse:
        from . import global_route, screens
        from .auth import principal_from_request

        if not global_route.is_per_channel_request(request):  # Saleor's channel-less route
            return global_route.serve(request, path, plugin_id=self.PLUGIN_ID)
        channel = self.channel.slug if self.channel is not None else None
        if channel is None:
            return JsonResponse({"error": "use /plugins/channel/<channel>/wechat.distribution/"}, status=404)
        page = screens.per_channel(request, path, plugin_id=self.PLUGIN_ID, channel=channel)
        if page is not None:  # the staff console and the distributor center
            return page
        return routes.dispatch(
            request, path, channel=channel, authenticate=principal_from_request, graphiql=settings.DEBUG
        )

    # --- hooks -----------------------------------------------------------------------------------------

    def _order_event(self, kind: str, order: Any) -> None:
        key = (kind, str(order.pk))
        if key in self._queued:  # order_paid and order_fully_paid in one request: one task
            return
        self._queued.add(key)
        if kind == "created" and order.charge_status in _CHARGED:
            # checkoutComplete of a paid checkout: Saleor fires order_paid next (same condition); one
            # message instead of two on the customer's request
            self._queued.add(("paid", str(order.pk)))
            kind = "created_paid"
        jobs.enqueue(task_names.SALEOR_ORDER_TASKS[kind], order_pk=str(order.pk))

    @_contained
    def order_created(self, order: Any) -> None:
        self._order_event("created", order)

    @_contained
    def order_paid(self, order: Any) -> None:
        self._order_event("paid", order)

    @_contained
    def order_fully_paid(self, order: Any) -> None:  # orderMarkAsPaid fires only this one
        self._order_event("paid", order)

    @_contained
    def order_fulfilled(self, order: Any) -> None:
        self._order_event("fulfilled", order)

    @_contained
    def order_cancelled(self, order: Any) -> None:
        self._order_event("cancelled", order)

    @_contained
    def order_refunded(self, order: Any) -> None:
        self._order_event("refunded", order)

    @_contained
    def order_fully_refunded(self, order: Any) -> None:
        self._order_event("refunded", order)

    @_contained
    def checkout_metadata_updated(self, checkout: Any) -> None:
        if not checkout.user_id:
            return
        metadata = getattr(getattr(checkout, "metadata_storage", None), "metadata", None) or {}
        if metadata.get(REF_METADATA_KEY):
            jobs.enqueue(task_names.SALEOR_CHECKOUT_REFERRAL, checkout_token=str(checkout.token))

    @_contained
    def customer_deleted(self, customer: Any) -> None:
        host_events.customer_deleted(user_id=customer.pk)

    @_contained
    def voucher_created(self, voucher: Any, code: Any = None) -> None:
        voucher_event("created", voucher_id=voucher.pk, codes=[code] if code else [])

    @_contained
    def voucher_updated(self, voucher: Any, code: Any = None) -> None:
        voucher_event("updated", voucher_id=voucher.pk, codes=[code] if code else [])

    @_contained
    def voucher_deleted(self, voucher: Any, code: Any = None) -> None:
        voucher_event("deleted", voucher_id=voucher.pk, codes=[code] if code else [])

    @_contained
    def voucher_codes_created(self, voucher_codes: Any) -> None:
        for voucher_id, codes in _codes_by_voucher(voucher_codes).items():
            voucher_event("codes_created", voucher_id=voucher_id, codes=codes)

    @_contained
    def voucher_codes_deleted(self, voucher_codes: Any) -> None:
        for voucher_id, codes in _codes_by_voucher(voucher_codes).items():
            voucher_event("codes_deleted", voucher_id=voucher_id, codes=codes)


def _codes_by_voucher(voucher_codes: Any) -> dict[int | None, list[str]]:
    grouped: dict[int | None, list[str]] = {}
    for code in voucher_codes or ():
        grouped.setdefault(getattr(code, "voucher_id", None), []).append(code.code)
    return grouped
