"""What the core needs from Saleor, installed once at start-up as the host registry (``host.py``;
``apps.py`` calls :func:`install` when Saleor is installed): program settings, the channels the program
runs in (the plugin is active there), payout and coupon (商家券) merchants from the plugin configuration
of each channel, Saleor's vouchers as the ``VoucherSource``, Saleor's users as the ``CustomerDirectory``
of network imports, the checkout -> channel lookup; and Saleor's writer guard around our Celery tasks."""

from __future__ import annotations

import binascii
import json
import logging
import os
import uuid
from contextlib import ExitStack
from typing import Any

from celery.signals import task_postrun, task_prerun
from django.conf import settings
from django.db.models.signals import post_delete, post_save
from graphql_relay import from_global_id
from saleor.account.models import User
from saleor.checkout.models import Checkout
from saleor.core.db.connection import allow_writer
from saleor.discount.models import Voucher, VoucherChannelListing, VoucherCode
from saleor.plugins.models import PluginConfiguration

from .. import conf, host, host_events, task_names
from ..domain.payouts import PayoutMethod
from ..domain.wechatpay import WeChatPayApi
from ..ports import CouponGateway, HostCheckout
from ..wechat.coupon_gateways import _build as build_coupon_gateway
from ..wechat.coupon_gateways import coupon_gateways_from_settings
from ..wechat.gateways import payout_gateway_from_values
from . import after_sales, tasks  # noqa: F401 - registers the adapter's tasks in Saleor's Celery app
from .catalog import SaleorProductCatalog
from .categories import SaleorCategoryCatalog
from .channels import saleor_channels
from .config import PLUGIN_ID, AdapterSettings, ConfigurationError, parse_configuration
from .customer_sessions import SaleorCustomerSessions
from .customers import SaleorCustomerDirectory
from .voucher_source import SaleorVoucherSource
from .vouchers import voucher_event

logger = logging.getLogger(__name__)
_installed = False
_writer_guards: dict[str, ExitStack] = {}


def channel_settings(channel: str | None) -> AdapterSettings | None:
    """The channel's parsed plugin configuration, or None (no channel, not configured, inactive, or a
    stored configuration that no longer parses: logged)."""
    if not channel:
        return None
    with allow_writer():
        stored = (
            PluginConfiguration.objects.filter(identifier=PLUGIN_ID, channel__slug=channel)
            .values_list("configuration", "active")
            .first()
        )
    if stored is None or not stored[1]:
        return None
    try:
        return parse_configuration(stored[0])
    except ConfigurationError as error:
        logger.error("the WeChat distribution settings of channel %s do not parse: %s", channel, error)
        return None


def plugin_active_in(channel: str) -> bool:
    """The core's channel check: our program runs in a Saleor channel where the plugin is active."""
    with allow_writer():
        return PluginConfiguration.objects.filter(
            identifier=PLUGIN_ID, channel__slug=channel, active=True
        ).exists()


def program_config(channel: str | None) -> conf.ProgramConfig:
    parsed = channel_settings(channel)
    return conf.ProgramConfig(auto_approve=parsed.auto_approve if parsed else False)


def mini_program(channel: str) -> Any:
    """The channel's Mini Program from its plugin configuration (``mp_*`` fields), or None."""
    parsed = channel_settings(channel)
    return parsed.mini_program if parsed else None


def public_base_url() -> str:
    """The address WeChat reaches this Saleor at, for the notification URLs the plugin hands WeChat Pay:
    ``WECHAT_DISTRIBUTION_PUBLIC_URL`` when set (the Django setting, else the environment variable, as
    Saleor is configured), for when Saleor's ``PUBLIC_URL`` is not the address WeChat uses (e.g. an
    internal http address behind a TLS proxy), else ``PUBLIC_URL``; empty when neither is set (then no
    notification URL is given). WeChat Pay takes https addresses only: an http one is passed on as it
    is, and the coupon sync refuses it with a clear error (``stock_changes.check_notify_url``)."""
    own = getattr(settings, "WECHAT_DISTRIBUTION_PUBLIC_URL", None) or os.environ.get(
        "WECHAT_DISTRIBUTION_PUBLIC_URL", ""
    )
    return (own or getattr(settings, "PUBLIC_URL", None) or "").rstrip("/")


def notify_url(channel: str) -> str:
    base = public_base_url()
    return f"{base}/plugins/channel/{channel}/{PLUGIN_ID}/wechatpay/notify/" if base else ""


def payout_gateway(channel: str, method: str) -> Any:
    parsed = channel_settings(channel)
    values = dict(parsed.payouts.get(method) or {}) if parsed else {}
    if not values:
        raise conf.PayoutNotConfigured(f"no WeChat Pay {method} merchant for channel {channel!r}")
    if method == PayoutMethod.V3:
        values["notify_url"] = notify_url(channel)
        values.update(_api_base())
    return payout_gateway_from_values(method, values)


def _api_base() -> dict[str, str]:
    """``WECHAT_DISTRIBUTION_WECHATPAY_API_BASE_URL`` points the WeChat Pay clients elsewhere (the tests'
    fake WeChat Pay); WeChat Pay's own API otherwise."""
    base = getattr(settings, "WECHAT_DISTRIBUTION_WECHATPAY_API_BASE_URL", "") or ""
    return {"api_base_url": base.rstrip("/")} if base else {}


# --- coupons (商家券), vouchers, customers --------------------------------------------------------------


def coupon_notify_url(channel: str, mchid: str) -> str:
    base = public_base_url()
    route = f"/plugins/channel/{channel}/{PLUGIN_ID}/wechatpay/coupons/{mchid}/notify/"
    return base + route if base else ""


def coupon_gateways(channel: str, distributor_id: int | None) -> list[CouponGateway]:
    """A distributor's own merchants where ``WECHAT_DISTRIBUTION_COUPONS`` names some for it, else the
    channel's merchant from the plugin configuration when its ``coupon_sync`` is on."""
    if distributor_id is not None:
        own = coupon_gateways_from_settings(channel, distributor_id)
        if own and getattr(settings, "WECHAT_DISTRIBUTION_COUPONS", None):
            return own
    parsed = channel_settings(channel)
    if parsed is None or parsed.coupons is None:
        return []
    v3 = {**parsed.coupons[WeChatPayApi.V3], **_api_base()}
    # 商品券 merchants are keyed by their brand id (their notifications' URL too); 商家券 by the mchid
    merchant = parsed.coupons.get("brand_id") or v3["mchid"]
    values = parsed.coupons | {WeChatPayApi.V3: v3, "notify_url": coupon_notify_url(channel, merchant)}
    # built once per configuration and process (keys loaded once), as for the settings' merchants
    return [build_coupon_gateway(json.dumps(values, sort_keys=True))]


def coupon_channel(channel: str) -> bool:
    parsed = channel_settings(channel)
    return parsed is not None and parsed.coupons is not None


def customer_creation_allowed() -> bool:
    """``import_creates_customers`` on in any channel where the plugin is active (Saleor's users are
    shared by all channels)."""
    with allow_writer():
        stored = list(
            PluginConfiguration.objects.filter(identifier=PLUGIN_ID, active=True).values_list(
                "configuration", flat=True
            )
        )
    for items in stored:
        try:
            if parse_configuration(items).import_creates_customers:
                return True
        except ConfigurationError:
            continue
    return False


def _checkout_token(checkout_id: str) -> uuid.UUID | None:
    """Saleor's global id of a checkout (``Checkout:<token>`` in base64: what storefronts hold, e.g.
    ``checkoutCreate``'s ``checkout.id``) first, then the bare ``Checkout.token``."""
    candidates = []
    try:
        type_name, raw = from_global_id(checkout_id)
        if type_name == "Checkout":
            candidates.append(raw)
    except (binascii.Error, UnicodeDecodeError, ValueError, TypeError):
        pass
    candidates.append(checkout_id)
    for candidate in candidates:
        try:
            return uuid.UUID(str(candidate))
        except ValueError:
            continue
    return None


def checkout_channel(checkout_id: str) -> HostCheckout | None:
    """``checkoutAttribute``'s checkout: by Saleor's global id or its token; the code is kept under the
    token, which the order's snapshot carries (``OrderSnapshot.checkout_id``). Its customer (``user``,
    None for a guest's) decides whether the caller is bound."""
    token = _checkout_token(str(checkout_id))
    if token is None:
        return None
    with allow_writer():
        row = Checkout.objects.filter(token=token).values_list("channel__slug", "user_id").first()
    if row is None or not row[0]:
        return None
    return HostCheckout(checkout_id=str(token), channel=row[0], customer_user_id=row[1])


def _enter_writer(task_id: str | None = None, task: Any = None, **_: Any) -> None:
    if task is not None and task.name.startswith(task_names.PREFIX) and task_id:
        stack = ExitStack()
        stack.enter_context(allow_writer())
        _writer_guards[task_id] = stack


def _leave_writer(task_id: str | None = None, **_: Any) -> None:
    stack = _writer_guards.pop(task_id or "", None)
    if stack is not None:
        stack.close()


def _voucher_saved(sender: Any, instance: Any, created: bool = False, **_: Any) -> None:
    try:
        if sender is VoucherChannelListing:  # voucherChannelListingUpdate saves only the listing
            voucher_event("updated", voucher_id=instance.voucher_id, codes=[])
        elif sender is Voucher:
            voucher_event("created" if created else "updated", voucher_id=instance.pk, codes=[])
        elif created:
            voucher_event("codes_created", voucher_id=instance.voucher_id, codes=[instance.code])
    except Exception:
        logger.exception("voucher signal not handed on")


def _voucher_deleted(sender: Any, instance: Any, **_: Any) -> None:
    try:
        if sender is VoucherChannelListing:
            voucher_event("updated", voucher_id=instance.voucher_id, codes=[])
        elif sender is Voucher:
            voucher_event("deleted", voucher_id=instance.pk, codes=[])
        else:
            voucher_event("codes_deleted", voucher_id=instance.voucher_id, codes=[instance.code])
    except Exception:
        logger.exception("voucher signal not handed on")


def _user_deleted(sender: Any, instance: Any, **_: Any) -> None:
    """Saleor calls ``customer_deleted`` without a channel, so a per-channel plugin may not hear it."""
    try:
        host_events.customer_deleted(user_id=instance.pk)
    except Exception:
        logger.exception("user deletion not handed on")


def saleor_host() -> dict[str, Any]:
    """Saleor's part of the host registry (``host.Host``'s fields): every lookup the core makes, answered
    by Saleor. The WeChat clients and event handlers stay the core's."""
    return {
        "program_config": program_config,
        "channel_active": plugin_active_in,
        "channel_list": saleor_channels,
        "payout_gateway": payout_gateway,
        "coupon_gateways": coupon_gateways,
        "voucher_source": SaleorVoucherSource(coupon_channel),
        "product_catalog": SaleorProductCatalog(),
        "category_catalog": SaleorCategoryCatalog(),
        "customer_directory": SaleorCustomerDirectory(customer_creation_allowed),
        "customer_sessions": SaleorCustomerSessions(),
        "checkout_lookup": checkout_channel,
        "mini_program_settings": mini_program,
    }


def install() -> None:
    """Idempotent: installs the host registry (``saleor_host``), the writer guard and the signals."""
    global _installed
    if _installed:
        return
    host.update(**saleor_host())
    task_prerun.connect(_enter_writer, weak=False, dispatch_uid="wechat_distribution_writer_in")
    task_postrun.connect(_leave_writer, weak=False, dispatch_uid="wechat_distribution_writer_out")
    for model in (Voucher, VoucherCode, VoucherChannelListing):
        uid = f"wechat_distribution_{model.__name__}"
        post_save.connect(_voucher_saved, sender=model, weak=False, dispatch_uid=f"{uid}_saved")
        post_delete.connect(_voucher_deleted, sender=model, weak=False, dispatch_uid=f"{uid}_deleted")
    post_delete.connect(
        _user_deleted, sender=User, weak=False, dispatch_uid="wechat_distribution_user_deleted"
    )
    after_sales.connect()
    _installed = True
