"""The plugin form chooses each channel merchant's coupon API (商家券 by default, 商品券 on request), and
the entry it produces builds a gateway that really talks to the fake WeChat Pay."""

from __future__ import annotations

import json

import pytest

from saleor_wechat_distribution.saleor_adapter.config import ConfigurationError, parse_configuration
from saleor_wechat_distribution.wechat.coupon_gateways import _build
from saleor_wechat_distribution.wechat.coupons import WeChatPayCoupons
from saleor_wechat_distribution.wechat.product_coupons import WeChatPayProductCoupons

APP_ID = "wxd678efh567hg6787"


def form(world, **extra):
    values = {
        "commission_rate_level_1": "10", "wechatpay_mch_id": world.merchant.mchid,
        "wechatpay_app_id": "wx0123456789abcdef", "wechatpay_cert_serial_no": world.merchant.cert_serial_no,
        "wechatpay_private_key": world.merchant.private_key_pem,
        "wechatpay_apiv3_key": world.merchant.apiv3_key,
        "wechatpay_public_key_id": world.platform.public_key_id,
        "wechatpay_public_key": world.platform.public_key_pem,
        "coupon_sync": "true",
    } | extra  # fmt: skip
    return [{"name": k, "value": v} for k, v in values.items()]


def gateway_of(world, parsed):
    v3 = parsed.coupons["v3"] | {"api_base_url": world.base_url, "appid": APP_ID}
    return _build(json.dumps(parsed.coupons | {"v3": v3}, sort_keys=True))


def test_existing_merchants_keep_busifavor(world):
    parsed = parse_configuration(form(world))
    assert "api" not in parsed.coupons
    assert isinstance(gateway_of(world, parsed), WeChatPayCoupons)


@pytest.mark.parametrize("api", ["product_coupon", "product_coupon_partner"])
def test_product_coupon_merchant_from_the_form_talks_to_wechat(world, api):
    fake = world.product_coupons
    extra = {"coupon_api": api, "coupon_brand_id": fake.brand_id,
             "coupon_image_url": "https://img.example.com/c.png",
             "coupon_background_url": "https://img.example.com/b.png"}  # fmt: skip
    if api == "product_coupon":
        extra |= {"coupon_brand_cert_serial_no": fake.brand_cert_serial_no,
                  "coupon_brand_private_key": fake.brand_private_key_pem}  # fmt: skip
    gateway = gateway_of(world, parse_configuration(form(world, **extra)))
    assert isinstance(gateway, WeChatPayProductCoupons) and gateway.mchid == fake.brand_id
    gateway.callbacks_set(notify_url="https://shop.example.com/wechatpay/coupons/120344/notify/")
    assert fake.notify_url.endswith("/120344/notify/")


def test_product_coupon_needs_its_brand_fields(world):
    with pytest.raises(ConfigurationError) as refused:
        parse_configuration(form(world, coupon_api="product_coupon"))
    assert {"coupon_brand_id", "coupon_image_url", "coupon_background_url", "coupon_brand_cert_serial_no",
            "coupon_brand_private_key"} <= set(refused.value.errors)  # fmt: skip
    with pytest.raises(ConfigurationError) as refused:
        parse_configuration(form(world, coupon_api="cards"))
    assert "coupon_api" in refused.value.errors
