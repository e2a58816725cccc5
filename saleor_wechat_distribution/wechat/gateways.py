"""Build payout gateways from configuration.

The default source is Django's ``WECHAT_DISTRIBUTION_PAYOUTS`` setting (or the same JSON in the
environment variable of that name): ``{"<channel or *>": {"v3": {WeChatPayV3Settings kwargs},
"v2": {WeChatPayV2Settings kwargs}}}``. Saleor's adapter registers its own factory that reads the plugin
configuration instead. Gateways are cached per configuration, so keys are loaded once per process.
"""

from __future__ import annotations

import json
import os
from functools import lru_cache
from typing import Any

from django.conf import settings

from ..conf import PayoutNotConfigured
from ..domain.payouts import PayoutMethod
from ..instance_scope import with_instance
from ..ports import PayoutGateway
from .payouts_v2 import WeChatPayV2Payouts, WeChatPayV2Settings
from .payouts_v3 import WeChatPayV3Payouts, WeChatPayV3Settings

_TUPLE_FIELDS = {"platform_certificates", "timeout"}


def _configuration() -> dict[str, Any]:
    configured = getattr(settings, "WECHAT_DISTRIBUTION_PAYOUTS", None)
    if configured is None and os.environ.get("WECHAT_DISTRIBUTION_PAYOUTS"):
        configured = json.loads(os.environ["WECHAT_DISTRIBUTION_PAYOUTS"])
    return configured or {}


def _v3_settings(values: dict[str, Any]) -> WeChatPayV3Settings:
    clean = {k: tuple(v) if k in _TUPLE_FIELDS and isinstance(v, list) else v for k, v in values.items()}
    if isinstance(clean.get("transfer_scene_report_infos"), list):
        clean["transfer_scene_report_infos"] = tuple(
            tuple(pair) for pair in clean["transfer_scene_report_infos"]
        )
    return WeChatPayV3Settings(**clean)


@lru_cache(maxsize=32)
def _build(method: str, frozen: str) -> PayoutGateway:
    values = json.loads(frozen)
    if method == PayoutMethod.V3:
        return WeChatPayV3Payouts(_v3_settings(values))
    return WeChatPayV2Payouts(WeChatPayV2Settings(**values))


def payout_gateway_from_values(method: str, values: dict[str, Any]) -> PayoutGateway:
    """A gateway for ``method`` (``PayoutMethod``) from settings kwargs; cached, so keys load once."""
    if method not in set(PayoutMethod) or not values:
        raise PayoutNotConfigured(f"no WeChat Pay {method} merchant is configured")
    return _build(method, json.dumps(values, sort_keys=True))


def payout_gateway_from_settings(channel: str, method: str) -> PayoutGateway:
    configuration = _configuration()
    merchant = configuration.get(channel) or configuration.get("*") or {}
    values = merchant.get(method)
    if method not in set(PayoutMethod) or not values:
        raise PayoutNotConfigured(f"no WeChat Pay {method} merchant is configured for channel {channel!r}")
    return _build(method, json.dumps(with_instance(values), sort_keys=True))
