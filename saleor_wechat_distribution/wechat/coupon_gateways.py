"""Build coupon (商家券) gateways from configuration.

The default source is Django's ``WECHAT_DISTRIBUTION_COUPONS`` setting (or the same JSON in the environment
variable of that name)::

    {"<channel or *>": [
        {"v3": {WeChatPayV3Settings kwargs; appid = the app whose users get the coupons},
         "api_key_v2": "...", "goods_name": "...", "use_method": "OFF_LINE", "belong_merchant": "...",
         "notify_url": "https://shop.example.com/…/wechatpay/coupons/<mchid>/notify/"},
        {"distributor_id": 42, "v3": {...}, ...}      # a distributor's own merchant / Official Account
    ]}

A voucher assigned to a distributor that has entries of its own lives there (its own merchant / Official
Account); every other voucher with the brand's entries (those without ``distributor_id``). With several
entries, each code goes to exactly one of them (a code is never handed out twice). Saleor's adapter
registers its own factory (plugin configuration). Gateways are cached per configuration, so keys are
loaded once per process.
"""

from __future__ import annotations

import json
import os
from functools import lru_cache
from typing import Any

from django.conf import settings

from ..domain.wechatpay import WeChatPayApi
from ..ports import CouponGateway
from .coupons import WeChatPayCoupons, WeChatPayCouponSettings
from .gateways import _v3_settings


def _configuration() -> dict[str, Any]:
    configured = getattr(settings, "WECHAT_DISTRIBUTION_COUPONS", None)
    if configured is None and os.environ.get("WECHAT_DISTRIBUTION_COUPONS"):
        configured = json.loads(os.environ["WECHAT_DISTRIBUTION_COUPONS"])
    return configured or {}


@lru_cache(maxsize=64)
def _build(frozen: str) -> CouponGateway:
    values = json.loads(frozen)
    return WeChatPayCoupons(
        WeChatPayCouponSettings(
            v3=_v3_settings(values[WeChatPayApi.V3]),
            api_key_v2=values.get("api_key_v2", ""),
            belong_merchant=values.get("belong_merchant", ""),
            goods_name=values.get("goods_name", "全场商品可用"),
            use_method=values.get("use_method", "OFF_LINE"),
            notify_url=values.get("notify_url", ""),
        )
    )


def coupon_gateways_from_settings(channel: str, distributor_id: int | None) -> list[CouponGateway]:
    configuration = _configuration()
    entries = configuration.get(channel) or configuration.get("*") or []
    chosen = [
        entry
        for entry in entries
        if distributor_id is not None
        and entry.get("distributor_id") is not None
        and int(entry["distributor_id"]) == distributor_id
    ]
    chosen = chosen or [entry for entry in entries if entry.get("distributor_id") is None]
    return [_build(json.dumps({k: v for k, v in e.items() if k != "distributor_id"}, sort_keys=True))
            for e in chosen]  # fmt: skip
