"""Build payout gateways from configuration.

The default source is Django's ``WECHAT_DISTRIBUTION_PAYOUTS`` setting (or the same JSON in the
environment variable of that name): ``{"<channel or *>": {"v3": {WeChatPayV3Settings kwargs},
"v2": {WeChatPayV2Settings kwargs}}}``, as the shop in scope sees it (``conf.setting``: in App mode each
Saleor instance may have its own). Saleor's adapter registers its own factory that reads the plugin
configuration instead. Gateways are cached per configuration (the merchant's whole settings, credentials
included), so keys are loaded once per process and two merchants never share a client.
"""

from __future__ import annotations

import json
import os
from functools import lru_cache
from typing import Any

from ..conf import PayoutNotConfigured, setting
from ..domain.payouts import PayoutMethod
from ..instance_scope import with_instance
from ..ports import PayoutGateway
from .payouts_v2 import WeChatPayV2Payouts, WeChatPayV2Settings
from .payouts_v3 import WeChatPayV3Payouts, WeChatPayV3Settings

_TUPLE_FIELDS = {"platform_certificates", "timeout"}


def _configuration() -> dict[str, Any]:
    configured = setting("WECHAT_DISTRIBUTION_PAYOUTS")
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


def _settings(method: str, values: dict[str, Any]) -> WeChatPayV3Settings | WeChatPayV2Settings:
    return _v3_settings(values) if method == PayoutMethod.V3 else WeChatPayV2Settings(**values)


@lru_cache(maxsize=32)
def _build(method: str, frozen: str) -> PayoutGateway:
    merchant = _settings(method, json.loads(frozen))
    if isinstance(merchant, WeChatPayV3Settings):
        return WeChatPayV3Payouts(merchant)
    return WeChatPayV2Payouts(merchant)


def payouts_configuration_check(configuration: object) -> None:
    """Raise ``ValueError`` saying what is wrong with a ``WECHAT_DISTRIBUTION_PAYOUTS`` mapping (a
    channel's merchant that is not an object, an unknown method, a missing or unknown key): App mode checks
    its settings at start-up (``app/instance_settings.py``) instead of failing a withdrawal later."""
    if not isinstance(configuration, dict):
        raise ValueError("must be an object: {\"<channel or *>\": {\"v3\": {...}, \"v2\": {...}}}")
    for channel, merchant in configuration.items():
        if not isinstance(merchant, dict):
            raise ValueError(f"[{channel!r}] must be an object: {{\"v3\": {{...}}, \"v2\": {{...}}}}")
        for method, values in merchant.items():
            if method not in set(PayoutMethod):
                raise ValueError(f"[{channel!r}]: unknown method {method!r} (v3 or v2)")
            if not isinstance(values, dict):
                raise ValueError(f"[{channel!r}][{method!r}] must be an object")
            try:
                _settings(method, values)
            except (TypeError, ValueError) as error:
                raise ValueError(f"[{channel!r}][{method!r}]: {error}") from None


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
