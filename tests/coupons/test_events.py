"""Host events -> Celery tasks (eager here; tests/celery runs a real worker), and concurrent syncs."""

from __future__ import annotations

import pytest

from saleor_wechat_distribution import host_events
from saleor_wechat_distribution.models import CouponStock, IssuedCoupon
from saleor_wechat_distribution.ports import CouponReceived
from saleor_wechat_distribution.sandbox.vouchers.models import SandboxVoucher
from saleor_wechat_distribution.services.coupons.card_pack import coupon_received
from saleor_wechat_distribution.services.coupons.stock_sync import coupon_sync_voucher
from saleor_wechat_distribution.testing.concurrency import run_concurrently
from saleor_wechat_distribution.testing.orders import line, order


@pytest.mark.django_db
def test_voucher_and_order_events_drive_the_coupon(
    merchant, world, make_voucher, django_capture_on_commit_callbacks
):
    voucher = make_voucher(codes=3)
    with django_capture_on_commit_callbacks(execute=True):
        host_events.voucher_created(voucher.voucher_id)
    stock = CouponStock.objects.get()
    assert stock.status == "synced" and stock.codes_uploaded == 3

    fake = world.busifavor.user_receives(stock.stock_id, "o-evt")
    coupon_received(
        mchid=world.merchant.mchid,
        received=CouponReceived(
            notification_id="n1", stock_id=stock.stock_id, code=fake.code, openid="o-evt"
        ),
    )
    placed = order(line("120.00"), voucher_code=fake.code)
    with django_capture_on_commit_callbacks(execute=True):
        host_events.order_created(placed)
    assert fake.state == "USED" and IssuedCoupon.objects.get().order_id == placed.order_id
    with django_capture_on_commit_callbacks(execute=True):
        host_events.order_cancelled(placed.order_id)
    assert fake.state == "SENDED"

    with django_capture_on_commit_callbacks(execute=True):
        host_events.voucher_codes_deleted(voucher.voucher_id, [fake.code])
    assert fake.state == "DEACTIVATED"

    SandboxVoucher.objects.filter(pk=voucher.pk).delete()
    with django_capture_on_commit_callbacks(execute=True):
        host_events.voucher_deleted(voucher.voucher_id)
    assert CouponStock.objects.get().status == "deactivated"


def test_concurrent_syncs_make_one_stock_and_upload_each_code_once(
    merchant, world, make_voucher, transactional_db
):
    voucher = make_voucher(codes=1000)

    results = run_concurrently([lambda: coupon_sync_voucher(voucher_id=voucher.voucher_id)] * 4)

    assert not [r for r in results if isinstance(r, Exception)]
    assert CouponStock.objects.count() == 1 and len(world.busifavor.stocks) == 1
    assert world.calls["busifavor.stocks.create"] == 1
    assert world.calls["busifavor.couponcodes.upload"] == 5
    coupon_sync_voucher(voucher_id=voucher.voucher_id)  # whoever was turned away: a later run finishes
    stock = CouponStock.objects.get()
    assert stock.status == "synced" and stock.codes_uploaded == 1000 and stock.lease_until is None


@pytest.mark.django_db
def test_a_code_handed_out_after_it_was_deleted_is_made_invalid(
    merchant, world, make_voucher, django_capture_on_commit_callbacks
):
    voucher = make_voucher(codes=["ONLY-ONE"])
    [stock] = coupon_sync_voucher(voucher_id=voucher.voucher_id)
    with django_capture_on_commit_callbacks(execute=True):
        host_events.voucher_codes_deleted(voucher.voucher_id, ["ONLY-ONE"])
    fake = world.busifavor.user_receives(stock.stock_id, "o-late")  # WeChat still had it in the pool
    headers, body = world.busifavor.coupon_notification(fake)
    from django.test import Client

    with django_capture_on_commit_callbacks(execute=True):
        response = Client().post(
            f"/wechatpay/coupons/{world.merchant.mchid}/notify/",
            data=body,
            content_type="application/json",
            **{"HTTP_" + k.upper().replace("-", "_"): v for k, v in headers.items()},
        )
    assert response.status_code == 204
    assert fake.state == "DEACTIVATED"
    coupon = IssuedCoupon.objects.get()
    assert (coupon.openid, coupon.state) == ("o-late", "deactivated")
