"""voucherCouponStockAttach: a voucher whose 创建商家券 was answered RESOURCE_ALREADY_EXISTS without a stock
id (``failed`` / ``STOCK_EXISTS``) gets its stock by id from staff; the stock is fetched with 查询商家券详情
through wechatpayv3's real client against the fake WeChat Pay, checked, attached, and the sync resumes."""

from __future__ import annotations

import copy
import json
from datetime import timedelta

import pytest
from django.utils import timezone

from saleor_wechat_distribution.domain.coupons import CouponRateLimited, CouponTemporaryError, rfc3339
from saleor_wechat_distribution.domain.errors import DistributionError
from saleor_wechat_distribution.domain.permissions import Permission
from saleor_wechat_distribution.models import CouponStock
from saleor_wechat_distribution.services.coupons.stock_attach import coupon_stock_attach
from saleor_wechat_distribution.services.coupons.stock_sync import coupon_sync_voucher
from saleor_wechat_distribution.testing.factories import customer, staff

from ..graphql.conftest import auth_headers

pytestmark = pytest.mark.django_db

ATTACH = """mutation($id: ID!, $stock: String!) {
  voucherCouponStockAttach(voucherId: $id, stockId: $stock) {
    voucherCoupon { status stocks { stockId status errorCode } }
    errors { field code message } } }"""


@pytest.fixture
def gql(client):
    def run(query, variables=None, principal=None, **extra):
        response = client.post(
            "/graphql/",
            data=json.dumps({"query": query, "variables": variables or {}}),
            content_type="application/json",
            **auth_headers(principal),
            **extra,
        )
        assert response.status_code == 200, response.content
        return response.json()

    return run


def stock_exists(world, merchant, voucher) -> tuple[CouponStock, str]:
    """The voucher's stock in the state the attach mends: WeChat Pay made the stock for the first
    创建商家券, whose answer was lost; the repeat was answered RESOURCE_ALREADY_EXISTS without its id."""
    world.busifavor.faults = ["SYSTEM_ERROR"]
    with pytest.raises(CouponTemporaryError):  # the request body is stored, no stock id yet
        coupon_sync_voucher(voucher_id=voucher.voucher_id)
    row = CouponStock.objects.get(voucher_id=voucher.voucher_id)
    stock_id = merchant.stock_create(body=row.request)  # the lost request, as WeChat Pay received it
    world.busifavor.duplicate_create = "exists"
    coupon_sync_voucher(voucher_id=voucher.voucher_id)
    row.refresh_from_db()
    assert (row.status, row.error_code, row.stock_id) == ("failed", "STOCK_EXISTS", "")
    return row, stock_id


def attach(gql, voucher_id, stock_id, **extra):
    result = gql(ATTACH, {"id": voucher_id, "stock": stock_id}, staff(Permission.MANAGE_DISCOUNTS), **extra)
    return result["data"]["voucherCouponStockAttach"]


def test_staff_attach_the_stock_and_the_sync_resumes(
    gql, merchant, world, make_voucher, django_capture_on_commit_callbacks
):
    voucher = make_voucher(codes=450)
    row, stock_id = stock_exists(world, merchant, voucher)
    with django_capture_on_commit_callbacks(execute=True):
        data = attach(gql, voucher.voucher_id, stock_id)
    assert data["errors"] == []
    assert data["voucherCoupon"]["stocks"] == [{"stockId": stock_id, "status": "PENDING", "errorCode": None}]
    row.refresh_from_db()  # the queued sync ran (eager) after commit: codes uploaded into that stock
    assert (row.status, row.stock_id, row.codes_uploaded, row.codes_total) == ("synced", stock_id, 450, 450)
    assert len(world.busifavor.stocks) == 1 and len(world.busifavor.stocks[stock_id].codes) == 450
    assert world.calls["busifavor.couponcodes.upload"] == 3  # 200 + 200 + 50
    assert attach(gql, voucher.voucher_id, stock_id)["errors"][0]["code"] == "NOT_AWAITING_STOCK"


def test_the_resumed_upload_continues_after_the_last_confirmed_batch(merchant, world, make_voucher):
    voucher = make_voucher(codes=500)
    row, stock_id = stock_exists(world, merchant, voucher)
    coupon_stock_attach(voucher_id=voucher.voucher_id, stock_id=stock_id)
    real_upload, sent = merchant.codes_upload, []

    def flaky(**kwargs):  # the second batch meets a rate limit (the fake answers 429 FREQUENCY_LIMITED)
        sent.append(kwargs["codes"][0])
        if len(sent) == 2:
            world.busifavor.faults.append("FREQUENCY_LIMITED")
        return real_upload(**kwargs)

    merchant.codes_upload = flaky
    with pytest.raises(CouponRateLimited):
        coupon_sync_voucher(voucher_id=voucher.voucher_id)
    row.refresh_from_db()
    assert (row.status, row.stock_id, row.codes_uploaded) == ("syncing", stock_id, 200)
    coupon_sync_voucher(voucher_id=voucher.voucher_id)
    row.refresh_from_db()
    assert (row.status, row.codes_uploaded) == ("synced", 500)
    assert sent[2] == sent[1] and len(sent) == 4  # the refused batch again, nothing before it
    assert len(world.busifavor.stocks[stock_id].codes) == 500


def test_a_goods_name_edited_in_the_platform_is_pushed_back(merchant, world, make_voucher):
    voucher = make_voucher(codes=3)
    row, stock_id = stock_exists(world, merchant, voucher)
    world.busifavor.stocks[stock_id].body["goods_name"] = "平台里改过"  # not what identifies the voucher
    coupon_stock_attach(voucher_id=voucher.voucher_id, stock_id=stock_id)
    coupon_sync_voucher(voucher_id=voucher.voucher_id)
    row.refresh_from_db()
    assert row.status == "synced"
    assert world.busifavor.stocks[stock_id].body["goods_name"] == row.request["goods_name"]


def _variant(body: dict, change) -> dict:
    changed = copy.deepcopy(body)
    change(changed)
    return changed


def _percentage(body):
    body["stock_type"] = "DISCOUNT"
    body["coupon_use_rule"].pop("fixed_normal_coupon")
    body["coupon_use_rule"]["discount_coupon"] = {"discount_percent": 90, "transaction_minimum": 10000}


def _amount(body):
    body["coupon_use_rule"]["fixed_normal_coupon"]["discount_amount"] = 2000


def _api_mode(body):
    body["coupon_code_mode"] = "MERCHANT_API"


def _comment(body):
    body["comment"] = "voucher V-other"


def _dates(body):
    body["coupon_use_rule"]["coupon_available_time"]["available_end_time"] = rfc3339(
        timezone.now() + timedelta(days=90)
    )


def _appid(body):
    body["notify_config"] = {"notify_appid": "wxother0000000001"}


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (_percentage, "stock_type"),
        (_amount, "fixed_normal_coupon"),
        (_api_mode, "coupon_code_mode"),
        (_comment, "comment"),
        (_dates, "coupon_available_time"),
        (_appid, "notify_appid"),
    ],
)
def test_a_stock_of_another_shape_is_refused(gql, merchant, world, make_voucher, change, field):
    voucher = make_voucher(codes=3)
    row, _stock_id = stock_exists(world, merchant, voucher)
    other = world.busifavor.other_stock(_variant(row.request, change))
    data = attach(gql, voucher.voucher_id, other)
    [error] = data["errors"]
    assert (error["code"], error["field"]) == ("SHAPE_MISMATCH", "stockId") and field in error["message"]
    assert data["voucherCoupon"] is None
    row.refresh_from_db()
    assert (row.status, row.error_code, row.stock_id) == ("failed", "STOCK_EXISTS", "")  # nothing written


def test_refusals(gql, merchant, world, make_voucher):
    voucher = make_voucher(codes=3)
    row, stock_id = stock_exists(world, merchant, voucher)
    elsewhere = _variant(row.request, lambda body: body.update(belong_merchant="1900009999"))
    theirs = world.busifavor.other_stock(elsewhere)
    synced = make_voucher(codes=2)
    [taken] = coupon_sync_voucher(voucher_id=synced.voucher_id)
    cases = [
        (voucher.voucher_id, "1282999999999999", "STOCK_NOT_FOUND", "stockId"),  # 404 RESOURCE_NOT_EXISTS
        (voucher.voucher_id, theirs, "OTHER_MERCHANT", "stockId"),
        (voucher.voucher_id, taken.stock_id, "STOCK_TAKEN", "stockId"),
        (voucher.voucher_id, "12ab", "INVALID", "stockId"),
        (voucher.voucher_id, " ", "INVALID", "stockId"),
        (voucher.voucher_id, "1" * 21, "INVALID", "stockId"),
        ("nope", stock_id, "NOT_FOUND", "voucherId"),
        ("x" * 65, stock_id, "INVALID", "voucherId"),
        (synced.voucher_id, stock_id, "NOT_AWAITING_STOCK", "voucherId"),  # a healthy voucher
    ]
    for voucher_id, candidate, code, field in cases:
        [error] = attach(gql, voucher_id, candidate)["errors"]
        assert (error["code"], error["field"]) == (code, field), (voucher_id, candidate)
    world.busifavor.faults = ["NO_AUTH"]  # a stock this merchant may not see
    assert attach(gql, voucher.voucher_id, stock_id)["errors"][0]["code"] == "OTHER_MERCHANT"
    world.busifavor.faults = ["SYSTEM_ERROR"]
    assert attach(gql, voucher.voucher_id, stock_id)["errors"][0]["code"] == "WECHAT_UNAVAILABLE"
    world.busifavor.faults = ["PARAM_ERROR"]
    [error] = attach(gql, voucher.voucher_id, stock_id)["errors"]
    assert error["code"] == "WECHAT_ERROR" and "PARAM_ERROR" in error["message"]
    row.refresh_from_db()
    assert (row.status, row.error_code, row.stock_id) == ("failed", "STOCK_EXISTS", "")
    assert attach(gql, voucher.voucher_id, stock_id)["errors"] == []  # the right one still attaches


def test_one_stock_attaches_to_one_voucher(merchant, world, make_voucher):
    first, second = make_voucher(codes=2), make_voucher(codes=2)
    _row, stock_id = stock_exists(world, merchant, first)
    stock_exists(world, merchant, second)
    coupon_stock_attach(voucher_id=first.voucher_id, stock_id=stock_id)
    with pytest.raises(DistributionError) as refused:
        coupon_stock_attach(voucher_id=second.voucher_id, stock_id=stock_id)
    assert refused.value.code.value == "stock_taken"


@pytest.mark.parametrize("who", [None, "customer", "staff_orders"])
def test_attach_needs_manage_discounts(gql, merchant, world, make_voucher, who):
    voucher = make_voucher(codes=2)
    row, stock_id = stock_exists(world, merchant, voucher)
    principal = {"customer": customer(), "staff_orders": staff(Permission.MANAGE_ORDERS)}.get(who)
    result = gql(ATTACH, {"id": voucher.voucher_id, "stock": stock_id}, principal)
    assert result["errors"][0]["extensions"]["exception"]["code"] == "PermissionDenied"
    row.refresh_from_db()
    assert row.stock_id == "" and world.calls["busifavor.stocks.query"] == 0


def test_attach_errors_are_translated(gql, merchant, world, make_voucher):
    voucher = make_voucher(codes=2)
    stock_exists(world, merchant, voucher)
    [error] = attach(gql, voucher.voucher_id, "1282999999999999", HTTP_ACCEPT_LANGUAGE="zh-hans")["errors"]
    assert error["message"] == "微信支付没有这个批次号的批次。"


def test_with_several_merchants_the_stock_goes_to_the_row_it_was_made_for(world, gateway, make_voucher):
    from saleor_wechat_distribution import host
    from saleor_wechat_distribution.wechat.coupons import WeChatPayCoupons

    from .conftest import coupon_settings

    second = WeChatPayCoupons(coupon_settings(world, appid="wx8888888888888888"))
    saved = host.current()
    host.update(coupon_gateways=lambda channel, distributor_id: [gateway, second])
    try:
        voucher = make_voucher(codes=40)
        world.busifavor.faults = ["SYSTEM_ERROR", "SYSTEM_ERROR"]
        with pytest.raises(CouponTemporaryError):
            coupon_sync_voucher(voucher_id=voucher.voucher_id)
        rows = list(CouponStock.objects.order_by("pk"))
        made = [gateway.stock_create(body=row.request) for row in rows]  # both lost answers
        world.busifavor.duplicate_create = "exists"
        coupon_sync_voucher(voucher_id=voucher.voucher_id)
        assert {row.refresh_from_db() or row.error_code for row in rows} == {"STOCK_EXISTS"}
        coupon_stock_attach(voucher_id=voucher.voucher_id, stock_id=made[1])
        for row in rows:
            row.refresh_from_db()
        assert (rows[0].stock_id, rows[1].stock_id) == ("", made[1])  # the second app's, not the first's
        assert rows[0].error_code == "STOCK_EXISTS"
        coupon_stock_attach(voucher_id=voucher.voucher_id, stock_id=made[0])
        coupon_sync_voucher(voucher_id=voucher.voucher_id)
    finally:
        host.install(saved)
    for row, stock_id in zip(rows, made, strict=True):
        row.refresh_from_db()
        assert (row.status, row.stock_id) == ("synced", stock_id)
    held = [world.busifavor.stocks[stock_id].codes for stock_id in made]
    assert not held[0] & held[1] and len(held[0] | held[1]) == 40
