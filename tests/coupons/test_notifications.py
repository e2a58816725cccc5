"""The coupon-received callback over HTTP: verified before anything is written, logged raw, applied once."""

from __future__ import annotations

import pytest

from saleor_wechat_distribution.models import InboundEvent, IssuedCoupon
from saleor_wechat_distribution.services.coupons.stock_sync import coupon_sync_voucher
from saleor_wechat_distribution.testing.fake_wechatpay import rsa_test_key

pytestmark = pytest.mark.django_db


def post(client, mchid, headers, body):
    extra = {"HTTP_" + name.upper().replace("-", "_"): value for name, value in headers.items()}
    return client.post(
        f"/wechatpay/coupons/{mchid}/notify/", data=body, content_type="application/json", **extra
    )


@pytest.fixture
def issued(merchant, world, make_voucher):
    voucher = make_voucher(codes=5)
    [stock] = coupon_sync_voucher(voucher_id=voucher.voucher_id)
    return world.busifavor.user_receives(stock.stock_id, "o-holder-1")


def test_received_coupon_recorded_once(client, world, issued):
    headers, body = world.busifavor.coupon_notification(issued)
    for _ in range(3):  # WeChat Pay retries until it gets a 2xx
        assert post(client, world.merchant.mchid, headers, body).status_code == 204
    coupon = IssuedCoupon.objects.get()
    assert (coupon.code, coupon.app_id, coupon.openid) == (issued.code, world.merchant.appid, "o-holder-1")
    assert InboundEvent.objects.filter(source="wechatpay.coupon").count() == 1


@pytest.mark.parametrize("tamper", ["signature", "key", "apiv3"])
def test_forged_notifications_write_nothing(client, world, issued, tamper):
    kwargs = {"key": {"signing_key": rsa_test_key("impostor")}, "apiv3": {"apiv3_key": "1" * 32}}.get(
        tamper, {}
    )
    headers, body = world.busifavor.coupon_notification(issued, **kwargs)
    if tamper == "signature":
        body = body.replace(b'"COUPON.SEND"', b'"COUPON.SEND" ')
    assert post(client, world.merchant.mchid, headers, body).status_code == 401
    assert not IssuedCoupon.objects.exists() and not InboundEvent.objects.exists()


def test_bad_requests_are_4xx(client, world, issued):
    headers, body = world.busifavor.coupon_notification(issued)
    assert post(client, "1234567", headers, body).status_code == 404
    assert client.get(f"/wechatpay/coupons/{world.merchant.mchid}/notify/").status_code == 405
    assert post(client, world.merchant.mchid, headers, b"x" * 70_000).status_code == 413
    assert post(client, world.merchant.mchid, {}, body).status_code == 401
