"""Vouchers synced into 商家券 stocks: created once, codes streamed in batches of 200, resumable, failures
visible; redemption both ways; the coupon-received callback; legacy card events."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from saleor_wechat_distribution import host
from saleor_wechat_distribution.domain.coupons import CouponRateLimited, CouponTemporaryError
from saleor_wechat_distribution.models import CouponStock, DistributorVoucherCode, IssuedCoupon
from saleor_wechat_distribution.ports import CouponReceived
from saleor_wechat_distribution.sandbox.vouchers.models import SandboxCodeUse, SandboxVoucherCode
from saleor_wechat_distribution.services.coupons.card_pack import (
    coupon_card_event,
    coupon_card_link,
    coupon_received,
)
from saleor_wechat_distribution.services.coupons.deactivation import coupon_voucher_deactivate
from saleor_wechat_distribution.services.coupons.redemption import coupon_order_cancelled, coupon_order_used
from saleor_wechat_distribution.services.coupons.stock_sync import coupon_sync_give_up, coupon_sync_voucher
from saleor_wechat_distribution.services.coupons.voucher_codes import coupon_voucher_codes_deleted
from saleor_wechat_distribution.testing.factories import make_distributor

pytestmark = pytest.mark.django_db


def uploads(world) -> int:
    return world.calls["busifavor.couponcodes.upload"]


def test_voucher_becomes_a_stock_with_every_code_uploaded(merchant, world, make_voucher):
    voucher = make_voucher(codes=450)

    [stock] = coupon_sync_voucher(voucher_id=voucher.voucher_id)

    stock.refresh_from_db()
    assert stock.status == "synced" and stock.error_code == ""
    assert (stock.codes_uploaded, stock.codes_total) == (450, 450)
    fake = world.busifavor.stocks[stock.stock_id]
    assert fake.codes == set(SandboxVoucherCode.objects.values_list("code", flat=True))
    assert fake.body["stock_type"] == "NORMAL"
    assert fake.body["coupon_use_rule"]["fixed_normal_coupon"] == {
        "discount_amount": 1000,
        "transaction_minimum": 10000,
    }
    assert fake.body["stock_send_rule"]["max_coupons"] == 450
    assert world.calls["busifavor.stocks.create"] == 1
    assert uploads(world) == 3  # 200 + 200 + 50

    # running again (a retried task, a duplicate event) creates nothing and uploads nothing
    coupon_sync_voucher(voucher_id=voucher.voucher_id)
    assert world.calls["busifavor.stocks.create"] == 1 and uploads(world) == 3
    assert CouponStock.objects.count() == 1


def test_percentage_voucher_is_a_discount_stock(merchant, world, make_voucher):
    voucher = make_voucher(codes=2, discount_type="percentage", value=Decimal("15"), minimum_spend=None)
    [stock] = coupon_sync_voucher(voucher_id=voucher.voucher_id)
    rule = world.busifavor.stocks[stock.stock_id].body["coupon_use_rule"]["discount_coupon"]
    assert rule == {"discount_percent": 85, "transaction_minimum": 1}


def test_long_names_are_cut_to_wechats_limits(merchant, world, make_voucher):
    voucher = make_voucher(codes=1, name="双十一全场满三百减五十元超级优惠大促销活动专用券")
    [stock] = coupon_sync_voucher(voucher_id=voucher.voucher_id)
    body = world.busifavor.stocks[stock.stock_id].body
    assert len(body["stock_name"]) == 21 and body["stock_name"].endswith("…")


@pytest.mark.parametrize(
    ("fields", "code"),
    [
        ({"discount_type": "free_shipping"}, "unsupported_discount"),
        ({"discount_type": "percentage", "value": Decimal("12.5")}, "unsupported_discount"),
        ({"discount_type": "percentage", "value": Decimal("100")}, "unsupported_discount"),
        ({"currency": "USD"}, "unsupported_currency"),
        ({"value": Decimal("200000")}, "amount_out_of_range"),
        ({"end": timezone.now() - timedelta(days=1)}, "invalid_dates"),
        ({"end": timezone.now() + timedelta(days=800)}, "invalid_dates"),
    ],
)
def test_shapes_wechat_cannot_express_are_a_visible_failure(merchant, world, make_voucher, fields, code):
    voucher = make_voucher(codes=2, **fields)
    [stock] = coupon_sync_voucher(voucher_id=voucher.voucher_id)
    stock.refresh_from_db()
    assert (stock.status, stock.error_code) == ("failed", code)
    assert world.calls["busifavor.stocks.create"] == 0 and not world.busifavor.stocks


def test_codes_wechat_refuses_are_recorded_not_lost(merchant, world, make_voucher):
    voucher = make_voucher(codes=["GOOD-1", "GOOD-2", "WAY-TOO-LONG-" + "X" * 30, "emoji☺"])
    [stock] = coupon_sync_voucher(voucher_id=voucher.voucher_id)
    stock.refresh_from_db()
    assert stock.status == "failed" and stock.error_code == "invalid_code"
    assert stock.codes_uploaded == 2 and stock.rejected_count == 2
    assert {entry["code"] for entry in stock.rejected_codes} == {"WAY-TOO-LONG-" + "X" * 30, "emoji☺"}
    assert world.busifavor.stocks[stock.stock_id].codes == {"GOOD-1", "GOOD-2"}


def test_merchant_without_the_coupon_product(merchant, world, make_voucher):
    world.busifavor.enabled = False
    voucher = make_voucher(codes=2)
    [stock] = coupon_sync_voucher(voucher_id=voucher.voucher_id)
    stock.refresh_from_db()
    assert (stock.status, stock.error_code) == ("failed", "NO_AUTH")


def test_rate_limited_mid_upload_resumes_after_the_last_confirmed_batch(merchant, world, make_voucher):
    voucher = make_voucher(codes=500)
    world.busifavor.faults = []
    real_upload = merchant.codes_upload
    sent = []

    def flaky(**kwargs):  # the third batch meets a rate limit (the fake answers 429 FREQUENCY_LIMITED)
        sent.append(kwargs["codes"][0])
        if len(sent) == 3:
            world.busifavor.faults.append("FREQUENCY_LIMITED")
        return real_upload(**kwargs)

    merchant.codes_upload = flaky
    with pytest.raises(CouponRateLimited):
        coupon_sync_voucher(voucher_id=voucher.voucher_id)
    stock = CouponStock.objects.get()
    assert stock.status == "syncing" and stock.error_code == "FREQUENCY_LIMITED"  # not healthy, not lost
    assert stock.codes_uploaded == 400 and stock.upload_batches == 2 and stock.lease_until is None

    coupon_sync_voucher(voucher_id=voucher.voucher_id)
    stock.refresh_from_db()
    assert stock.status == "synced" and stock.codes_uploaded == 500
    assert world.calls["busifavor.stocks.create"] == 1
    assert len(world.busifavor.stocks[stock.stock_id].codes) == 500
    assert sent[3] == sent[2]  # the refused batch was sent again, nothing before it


def test_lost_create_answer_never_makes_a_second_stock(merchant, world, make_voucher):
    voucher = make_voucher(codes=3)
    real_create = merchant.stock_create

    def answer_lost(**kwargs):
        real_create(**kwargs)  # WeChat made the stock...
        raise CouponTemporaryError("NETWORK_ERROR", "ReadTimeout")  # ...but the answer never came

    merchant.stock_create = answer_lost
    with pytest.raises(CouponTemporaryError):
        coupon_sync_voucher(voucher_id=voucher.voucher_id)
    merchant.stock_create = real_create
    [stock] = coupon_sync_voucher(voucher_id=voucher.voucher_id)
    stock.refresh_from_db()
    assert stock.status == "synced"
    assert len(world.busifavor.stocks) == 1 and world.calls["busifavor.stocks.create"] == 2


def test_retries_exhausted_show_failed(merchant, world, make_voucher):
    voucher = make_voucher(codes=3)
    world.busifavor.faults = ["SYSTEM_ERROR"]
    with pytest.raises(CouponTemporaryError) as error:
        coupon_sync_voucher(voucher_id=voucher.voucher_id)
    coupon_sync_give_up(voucher_id=voucher.voucher_id, error=error.value)
    stock = CouponStock.objects.get()
    assert (stock.status, stock.error_code) == ("failed", "SYSTEM_ERROR")


def test_codes_added_later_raise_the_budget_and_are_uploaded(merchant, world, make_voucher):
    voucher = make_voucher(codes=["A1", "A2"])
    [stock] = coupon_sync_voucher(voucher_id=voucher.voucher_id)
    SandboxVoucherCode.objects.create(voucher=voucher, code="A3")
    SandboxVoucherCode.objects.create(voucher=voucher, code="A0")  # sorts before the cursor
    coupon_sync_voucher(voucher_id=voucher.voucher_id)
    stock.refresh_from_db()
    fake = world.busifavor.stocks[stock.stock_id]
    assert fake.max_coupons == 4 and stock.max_coupons == 4
    assert "A3" in fake.codes


def test_usage_limit_caps_the_budget(merchant, world, make_voucher):
    voucher = make_voucher(codes=10, usage_limit=4)
    [stock] = coupon_sync_voucher(voucher_id=voucher.voucher_id)
    stock.refresh_from_db()
    assert stock.status == "synced" and (stock.codes_uploaded, stock.codes_total) == (4, 4)
    assert world.busifavor.stocks[stock.stock_id].max_coupons == 4


def test_distributor_voucher_codes_are_attribution_sources(merchant, world, make_voucher):
    seller = make_distributor()
    voucher = make_voucher(codes=["D-1", "D-2"], distributor_id=seller.pk)
    coupon_sync_voucher(voucher_id=voucher.voucher_id)
    assert set(DistributorVoucherCode.objects.filter(distributor=seller).values_list("code", flat=True)) == {
        "D-1",
        "D-2",
    }
    coupon_voucher_codes_deleted(voucher_id=voucher.voucher_id, codes=["D-2"])
    assert list(DistributorVoucherCode.objects.values_list("code", flat=True)) == ["D-1"]


def test_distributor_with_its_own_merchant_gets_its_own_stock(world, make_voucher, gateway):
    from saleor_wechat_distribution.wechat.coupons import WeChatPayCoupons

    from .conftest import coupon_settings

    own = WeChatPayCoupons(coupon_settings(world, appid="wx8888888888888888"))
    seller = make_distributor()
    saved = host.current()
    host.update(
        coupon_gateways=lambda channel, distributor_id: [own] if distributor_id == seller.pk else [gateway]
    )
    try:
        brand_voucher = make_voucher(codes=2)
        own_voucher = make_voucher(codes=2, distributor_id=seller.pk)
        [brand_stock] = coupon_sync_voucher(voucher_id=brand_voucher.voucher_id)
        [own_stock] = coupon_sync_voucher(voucher_id=own_voucher.voucher_id)
    finally:
        host.install(saved)
    assert brand_stock.app_id == "wxd678efh567hg6787" and own_stock.app_id == "wx8888888888888888"
    assert world.busifavor.stocks[own_stock.stock_id].body["notify_config"]["notify_appid"] == own.app_id


def test_several_merchants_split_the_codes_never_handing_one_out_twice(world, make_voucher, gateway):
    from saleor_wechat_distribution.wechat.coupons import WeChatPayCoupons

    from .conftest import coupon_settings

    second = WeChatPayCoupons(coupon_settings(world, appid="wx8888888888888888"))
    saved = host.current()
    host.update(coupon_gateways=lambda channel, distributor_id: [gateway, second])
    try:
        voucher = make_voucher(codes=300)
        stocks = coupon_sync_voucher(voucher_id=voucher.voucher_id)
        coupon_sync_voucher(voucher_id=voucher.voucher_id)
    finally:
        host.install(saved)
    assert len(stocks) == 2 and {s.refresh_from_db() or s.status for s in stocks} == {"synced"}
    first, other = (world.busifavor.stocks[s.stock_id].codes for s in stocks)
    assert not first & other and len(first | other) == 300
    assert sorted(s.codes_total for s in stocks) == sorted([len(first), len(other)])
    assert all(s.max_coupons == s.codes_uploaded for s in stocks)


def test_gateways_from_settings_choose_the_distributors_own_merchant(world, settings):
    from saleor_wechat_distribution.wechat.coupon_gateways import coupon_gateways_from_settings

    brand = {"v3": world.v3_settings(), "api_key_v2": "k"}
    own = {"distributor_id": 7, "v3": world.v3_settings(appid="wx8888888888888888"), "api_key_v2": "k"}
    settings.WECHAT_DISTRIBUTION_COUPONS = {"*": [brand, own]}
    assert [g.app_id for g in coupon_gateways_from_settings("c", None)] == ["wxd678efh567hg6787"]
    assert [g.app_id for g in coupon_gateways_from_settings("c", 7)] == ["wx8888888888888888"]
    assert [g.app_id for g in coupon_gateways_from_settings("c", 8)] == ["wxd678efh567hg6787"]


def received(world, coupon) -> CouponReceived:
    return CouponReceived(
        notification_id="n", stock_id=coupon.stock_id, code=coupon.code, openid=coupon.openid
    )


def test_redemption_both_ways(merchant, world, make_voucher):
    voucher = make_voucher(codes=3)
    [stock] = coupon_sync_voucher(voucher_id=voucher.voucher_id)
    fake = world.busifavor.user_receives(stock.stock_id, "o-buyer")
    issued = coupon_received(mchid=world.merchant.mchid, received=received(world, fake))
    assert (issued.app_id, issued.openid, issued.state) == (world.merchant.appid, "o-buyer", "issued")

    used = coupon_order_used(order_id="O-1", channel="default-channel", voucher_code=fake.code)
    assert used.state == "used" and used.order_id == "O-1" and fake.state == "USED"
    coupon_order_used(order_id="O-1", channel="default-channel", voucher_code=fake.code)  # replay: no-op
    assert world.calls["busifavor.coupons.use"] == 1

    assert coupon_order_cancelled(order_id="O-1") == 1
    assert fake.state == "SENDED" and IssuedCoupon.objects.get().state == "issued"

    assert coupon_voucher_deactivate(voucher_id=voucher.voucher_id) == 1
    assert fake.state == "DEACTIVATED"
    stock.refresh_from_db()
    assert stock.status == "deactivated" and IssuedCoupon.objects.get().state == "deactivated"


def test_deleted_voucher_deactivates_through_sync(merchant, world, make_voucher):
    voucher = make_voucher(codes=2)
    [stock] = coupon_sync_voucher(voucher_id=voucher.voucher_id)
    fake = world.busifavor.user_receives(stock.stock_id, "o-buyer")
    coupon_received(mchid=world.merchant.mchid, received=received(world, fake))
    voucher.active = False
    voucher.save()
    coupon_sync_voucher(voucher_id=voucher.voucher_id)
    assert fake.state == "DEACTIVATED"


def test_code_used_but_never_issued_needs_no_wechat_call(merchant, world, make_voucher):
    voucher = make_voucher(codes=2)
    coupon_sync_voucher(voucher_id=voucher.voucher_id)
    assert coupon_order_used(order_id="O-9", channel="default-channel", voucher_code="nobody-holds") is None
    assert world.calls["busifavor.coupons.use"] == 0


def test_legacy_card_events(db, make_voucher):
    voucher = make_voucher(codes=["CARD-CODE-1"])
    coupon_card_link(
        voucher_id=voucher.voucher_id, channel="default-channel", app_id="wxOA", card_id="pCard1"
    )
    got = coupon_card_event(app_id="wxOA", openid="o-1", event="user_get_card", card_id="pCard1",
                            code="CARD-CODE-1")  # fmt: skip
    assert got.state == "issued"
    for _ in range(2):  # WeChat repeats events
        consumed = coupon_card_event(app_id="wxOA", openid="o-1", event="user_consume_card",
                                     card_id="pCard1", code="CARD-CODE-1")  # fmt: skip
    assert consumed.state == "used"
    assert SandboxVoucherCode.objects.get(code="CARD-CODE-1").used == 1
    assert SandboxCodeUse.objects.count() == 1
    assert coupon_card_event(app_id="wxOA", openid="o-1", event="user_get_card", card_id="unknown",
                             code="X") is None  # fmt: skip


def test_a_stock_missing_codes_in_wechat_never_looks_healthy(merchant, world, make_voucher):
    voucher = make_voucher(codes=5)
    [stock] = coupon_sync_voucher(voucher_id=voucher.voucher_id)
    fake = world.busifavor.stocks[stock.stock_id]
    fake.codes.discard(fake.pool.pop())  # WeChat lost one (say, a batch answered but not stored)
    coupon_sync_voucher(voucher_id=voucher.voucher_id)
    stock.refresh_from_db()
    assert (stock.status, stock.error_code, stock.codes_uploaded) == ("failed", "CODES_MISSING", 4)


def test_the_notification_url_is_set_with_the_stock(world, make_voucher):
    from dataclasses import replace

    from saleor_wechat_distribution.wechat.coupons import WeChatPayCoupons

    from .conftest import coupon_settings

    url = f"https://shop.example.com/wechatpay/coupons/{world.merchant.mchid}/notify/"
    gateway = WeChatPayCoupons(replace(coupon_settings(world), notify_url=url))
    saved = host.current()
    host.update(coupon_gateways=lambda channel, distributor_id: [gateway])
    try:
        coupon_sync_voucher(voucher_id=make_voucher(codes=1).voucher_id)
    finally:
        host.install(saved)
    assert world.busifavor.notify_url == url


@pytest.mark.parametrize(
    "url, problem",
    [
        ("http://shop.example.com/wechatpay/coupons/1/notify/", "only to an https address"),
        ("https://shop.example.com/wechatpay/coupons/1/notify/?a=1", "without a query string"),
        ("https://shop.example.com/" + "n" * 240, "at most 256 characters"),
    ],
)
def test_a_notification_url_wechat_pay_would_refuse_is_a_clear_configuration_error(
    world, make_voucher, url, problem, caplog
):
    """An http ``notify_url`` (a Saleor whose PUBLIC_URL is http, say) is not sent to WeChat Pay for its
    bare PARAM_ERROR: the stock fails before any call, saying what is wrong, and the error is logged."""
    from dataclasses import replace

    from saleor_wechat_distribution.wechat.coupons import WeChatPayCoupons

    from .conftest import coupon_settings

    gateway = WeChatPayCoupons(replace(coupon_settings(world), notify_url=url))
    saved = host.current()
    host.update(coupon_gateways=lambda channel, distributor_id: [gateway])
    try:
        with caplog.at_level("ERROR", logger="saleor_wechat_distribution.services.coupons.stock_changes"):
            [stock] = coupon_sync_voucher(voucher_id=make_voucher(codes=2).voucher_id)
    finally:
        host.install(saved)
    assert (stock.status, stock.error_code, stock.stock_id) == ("failed", "NOTIFY_URL_INVALID", "")
    assert problem in stock.error_message and url[:40] in stock.error_message
    assert world.calls["busifavor.callbacks.set"] == 0 and world.calls["busifavor.stocks.create"] == 0
    assert world.busifavor.notify_url == "" and not world.busifavor.stocks
    [record] = caplog.records
    assert problem in record.getMessage() and world.merchant.mchid in record.getMessage()


def test_no_notification_url_makes_the_stock_without_setting_one(merchant, world, make_voucher):
    """No ``notify_url`` configured (the sandbox, a deployment without a public address): nothing to set;
    the stock is made as before."""
    [stock] = coupon_sync_voucher(voucher_id=make_voucher(codes=2).voucher_id)
    assert stock.status == "synced" and world.calls["busifavor.callbacks.set"] == 0


def test_a_coupon_redeemed_in_a_store_marks_the_voucher_code_used(merchant, world, make_voucher):
    from saleor_wechat_distribution.services.coupons.reconcile import coupon_reconcile

    voucher = make_voucher(codes=["S 1/a", "S-2", "S-3"])
    [stock] = coupon_sync_voucher(voucher_id=voucher.voucher_id)
    held = [world.busifavor.user_receives(stock.stock_id, f"o-shopper-{i}") for i in range(3)]
    for fake in held:
        coupon_received(mchid=world.merchant.mchid, received=received(world, fake))
    in_store, ours, untouched = held
    world.busifavor.store_redeems(in_store, use_request_no="POS-778")
    coupon_order_used(order_id="O-5", channel="default-channel", voucher_code=ours.code)

    assert coupon_reconcile() == 1
    assert coupon_reconcile() == 0  # nothing new; the store redemption counted once
    assert SandboxVoucherCode.objects.get(code=in_store.code).used == 1
    assert SandboxVoucherCode.objects.get(code=ours.code).used == 0  # Saleor counted its own order itself
    states = dict(IssuedCoupon.objects.values_list("code", "state"))
    assert states == {in_store.code: "used", ours.code: "used", untouched.code: "issued"}
    assert world.calls["busifavor.coupons.detail"] == 3  # the used ones are not asked again


def test_a_discount_changed_after_the_stock_was_made_is_a_visible_failure(merchant, world, make_voucher):
    voucher = make_voucher(codes=2)
    [stock] = coupon_sync_voucher(voucher_id=voucher.voucher_id)
    voucher.value = Decimal("20.00")
    voucher.save()
    coupon_sync_voucher(voucher_id=voucher.voucher_id)
    stock.refresh_from_db()
    assert (stock.status, stock.error_code) == ("failed", "VOUCHER_CHANGED")
    voucher.name = "renamed only"
    voucher.value = Decimal("10.00")
    voucher.save()
    coupon_sync_voucher(voucher_id=voucher.voucher_id)  # back to the stock's discount: healthy again
    stock.refresh_from_db()
    assert stock.status == "synced" and world.calls["busifavor.stocks.create"] == 1


def test_a_stock_wechat_rejects_is_a_visible_failure(world, make_voucher):
    from saleor_wechat_distribution.wechat.coupons import WeChatPayCoupons

    from .conftest import coupon_settings

    unbound = WeChatPayCoupons(
        coupon_settings(world, appid="wx0000000000000000")
    )  # app not bound to the mchid
    saved = host.current()
    host.update(coupon_gateways=lambda channel, distributor_id: [unbound])
    try:
        [stock] = coupon_sync_voucher(voucher_id=make_voucher(codes=2).voucher_id)
    finally:
        host.install(saved)
    stock.refresh_from_db()
    assert (stock.status, stock.error_code, stock.stock_id) == ("failed", "PARAM_ERROR", "")
    assert "notify_appid" in stock.error_message
