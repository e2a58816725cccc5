"""商品券 (product coupons) behind the coupon gateway port: wechatpayv3 (service-provider mode) and the
brand API's own signing (brand mode) talking HTTP to the fake WeChat Pay, through the same services as
商家券: codes uploaded, budget edits, notifications verified, confirmed and applied once, redemption both
ways, coded refusals."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from saleor_wechat_distribution import host
from saleor_wechat_distribution.domain.coupons import CouponApiError
from saleor_wechat_distribution.models import CouponStock, InboundEvent, IssuedCoupon
from saleor_wechat_distribution.sandbox.vouchers.models import SandboxVoucherCode
from saleor_wechat_distribution.services.coupons.reconcile import coupon_reconcile
from saleor_wechat_distribution.services.coupons.redemption import coupon_order_cancelled, coupon_order_used
from saleor_wechat_distribution.services.coupons.stock_sync import coupon_sync_voucher
from saleor_wechat_distribution.testing.fake_wechatpay import FakeWeChatPay, rsa_test_key
from saleor_wechat_distribution.wechat.coupon_gateways import _build
from saleor_wechat_distribution.wechat.coupons import WeChatPayCoupons
from saleor_wechat_distribution.wechat.product_coupons import NOT_MODIFIABLE, WeChatPayProductCoupons

pytestmark = pytest.mark.django_db


def product_gateway(world: FakeWeChatPay, mode: str) -> WeChatPayProductCoupons:
    fake = world.product_coupons
    v3 = fake.brand_v3_settings() if mode == "brand" else world.v3_settings()
    entry = {
        "api": "product_coupon",
        "mode": mode,
        "brand_id": fake.brand_id,
        "v3": v3,
        "image_url": "https://img.example.com/c.png",
        "background_url": "https://img.example.com/b.png",
        "notify_url": f"https://shop.example.com/wechatpay/coupons/{fake.brand_id}/notify/",
    }
    gateway = _build(json.dumps(entry, sort_keys=True))
    assert isinstance(gateway, WeChatPayProductCoupons)
    return gateway


@pytest.fixture(params=["brand", "partner"])
def pmerchant(request, world: FakeWeChatPay) -> Iterator[WeChatPayProductCoupons]:
    gateway = product_gateway(world, request.param)
    saved = host.current()
    host.update(coupon_gateways=lambda channel, distributor_id: [gateway])
    yield gateway
    host.install(saved)


def post(client, brand_id, headers, body):
    extra = {"HTTP_" + name.upper().replace("-", "_"): value for name, value in headers.items()}
    return client.post(f"/wechatpay/coupons/{brand_id}/notify/", data=body, content_type="application/json",
                       **extra)  # fmt: skip


def test_default_api_is_busifavor(world):
    assert isinstance(_build(json.dumps({"v3": world.v3_settings()})), WeChatPayCoupons)
    with pytest.raises(ValueError):
        _build(json.dumps({"api": "cards", "v3": world.v3_settings()}))


def test_voucher_becomes_a_product_coupon_with_its_codes(pmerchant, world, make_voucher):
    voucher = make_voucher(codes=450)
    [stock] = coupon_sync_voucher(voucher_id=voucher.voucher_id)
    stock.refresh_from_db()
    assert stock.status == "synced" and (stock.codes_uploaded, stock.codes_total) == (450, 450)
    assert stock.mchid == world.product_coupons.brand_id
    batch = world.product_coupons.batches[stock.stock_id]
    assert batch.codes == set(SandboxVoucherCode.objects.values_list("code", flat=True))
    body = batch.body
    assert (body["scope"], body["type"], body["usage_mode"]) == ("ALL", "NORMAL", "SINGLE")
    assert body["stock"]["coupon_code_mode"] == "UPLOAD"
    assert body["single_usage_info"]["normal_coupon"] == {"threshold": 10000, "discount_amount": 1000}
    assert world.product_coupons.notify_url.endswith(f"/{world.product_coupons.brand_id}/notify/")
    calls = world.product_coupons.calls
    coupon_sync_voucher(voucher_id=voucher.voucher_id)  # a replay: nothing created, nothing uploaded
    assert len(world.product_coupons.batches) == 1 and world.product_coupons.calls <= calls + 1


def test_percentage_voucher_is_a_discount_product_coupon(pmerchant, world, make_voucher):
    voucher = make_voucher(codes=2, discount_type="percentage", value=20)
    [stock] = coupon_sync_voucher(voucher_id=voucher.voucher_id)
    body = world.product_coupons.batches[stock.stock_id].body
    assert body["type"] == "DISCOUNT" and body["single_usage_info"]["discount_coupon"]["percent_off"] == 20


def test_usage_limit_edits_move_the_budget(pmerchant, world, make_voucher):
    voucher = make_voucher(codes=10)
    [stock] = coupon_sync_voucher(voucher_id=voucher.voucher_id)
    batch = world.product_coupons.batches[stock.stock_id]
    assert batch.max_count == 10
    voucher.usage_limit = 4
    voucher.save()
    coupon_sync_voucher(voucher_id=voucher.voucher_id)
    assert batch.max_count == 4
    stock.refresh_from_db()
    assert stock.max_coupons == 4


def test_received_coupon_verified_confirmed_and_applied_once(client, pmerchant, world, make_voucher):
    voucher = make_voucher(codes=3)
    [stock] = coupon_sync_voucher(voucher_id=voucher.voucher_id)
    held = world.product_coupons.user_receives(stock.stock_id, "o-holder-1")
    headers, body = world.product_coupons.coupon_notification(held, brand=pmerchant._http.mode == "brand")
    for _ in range(3):
        assert post(client, world.product_coupons.brand_id, headers, body).status_code == 204
    coupon = IssuedCoupon.objects.get()
    assert (coupon.code, coupon.openid, coupon.stock_id) == (held.code, "o-holder-1", stock.pk)
    assert held.state == "EFFECTIVE"  # 确认发放 was called
    assert InboundEvent.objects.filter(source="wechatpay.coupon").count() == 1


@pytest.mark.parametrize("tamper", ["key", "apiv3", "body"])
def test_forged_notifications_write_nothing(client, pmerchant, world, make_voucher, tamper):
    voucher = make_voucher(codes=2)
    [stock] = coupon_sync_voucher(voucher_id=voucher.voucher_id)
    held = world.product_coupons.user_receives(stock.stock_id, "o-holder-2")
    kwargs = {"key": {"signing_key": rsa_test_key("impostor")}, "apiv3": {"apiv3_key": "1" * 32}}.get(
        tamper, {}
    )
    headers, body = world.product_coupons.coupon_notification(held, **kwargs)
    if tamper == "body":
        body = body.replace(b'"PRODUCT_COUPON.SEND"', b'"PRODUCT_COUPON.SEND" ')
    assert post(client, world.product_coupons.brand_id, headers, body).status_code == 401
    assert not IssuedCoupon.objects.exists() and not InboundEvent.objects.exists()
    assert held.state == "CONFIRMING"


def test_redemption_both_ways(client, pmerchant, world, make_voucher):
    voucher = make_voucher(codes=3)
    [stock] = coupon_sync_voucher(voucher_id=voucher.voucher_id)
    fakes = [world.product_coupons.user_receives(stock.stock_id, f"o-shopper-{i}") for i in range(2)]
    for fake in fakes:
        headers, body = world.product_coupons.coupon_notification(fake)
        assert post(client, world.product_coupons.brand_id, headers, body).status_code == 204
    ours, in_store = fakes

    used = coupon_order_used(order_id="O-1", channel="default-channel", voucher_code=ours.code)
    assert used.state == "used" and ours.state == "USED"
    assert coupon_order_cancelled(order_id="O-1") == 1
    assert ours.state == "EFFECTIVE" and IssuedCoupon.objects.get(code=ours.code).state == "issued"

    world.product_coupons.user_redeems_in_store(stock.stock_id, in_store.code)
    assert coupon_reconcile() == 1
    assert coupon_reconcile() == 0
    assert SandboxVoucherCode.objects.get(code=in_store.code).used == 1


def test_what_product_coupons_cannot_change_is_refused_with_a_code(pmerchant, world, make_voucher):
    voucher = make_voucher(codes=2)
    [stock] = coupon_sync_voucher(voucher_id=voucher.voucher_id)
    with pytest.raises(CouponApiError) as refused:
        pmerchant.stock_modify(stock_id=stock.stock_id, out_request_no="WDM123456", goods_name="新品")
    assert refused.value.code == NOT_MODIFIABLE
    with pytest.raises(CouponApiError) as refused:
        pmerchant.coupon_return(stock_id=stock.stock_id, code="X", return_request_no="WDRET12345")
    assert refused.value.code == "OPENID_REQUIRED"


def test_brand_requests_signed_with_another_key_are_refused(world, make_voucher):
    fake = world.product_coupons
    wrong = product_gateway(world, "brand")
    wrong._http._private_key = rsa_test_key("impostor")
    with pytest.raises(CouponApiError) as refused:
        wrong.callbacks_set(notify_url="https://shop.example.com/n/")
    assert refused.value.code == "SIGN_ERROR" and fake.notify_url == ""


def test_brand_mode_needs_the_public_key_id(world):
    entry = {
        "api": "product_coupon",
        "mode": "brand",
        "brand_id": "120344",
        "v3": world.product_coupons.brand_v3_settings(
            public_key="", public_key_id="", platform_certificates=[world.platform.certificate_pem]
        ),
    }
    with pytest.raises(ValueError):
        _build(json.dumps(entry, sort_keys=True))


def test_rate_limit_and_unknown_batch_map_to_the_ports_errors(pmerchant, world, make_voucher):
    from saleor_wechat_distribution.domain.coupons import CouponNotFound, CouponRateLimited

    world.product_coupons.faults.append("FREQUENCY_LIMITED")
    with pytest.raises(CouponRateLimited):
        pmerchant.stock_query(stock_id="1-2")
    with pytest.raises(CouponNotFound):
        pmerchant.stock_query(stock_id="1-2")
    assert CouponStock.objects.count() == 0


def test_codes_the_api_cannot_hold_are_refused_visibly_and_never_sent(pmerchant, world, make_voucher):
    voucher = make_voucher(codes=["S 1/a", "S-2", "S_3", "x" * 41])
    [stock] = coupon_sync_voucher(voucher_id=voucher.voucher_id)
    stock.refresh_from_db()
    assert world.product_coupons.batches[stock.stock_id].codes == {"S-2", "S_3"}
    assert stock.rejected_count == 2 and stock.status == "failed"
    assert {item["code"] for item in stock.rejected_codes} == {"S 1/a", "x" * 41}


def test_a_confirmation_that_fails_for_now_keeps_nothing_and_is_retried(
    client, pmerchant, world, make_voucher
):
    voucher = make_voucher(codes=2)
    [stock] = coupon_sync_voucher(voucher_id=voucher.voucher_id)
    held = world.product_coupons.user_receives(stock.stock_id, "o-holder-3")
    headers, body = world.product_coupons.coupon_notification(held)
    world.product_coupons.faults.append("SYSTEM_ERROR")
    assert post(client, world.product_coupons.brand_id, headers, body).status_code == 503
    assert not IssuedCoupon.objects.exists()  # the failure is noted on the unprocessed log row, nothing else
    assert InboundEvent.objects.get().processed_at is None
    assert post(client, world.product_coupons.brand_id, headers, body).status_code == 204
    assert IssuedCoupon.objects.get().code == held.code and held.state == "EFFECTIVE"


def test_attaching_a_stock_id_to_a_product_coupon_merchant_is_a_coded_refusal(pmerchant, world, make_voucher):
    from saleor_wechat_distribution.domain.errors import DistributionError
    from saleor_wechat_distribution.services.coupons.stock_attach import coupon_stock_attach

    voucher = make_voucher(codes=2)
    [stock] = coupon_sync_voucher(voucher_id=voucher.voucher_id)
    # as after a 创建商品券 answered RESOURCE_ALREADY_EXISTS: the row waits for a stock id
    CouponStock.objects.filter(pk=stock.pk).update(status="failed", error_code="STOCK_EXISTS", stock_id="")
    with pytest.raises(DistributionError) as refused:
        coupon_stock_attach(voucher_id=voucher.voucher_id, stock_id="12345678")
    assert refused.value.code == "wechat_error"


def test_a_rate_limit_mid_upload_resumes_after_the_last_confirmed_batch(pmerchant, world, make_voucher):
    from saleor_wechat_distribution.domain.coupons import CouponRateLimited

    voucher = make_voucher(codes=500)
    real_upload, sent = pmerchant.codes_upload, []

    def flaky(**kwargs):  # the third batch meets 429 FREQUENCY_LIMITED
        sent.append(kwargs["codes"][0])
        if len(sent) == 3:
            world.product_coupons.faults.append("FREQUENCY_LIMITED")
        return real_upload(**kwargs)

    pmerchant.codes_upload = flaky
    with pytest.raises(CouponRateLimited):
        coupon_sync_voucher(voucher_id=voucher.voucher_id)
    stock = CouponStock.objects.get()
    assert (stock.status, stock.error_code, stock.codes_uploaded) == ("syncing", "FREQUENCY_LIMITED", 400)
    coupon_sync_voucher(voucher_id=voucher.voucher_id)
    stock.refresh_from_db()
    assert stock.status == "synced" and stock.codes_uploaded == 500
    assert len(world.product_coupons.batches) == 1
    assert len(world.product_coupons.batches[stock.stock_id].codes) == 500
    assert sent[3] == sent[2]  # the refused batch is sent again, the confirmed ones are not


def test_a_batch_under_review_is_retried_not_failed(pmerchant, world, make_voucher):
    from saleor_wechat_distribution.domain.coupons import CouponTemporaryError

    world.product_coupons.initial_state = "AUDITING"
    voucher = make_voucher(codes=3)
    with pytest.raises(CouponTemporaryError):
        coupon_sync_voucher(voucher_id=voucher.voucher_id)
    stock = CouponStock.objects.get()
    assert (stock.status, stock.error_code) == ("syncing", "STOCK_AUDITING")
    [batch] = world.product_coupons.batches.values()
    batch.state = "SENDING"  # WeChat Pay approved it
    coupon_sync_voucher(voucher_id=voucher.voucher_id)
    stock.refresh_from_db()
    assert stock.status == "synced" and len(batch.codes) == 3
