"""Staff see what WeChat could not do for handed-out coupons (``IssuedCoupon.note``) in voucherCoupon: a count
per note and a paginated list, with translated messages. The notes are made by the real paths (wechatpy's
WeChatCard against the fake Official Account API, the order events)."""

from __future__ import annotations

import json

import pytest

from saleor_wechat_distribution.domain.coupons import CouponTemporaryError
from saleor_wechat_distribution.domain.permissions import Permission
from saleor_wechat_distribution.services.coupons.redemption import (
    coupon_order_cancelled,
    coupon_order_use_give_up,
    coupon_order_used,
)
from saleor_wechat_distribution.testing.factories import staff

from ..graphql.conftest import auth_headers
from .conftest import CHANNEL

pytestmark = pytest.mark.django_db

NOTES = """query($id: ID!, $first: Int, $after: String, $note: CouponNote) { voucherCoupon(voucherId: $id) {
  couponNotes { note count message }
  notedCoupons(first: $first, after: $after, note: $note) {
    totalCount pageInfo { hasNextPage endCursor }
    edges { node { code appId stockId state orderId note message detail } } } } }"""


@pytest.fixture
def gql(client):
    def run(variables, principal=None, **extra):
        response = client.post(
            "/graphql/",
            data=json.dumps({"query": NOTES, "variables": variables}),
            content_type="application/json",
            **auth_headers(principal or staff(Permission.MANAGE_DISCOUNTS)),
            **extra,
        )
        assert response.status_code == 200, response.content
        return response.json()

    return run


@pytest.fixture
def noted(card, mp):
    """One coupon per note, each made the way production makes it."""
    card.codes["LC-0001"] = "DELETE"  # the user deleted it: card/code/consume answers errcode 40127
    coupon_order_used(order_id="O-1", channel=CHANNEL, voucher_code="LC-0001")
    coupon_order_used(order_id="O-2", channel=CHANNEL, voucher_code="LC-0002")
    coupon_order_cancelled(order_id="O-2")  # a consumed legacy card cannot come back
    coupon_order_use_give_up(
        order_id="O-3",
        channel=CHANNEL,
        voucher_code="LC-0003",
        error=CouponTemporaryError("WECHAT_-1", "busy"),
    )


def test_staff_see_coupon_notes_counted_and_listed(gql, noted):
    data = gql({"id": "V-legacy"})["data"]["voucherCoupon"]
    counts = {entry["note"]: entry["count"] for entry in data["couponNotes"]}
    assert counts == {"CARD_CONSUME_REFUSED": 1, "USE_FAILED": 1, "CARD_NOT_RETURNABLE": 1}
    listed = data["notedCoupons"]
    assert listed["totalCount"] == 3 and not listed["pageInfo"]["hasNextPage"]
    by_code = {edge["node"]["code"]: edge["node"] for edge in listed["edges"]}
    refused = by_code["LC-0001"]
    assert (refused["note"], refused["state"], refused["orderId"]) == ("CARD_CONSUME_REFUSED", "ISSUED", None)
    assert refused["detail"].startswith("errcode 40127") and refused["stockId"] == "pLegacyCard0001"
    assert "refused" in refused["message"]
    gone = by_code["LC-0002"]
    assert (gone["note"], gone["state"], gone["orderId"]) == ("CARD_NOT_RETURNABLE", "USED", "O-2")
    assert by_code["LC-0003"]["note"] == "USE_FAILED" and "O-3" in by_code["LC-0003"]["detail"]


def test_noted_coupons_page_and_filter(gql, noted):
    first = gql({"id": "V-legacy", "first": 2})["data"]["voucherCoupon"]["notedCoupons"]
    assert len(first["edges"]) == 2 and first["pageInfo"]["hasNextPage"]
    rest = gql({"id": "V-legacy", "first": 2, "after": first["pageInfo"]["endCursor"]})["data"]
    second = rest["voucherCoupon"]["notedCoupons"]
    assert len(second["edges"]) == 1 and not second["pageInfo"]["hasNextPage"]
    codes = [e["node"]["code"] for e in first["edges"] + second["edges"]]
    assert sorted(codes) == ["LC-0001", "LC-0002", "LC-0003"]
    only = gql({"id": "V-legacy", "note": "CARD_NOT_RETURNABLE"})["data"]["voucherCoupon"]["notedCoupons"]
    assert only["totalCount"] == 1 and only["edges"][0]["node"]["code"] == "LC-0002"
    too_many = gql({"id": "V-legacy", "first": 101})
    assert too_many["errors"][0]["extensions"]["exception"]["code"] == "INVALID"


def test_a_coupon_without_a_note_is_not_listed(gql, card, mp):
    coupon_order_used(order_id="O-9", channel=CHANNEL, voucher_code="LC-0001")  # consumed fine
    data = gql({"id": "V-legacy"})["data"]["voucherCoupon"]
    assert data["couponNotes"] == [] and data["notedCoupons"]["totalCount"] == 0


def test_note_messages_are_translated(gql, noted):
    data = gql({"id": "V-legacy", "note": "CARD_NOT_RETURNABLE"}, HTTP_ACCEPT_LANGUAGE="zh-hans")["data"]
    [count] = [c for c in data["voucherCoupon"]["couponNotes"] if c["note"] == "CARD_NOT_RETURNABLE"]
    assert count["message"] == "订单已取消，但微信无法把已核销的旧版卡券退回卡包。"
    assert data["voucherCoupon"]["notedCoupons"]["edges"][0]["node"]["message"] == count["message"]


def test_coupon_notes_need_manage_discounts(gql, noted):
    result = gql({"id": "V-legacy"}, staff(Permission.MANAGE_ORDERS))
    assert result["data"]["voucherCoupon"] is None
    assert result["errors"][0]["extensions"]["exception"]["code"] == "PermissionDenied"
