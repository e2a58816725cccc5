"""Voucher edits after the stock exists, and a repeated 创建商家券: wechatpayv3's real client against the fake
WeChat Pay, which answers the way WeChat Pay's API pages document (see testing/fake_wechatpay/
busifavor.py)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from saleor_wechat_distribution import host_events
from saleor_wechat_distribution.domain.coupons import CouponApiError, CouponStockExists, CouponTemporaryError
from saleor_wechat_distribution.models import CouponStock
from saleor_wechat_distribution.services.coupons.stock_sync import coupon_sync_voucher

pytestmark = pytest.mark.django_db


def sync(voucher) -> CouponStock:
    [stock] = coupon_sync_voucher(voucher_id=voucher.voucher_id)
    stock.refresh_from_db()
    return stock


def notice_codes(stock: CouponStock) -> list[str]:
    return [n["code"] for n in stock.notices]


# --- 1. a repeated 创建商家券 ----------------------------------------------------------------------------


def test_a_repeated_create_answered_with_the_first_stock_is_that_stock(merchant, world, make_voucher):
    voucher = make_voucher(codes=3)
    stock = sync(voucher)
    body = stock.request
    assert merchant.stock_create(body=body) == stock.stock_id  # same out_request_no, same body
    assert len(world.busifavor.stocks) == 1


def test_a_repeated_create_refused_as_existing_never_makes_a_second_stock(merchant, world, make_voucher):
    world.busifavor.duplicate_create = "exists"  # the other answer the docs leave possible
    voucher = make_voucher(codes=3)
    real_create = merchant.stock_create

    def answer_lost(**kwargs):
        real_create(**kwargs)  # WeChat made the stock, the answer never came
        raise CouponTemporaryError("NETWORK_ERROR", "ReadTimeout")

    merchant.stock_create = answer_lost
    with pytest.raises(CouponTemporaryError):
        coupon_sync_voucher(voucher_id=voucher.voucher_id)
    merchant.stock_create = real_create
    with pytest.raises(CouponStockExists):
        merchant.stock_create(body=CouponStock.objects.get().request)

    for _ in range(2):  # the retry, then a staff re-sync: still one stock, visibly failed
        stock = sync(voucher)
        assert (stock.status, stock.error_code, stock.stock_id) == ("failed", "STOCK_EXISTS", "")
        assert stock.out_request_no in stock.error_message
    assert len(world.busifavor.stocks) == 1


# --- 2. usage limit -> budget, up and down --------------------------------------------------------------


def test_the_usage_limit_moves_the_budget_up_and_down(merchant, world, make_voucher):
    voucher = make_voucher(codes=10, usage_limit=4)
    stock = sync(voucher)
    fake = world.busifavor.stocks[stock.stock_id]
    assert fake.max_coupons == 4

    for limit, expected in ((8, 8), (3, 3), (8, 8), (3, 3), (None, 10)):  # back and forth, same numbers
        voucher.usage_limit = limit
        voucher.save()
        stock = sync(voucher)
        assert (fake.max_coupons, stock.max_coupons, stock.status) == (expected, expected, "synced")
    assert world.calls["busifavor.stocks.budget"] == 5
    assert len(fake.codes) == 10 and stock.codes_uploaded == 10


def test_the_budget_never_goes_below_the_coupons_handed_out(merchant, world, make_voucher):
    voucher = make_voucher(codes=6)
    stock = sync(voucher)
    for openid in ("o-1", "o-2", "o-3"):
        world.busifavor.user_receives(stock.stock_id, openid)
    voucher.usage_limit = 1
    voucher.save()
    stock = sync(voucher)
    assert world.busifavor.stocks[stock.stock_id].max_coupons == 3 == stock.max_coupons
    assert stock.status == "synced" and notice_codes(stock) == ["BUDGET_BELOW_ISSUED"]
    voucher.usage_limit = 5
    voucher.save()
    stock = sync(voucher)
    assert stock.max_coupons == 5 and stock.notices == []


def test_a_budget_change_whose_answer_was_lost_is_not_sent_again(merchant, world, make_voucher):
    voucher = make_voucher(codes=10, usage_limit=4)
    stock = sync(voucher)
    real_budget = merchant.stock_budget

    def answer_lost(**kwargs):
        real_budget(**kwargs)
        raise CouponTemporaryError("NETWORK_ERROR", "ReadTimeout")

    merchant.stock_budget = answer_lost
    voucher.usage_limit = 7
    voucher.save()
    with pytest.raises(CouponTemporaryError):
        coupon_sync_voucher(voucher_id=voucher.voucher_id)
    merchant.stock_budget = real_budget
    stock = sync(voucher)
    assert world.calls["busifavor.stocks.budget"] == 1  # WeChat already had 7: nothing re-sent
    assert (stock.max_coupons, stock.codes_uploaded, stock.status) == (7, 7, "synced")


def test_the_usage_limit_changed_by_a_voucher_updated_event(
    merchant, world, make_voucher, django_capture_on_commit_callbacks
):
    voucher = make_voucher(codes=5)
    stock = sync(voucher)
    voucher.usage_limit = 2
    voucher.save()
    with django_capture_on_commit_callbacks(execute=True):
        host_events.voucher_updated(voucher.voucher_id)  # -> the coupon_sync Celery task (eager here)
    assert world.busifavor.stocks[stock.stock_id].max_coupons == 2


# --- 2. names, goods name, dates ----------------------------------------------------------------------


def test_the_goods_name_is_pushed_once(merchant, world, make_voucher):
    voucher = make_voucher(codes=2)
    stock = sync(voucher)
    merchant.goods_name = "新品专区可用"
    for _ in range(2):
        stock = sync(voucher)
    fake = world.busifavor.stocks[stock.stock_id]
    assert fake.body["goods_name"] == "新品专区可用" and world.calls["busifavor.stocks.modify"] == 1
    assert stock.status == "synced" and stock.pushed["goods_name"] == "新品专区可用"


def test_a_renamed_voucher_shows_that_wechat_keeps_the_old_name(merchant, world, make_voucher):
    voucher = make_voucher(codes=2, name="满100减10")
    stock = sync(voucher)
    voucher.name = "满100减10 新名字"
    voucher.save()
    stock = sync(voucher)
    assert stock.status == "synced" and notice_codes(stock) == ["NAME_NOT_UPDATABLE"]
    assert "满100减10" in stock.notices[0]["message"]
    assert world.busifavor.stocks[stock.stock_id].body["stock_name"] == "满100减10"
    assert world.calls["busifavor.stocks.modify"] == 0  # stock_name "暂不支持修改": nothing sent
    voucher.name = "满100减10"
    voucher.save()
    assert sync(voucher).notices == []


def test_changed_dates_are_a_visible_failure_until_restored(merchant, world, make_voucher):
    end = timezone.now() + timedelta(days=30)
    voucher = make_voucher(codes=2, end=end)
    stock = sync(voucher)
    voucher.end = end + timedelta(days=10)
    voucher.save()
    stock = sync(voucher)
    assert (stock.status, stock.error_code) == ("failed", "DATES_CHANGED")
    assert world.calls["busifavor.stocks.modify"] == 0
    voucher.end = end
    voucher.save()
    stock = sync(voucher)
    assert (stock.status, stock.error_code) == ("synced", "")
    assert world.calls["busifavor.stocks.create"] == 1


def test_a_start_moved_within_the_past_changes_nothing_in_wechat(merchant, world, make_voucher):
    voucher = make_voucher(codes=2, start=timezone.now() - timedelta(days=3))
    sync(voucher)
    voucher.start = timezone.now() - timedelta(days=1)  # both before the stock was made
    voucher.save()
    assert sync(voucher).status == "synced"
    voucher.start = timezone.now() + timedelta(days=1)
    voucher.save()
    assert sync(voucher).error_code == "DATES_CHANGED"


# --- the fake answers as documented -------------------------------------------------------------------


def test_the_fake_refuses_what_wechat_cannot_modify(merchant, world, make_voucher):
    stock = sync(make_voucher(codes=2))
    client = merchant._client

    def patch(body):
        return merchant._call(
            lambda: client._core.request(
                f"/v3/marketing/busifavor/stocks/{stock.stock_id}", method=_patch(), data=body
            )
        )

    with pytest.raises(CouponApiError) as refused:
        patch({"out_request_no": "M1", "stock_name": "新名字"})
    assert refused.value.code == "PARAM_ERROR"
    later = {"coupon_available_time": {"available_end_time": "2030-01-01T00:00:00+08:00"}}
    with pytest.raises(CouponApiError) as refused:
        patch({"out_request_no": "M2", "coupon_use_rule": later})
    assert refused.value.code == "PARAM_ERROR"
    with pytest.raises(CouponApiError) as refused:  # current_max_coupons must be the stock's
        merchant.stock_budget(stock_id=stock.stock_id, request_no="B1", max_coupons=9, current=7)
    assert refused.value.code == "INVALID_REQUEST"


def _patch():
    from wechatpayv3.type import RequestType

    return RequestType.PATCH
