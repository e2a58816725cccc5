"""Build coupon (商家券) gateways from configuration.

The default source is Django's ``WECHAT_DISTRIBUTION_COUPONS`` setting (or the same JSON in the environment
variable of that name)::

    {"<channel or *>": [
        {"v3": {WeChatPayV3Settings kwargs; appid = the app whose users get the coupons},
         "api_key_v2": "...", "goods_name": "...", "use_method": "OFF_LINE", "belong_merchant": "...",
         "notify_url": "https://shop.example.com/…/wechatpay/coupons/<mchid>/notify/"},
        {"distributor_id": 42, "v3": {...}, ...}      # a distributor's own merchant / Official Account
    ]}

``"api"`` chooses the merchant's coupon API: ``"busifavor"`` (商家券, the default, so existing merchants keep
working) or ``"product_coupon"`` (商品券, for brands onboarded since 2025-12-15), which also takes
``"brand_id"``, ``"mode"`` (``"brand"``: the brand API certificate in ``v3``, which must be in public-key
mode; ``"partner"``: a service provider's APIv3 settings), ``"image_url"`` and ``"background_url"``.

A voucher assigned to a distributor that has entries of its own lives there (its own merchant / Official
Account); every other voucher with the brand's entries (those without ``distributor_id``). With several
entries, each code goes to exactly one of them (a code is never handed out twice). Saleor's adapter
registers its own factory (plugin configuration). The configuration is read as the shop in scope sees it
(``conf.setting``: in App mode each Saleor instance may have its own). Gateways are cached per
configuration (the merchant's whole settings, credentials included), so keys are loaded once per process
and two merchants never share a client.
"""

from __future__ import annotations

import json
import os
from functools import lru_cache
from typing import Any

from ..conf import setting
from ..domain.wechatpay import WeChatPayApi
from ..instance_scope import with_instance
from ..ports import CouponGateway
from .coupons import WeChatPayCoupons, WeChatPayCouponSettings
from .gateways import _v3_settings
from .product_coupons import ProductCouponSettings, WeChatPayProductCoupons

#: the keys of an entry (``distributor_id`` picks the distributor whose own merchant it is)
ENTRY_KEYS = frozenset(
    {"api", "v3", "api_key_v2", "belong_merchant", "goods_name", "use_method", "notify_url", "brand_id",
     "mode", "image_url", "background_url", "distributor_id"}
)  # fmt: skip


def _configuration() -> dict[str, Any]:
    configured = setting("WECHAT_DISTRIBUTION_COUPONS")
    if configured is None and os.environ.get("WECHAT_DISTRIBUTION_COUPONS"):
        configured = json.loads(os.environ["WECHAT_DISTRIBUTION_COUPONS"])
    return configured or {}


@lru_cache(maxsize=64)
def _build(frozen: str) -> CouponGateway:
    merchant = _settings(json.loads(frozen))
    if isinstance(merchant, ProductCouponSettings):
        return WeChatPayProductCoupons(merchant)
    return WeChatPayCoupons(merchant)


def _settings(values: dict[str, Any]) -> WeChatPayCouponSettings | ProductCouponSettings:
    api = values.get("api", "busifavor")
    if api == "product_coupon":
        return _product_coupon_settings(values)
    if api != "busifavor":
        raise ValueError(f"unknown coupon api {api!r}: 'busifavor' or 'product_coupon'")
    return WeChatPayCouponSettings(
        v3=_v3_settings(values[WeChatPayApi.V3]),
        api_key_v2=values.get("api_key_v2", ""),
        belong_merchant=values.get("belong_merchant", ""),
        goods_name=values.get("goods_name", "全场商品可用"),
        use_method=values.get("use_method", "OFF_LINE"),
        notify_url=values.get("notify_url", ""),
    )


def _product_coupon_settings(values: dict[str, Any]) -> ProductCouponSettings:
    v3 = dict(values["v3"])
    v3.setdefault("mchid", values["brand_id"])  # brand mode signs with the brand id, not a merchant id
    return ProductCouponSettings(
        v3=_v3_settings(v3),
        brand_id=str(values["brand_id"]),
        mode=values.get("mode", "brand"),
        image_url=values.get("image_url", ""),
        background_url=values.get("background_url", ""),
        goods_name=values.get("goods_name", "全场商品可用"),
        use_method=values.get("use_method", "OFF_LINE"),
        notify_url=values.get("notify_url", ""),
        api_key_v2=values.get("api_key_v2", ""),
    )


def coupons_configuration_check(configuration: object) -> None:
    """Raise ``ValueError`` saying what is wrong with a ``WECHAT_DISTRIBUTION_COUPONS`` mapping (a channel
    whose merchants are not a list of objects, an unknown or missing key, an unknown API): App mode checks
    its settings at start-up (``app/instance_settings.py``) instead of failing a voucher's sync later."""
    if not isinstance(configuration, dict):
        raise ValueError('must be an object: {"<channel or *>": [{"v3": {...}, ...}]}')
    for channel, entries in configuration.items():
        if not isinstance(entries, list):
            raise ValueError(f"[{channel!r}] must be a list of merchants")
        for index, entry in enumerate(entries):
            where = f"[{channel!r}][{index}]"
            if not isinstance(entry, dict):
                raise ValueError(f"{where} must be an object")
            unknown = sorted(set(entry) - ENTRY_KEYS)
            if unknown:
                raise ValueError(f"{where}: unknown key(s) {', '.join(map(repr, unknown))}")
            if entry.get("distributor_id") is not None and not str(entry["distributor_id"]).isdigit():
                raise ValueError(f"{where}: distributor_id must be a distributor's id (a number)")
            if not isinstance(entry.get(WeChatPayApi.V3), dict):
                raise ValueError(f"{where}: missing 'v3' (the merchant's APIv3 settings)")
            try:
                _settings(entry)
            except KeyError as error:
                raise ValueError(f"{where}: missing {error}") from None
            except (TypeError, ValueError) as error:
                raise ValueError(f"{where}: {error}") from None


def coupon_gateways_from_settings(channel: str, distributor_id: int | None) -> list[CouponGateway]:
    configuration = _configuration()
    configured = configuration.get(channel) or configuration.get("*") or []
    chosen = [
        entry
        for entry in configured
        if distributor_id is not None
        and entry.get("distributor_id") is not None
        and int(entry["distributor_id"]) == distributor_id
    ]
    chosen = chosen or [entry for entry in configured if entry.get("distributor_id") is None]
    entries = [with_instance({k: v for k, v in e.items() if k != "distributor_id"}) for e in chosen]
    return [_build(json.dumps(entry, sort_keys=True)) for entry in entries]
