"""What 商品券 requests and answers look like next to the 商家券 shapes the services use: the settings,
创建商品券's body for a stock body, a batch answer under 商家券's names, and the port's stock ids."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .payouts_v3 import WeChatPayV3Settings


@dataclass(frozen=True)
class ProductCouponSettings:
    """A brand's 商品券 settings. ``v3``: the brand API certificate's key and serial (brand mode) or the
    service provider's APIv3 settings (partner mode); ``v3.appid`` is the app whose users get coupons."""

    v3: WeChatPayV3Settings
    brand_id: str
    mode: str = "brand"
    #: display_info.image_url / background_url are required by 创建商品券 (uploaded through its media API)
    image_url: str = ""
    background_url: str = ""
    #: shown as the usage description (券使用说明); 商家券's goods_name
    goods_name: str = "全场商品可用"
    use_method: str = "OFF_LINE"
    notify_url: str = ""
    api_key_v2: str = ""


def create_body(body: dict[str, Any], settings: ProductCouponSettings) -> dict[str, Any]:
    """创建商品券's body for the 商家券-shaped body the services build (and store before sending)."""
    rule = body["coupon_use_rule"]
    if "fixed_normal_coupon" in rule:
        fixed = rule["fixed_normal_coupon"]
        kind, key = "NORMAL", "normal_coupon"
        terms = {"threshold": fixed["transaction_minimum"], "discount_amount": fixed["discount_amount"]}
    else:
        discount = rule["discount_coupon"]
        kind, key = "DISCOUNT", "discount_coupon"
        terms = {
            "threshold": discount["transaction_minimum"],
            "percent_off": 100 - discount["discount_percent"],
        }
    period = rule["coupon_available_time"]
    send = body["stock_send_rule"]
    method = (
        "MINI_PROGRAM" if body.get("coupon_use_rule", {}).get("use_method") == "MINI_PROGRAMS" else "OFFLINE"
    )
    created = {
        "out_request_no": body["out_request_no"],
        "scope": "ALL",
        "type": kind,
        "usage_mode": "SINGLE",
        "single_usage_info": {key: terms},
        "display_info": {
            "name": body["stock_name"],
            "image_url": settings.image_url,
            "background_url": settings.background_url,
        },
        "stock": {
            "remark": body.get("comment", ""),
            "coupon_code_mode": "UPLOAD",
            "stock_send_rule": {
                "max_count": send["max_coupons"],
                "max_count_per_user": send["max_coupons_per_user"],
            },
            "single_usage_rule": {
                "coupon_available_period": {
                    "available_begin_time": period["available_begin_time"],
                    "available_end_time": period["available_end_time"],
                },
                key: terms,
            },
            "usage_rule_display_info": {
                "coupon_usage_method_list": [method],
                "usage_description": body.get("goods_name") or settings.goods_name,
            },
            "coupon_display_info": {"code_display_mode": "BARCODE"},
            "notify_config": {
                "notify_appid": (body.get("notify_config") or {}).get("notify_appid") or settings.v3.appid
            },
            "store_scope": "NONE",
        },
    }
    return created


def join_stock_id(product_coupon_id: str, stock_id: str) -> str:
    return f"{product_coupon_id}-{stock_id}"


def split_stock_id(value: str) -> tuple[str, str]:
    """``"<product_coupon_id>-<stock_id>"``; both parts go into URLs, so letters and digits only."""
    product_coupon_id, _, stock_id = (value or "").partition("-")
    if not (
        product_coupon_id.isascii()
        and product_coupon_id.isalnum()
        and stock_id.isascii()
        and stock_id.isalnum()
    ):
        raise ValueError(f"not a product coupon stock id: {value!r}")
    return product_coupon_id, stock_id


def as_busifavor_stock(info: dict[str, Any]) -> dict[str, Any]:
    """A 商品券 批次 under the names the services read from a 商家券 stock (the original fields stay)."""
    send = info.get("stock_send_rule") if isinstance(info.get("stock_send_rule"), dict) else {}
    sent = info.get("sent_count_info") if isinstance(info.get("sent_count_info"), dict) else {}
    codes = info.get("coupon_code_count_info") if isinstance(info.get("coupon_code_count_info"), dict) else {}
    translated = dict(info)
    translated["stock_send_rule"] = dict(send) | {"max_coupons": send.get("max_count")}
    translated["send_count_information"] = {"total_send_num": sent.get("total_count", 0)}
    translated["coupon_code_count"] = {"total_count": codes.get("total_count", 0)}
    translated["stock_state"] = info.get("state")
    return translated
