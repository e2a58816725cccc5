"""The 商家券 gateway: wechatpayv3's real client against the fake WeChat Pay (signed answers, verified
requests), and COUPON.SEND notifications built with real AES-GCM and RSA signatures."""

from __future__ import annotations

import json
import time

import pytest

from saleor_wechat_distribution.domain.coupons import (
    CouponApiError,
    CouponNotFound,
    CouponRateLimited,
    CouponTemporaryError,
    request_no,
    stock_request,
)
from saleor_wechat_distribution.ports import InvalidNotification
from saleor_wechat_distribution.testing.fake_wechatpay import rsa_test_key
from saleor_wechat_distribution.wechat.coupons import WeChatPayCoupons

from .conftest import coupon_settings


def body_for(world, *, codes: int = 5, **overrides):
    from datetime import UTC, datetime, timedelta
    from decimal import Decimal

    values = {
        "voucher_id": "V1",
        "name": "满100减10",
        "discount_type": "fixed",
        "value": Decimal("10"),
        "currency": "CNY",
        "minimum_spend": Decimal("100"),
        "start": None,
        "end": datetime.now(UTC) + timedelta(days=10),
        "usage_limit": None,
        "code_count": codes,
        "once_per_customer": False,
        "belong_merchant": world.merchant.mchid,
        "notify_appid": world.merchant.appid,
        "out_request_no": request_no("WDS", "V1", world.merchant.mchid),
        "goods_name": "全场商品可用",
        "now": datetime.now(UTC),
    } | overrides
    return stock_request(**values)


def test_create_stock_upload_and_query(gateway, world):
    body = body_for(world, codes=3)
    stock_id = gateway.stock_create(body=body)
    assert stock_id in world.busifavor.stocks
    assert world.busifavor.stocks[stock_id].body["coupon_code_mode"] == "MERCHANT_UPLOAD"

    result = gateway.codes_upload(stock_id=stock_id, upload_request_no="U1", codes=["A-1", "B/2", "C 3"])
    assert result.accepted == 3 and result.failed == ()
    info = gateway.stock_query(stock_id=stock_id)
    assert info["coupon_code_count"] == {"total_count": 3, "available_count": 3}

    # the same create request again is the same stock, never a second one
    assert gateway.stock_create(body=body) == stock_id
    assert len(world.busifavor.stocks) == 1
    # the same upload request again changes nothing
    assert (
        gateway.codes_upload(stock_id=stock_id, upload_request_no="U1", codes=["A-1", "B/2", "C 3"]).accepted
        == 3
    )
    assert len(world.busifavor.stocks[stock_id].codes) == 3


def test_upload_limits_are_wechats(gateway, world):
    stock_id = gateway.stock_create(body=body_for(world, codes=300))
    with pytest.raises(CouponApiError) as refused:
        gateway.codes_upload(stock_id=stock_id, upload_request_no="U1", codes=[f"C{i}" for i in range(201)])
    assert refused.value.code == "PARAM_ERROR"
    result = gateway.codes_upload(
        stock_id=stock_id, upload_request_no="U2", codes=["OK1", "x" * 33, "bad!char"]
    )
    assert result.accepted == 1
    assert [code for code, _reason in result.failed] == ["x" * 33, "bad!char"]


def test_upload_beyond_the_budget_is_refused(gateway, world):
    stock_id = gateway.stock_create(body=body_for(world, codes=2))
    with pytest.raises(CouponApiError) as refused:
        gateway.codes_upload(stock_id=stock_id, upload_request_no="U1", codes=["A", "B", "C"])
    assert refused.value.code == "INVALID_REQUEST"


def test_error_classes(gateway, world):
    world.busifavor.faults = ["FREQUENCY_LIMITED"]
    with pytest.raises(CouponRateLimited):
        gateway.stock_create(body=body_for(world))
    world.busifavor.faults = ["SYSTEM_ERROR"]
    with pytest.raises(CouponTemporaryError):
        gateway.stock_create(body=body_for(world))
    with pytest.raises(CouponNotFound):
        gateway.stock_query(stock_id="1282999999999999")
    world.busifavor.enabled = False
    with pytest.raises(CouponApiError) as refused:
        gateway.stock_create(body=body_for(world))
    assert refused.value.code == "NO_AUTH" and not isinstance(refused.value, CouponTemporaryError)
    with pytest.raises(ValueError):
        gateway.stock_query(stock_id="../../v3/certificates")


def test_a_stock_name_over_21_characters_is_refused_by_wechat(gateway, world):
    body = body_for(world)
    body["stock_name"] = "一" * 22
    with pytest.raises(CouponApiError) as refused:
        gateway.stock_create(body=body)
    assert refused.value.code == "PARAM_ERROR"


def test_answers_signed_with_another_key_are_not_trusted(world):
    other = rsa_test_key("impostor").public_key()
    from cryptography.hazmat.primitives import serialization

    pem = other.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    gateway = WeChatPayCoupons(coupon_settings(world, public_key=pem.decode()))
    with pytest.raises(CouponTemporaryError) as unverified:
        gateway.stock_create(body=body_for(world))
    assert unverified.value.code == "INVALID_RESPONSE"


def test_use_return_deactivate(gateway, world):
    stock_id = gateway.stock_create(body=body_for(world, codes=3))
    gateway.codes_upload(stock_id=stock_id, upload_request_no="U1", codes=["A", "B", "C"])
    coupon = world.busifavor.user_receives(stock_id, "o-user-1")
    gateway.coupon_use(stock_id=stock_id, code=coupon.code, openid="o-user-1", use_request_no="USE1")
    assert coupon.state == "USED"
    gateway.coupon_use(stock_id=stock_id, code=coupon.code, openid="o-user-1", use_request_no="USE1")  # retry
    with pytest.raises(CouponApiError):
        gateway.coupon_use(stock_id=stock_id, code=coupon.code, openid="o-user-1", use_request_no="USE2")
    gateway.coupon_return(stock_id=stock_id, code=coupon.code, return_request_no="RET1")
    assert coupon.state == "SENDED"
    gateway.coupon_deactivate(stock_id=stock_id, code=coupon.code, request_no="D1", reason="voucher deleted")
    assert coupon.state == "DEACTIVATED"
    with pytest.raises(CouponNotFound):  # uploaded but never issued: no user coupon to use
        gateway.coupon_use(stock_id=stock_id, code="ZZZ", openid="o-user-1", use_request_no="USE3")


def test_callbacks_url(gateway, world):
    gateway.callbacks_set(notify_url="https://shop.example.com/wechatpay/coupons/1900000109/notify/")
    assert world.busifavor.notify_url.endswith("/notify/")
    with pytest.raises(CouponApiError):
        gateway.callbacks_set(notify_url="http://insecure.example.com/")


def test_coupon_notification_verified_and_decrypted(gateway, world):
    stock_id = gateway.stock_create(body=body_for(world, codes=1))
    gateway.codes_upload(stock_id=stock_id, upload_request_no="U1", codes=["ONLYCODE"])
    coupon = world.busifavor.user_receives(stock_id, "o-user-9")
    headers, body = world.busifavor.coupon_notification(coupon)

    received = gateway.parse_notification(headers=headers, body=body)
    assert (received.stock_id, received.code, received.openid) == (stock_id, "ONLYCODE", "o-user-9")
    assert received.notification_id == json.loads(body)["id"]


@pytest.mark.parametrize(
    "tamper",
    [
        "body",
        "signature",
        "other_signing_key",
        "other_apiv3_key",
        "stale",
        "serial",
        "missing_header",
        "event",
    ],
)
def test_tampered_notifications_are_refused(gateway, world, tamper):
    stock_id = gateway.stock_create(body=body_for(world, codes=1))
    gateway.codes_upload(stock_id=stock_id, upload_request_no="U1", codes=["ONLYCODE"])
    coupon = world.busifavor.user_receives(stock_id, "o-user-9")
    kwargs = {
        "other_signing_key": {"signing_key": rsa_test_key("impostor")},
        "other_apiv3_key": {"apiv3_key": "0" * 32},
        "stale": {"timestamp": int(time.time()) - 3600},
    }.get(tamper, {})
    headers, body = world.busifavor.coupon_notification(coupon, **kwargs)
    if tamper == "body":
        body = body.replace(b"COUPON.SEND", b"COUPON.SENT")
    elif tamper == "signature":
        headers["Wechatpay-Signature"] = headers["Wechatpay-Signature"][::-1]
    elif tamper == "serial":
        headers["Wechatpay-Serial"] = "PUB_KEY_ID_someone_else"
    elif tamper == "missing_header":
        del headers["Wechatpay-Nonce"]
    elif tamper == "event":
        # a correctly signed transfer notification is not a coupon notification
        headers, body = _signed_other_event(world)
    with pytest.raises(InvalidNotification):
        gateway.parse_notification(headers=headers, body=body)


def _signed_other_event(world):
    from saleor_wechat_distribution.testing.fake_wechatpay.crypto import aes_gcm_encrypt

    nonce, ciphertext = aes_gcm_encrypt(world.merchant.apiv3_key, json.dumps({"out_bill_no": "X"}), "x")
    body = json.dumps(
        {
            "id": "EV-1",
            "event_type": "MCHTRANSFER.BILL.FINISHED",
            "resource_type": "encrypt-resource",
            "resource": {
                "algorithm": "AEAD_AES_256_GCM",
                "ciphertext": ciphertext,
                "nonce": nonce,
                "associated_data": "x",
                "original_type": "mch_payment",
            },
        }
    ).encode()
    return world.signed_headers(body), body
