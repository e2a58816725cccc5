"""GraphQL: voucherCoupon (staff), couponIssueParams (customers), voucherCouponSync (staff, queued)."""

from __future__ import annotations

import hashlib
import hmac
import json

import pytest

from saleor_wechat_distribution.domain.permissions import Permission
from saleor_wechat_distribution.models import CouponStock, WeChatIdentity
from saleor_wechat_distribution.services.coupons.stock_sync import coupon_sync_voucher
from saleor_wechat_distribution.testing.factories import customer, staff

from ..graphql.conftest import auth_headers

pytestmark = pytest.mark.django_db

STATE = """query($id: ID!) { voucherCoupon(voucherId: $id) { voucherId status stocks {
  mchid appId stockId status codesUploaded codesTotal progress errorCode rejectedCount
  rejectedCodes { code reason } } } }"""
ISSUE = """query($id: ID!) { couponIssueParams(voucherId: $id) { stockId sendCouponMerchant outRequestNo
  miniProgram { sendCouponParams { stockId outRequestNo } sendCouponMerchant sign }
  h5 { url openId sign outRequestNo } } }"""
SYNC = """mutation($id: ID!) { voucherCouponSync(voucherId: $id) { voucherCoupon { status stocks { status } }
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


def reference_sign(params: dict[str, str], key: str) -> str:
    """The V2 HMAC-SHA256 rule written out once more, independently, from WeChat Pay's description."""
    pairs = sorted((k, v) for k, v in params.items() if v)
    message = "&".join(f"{k}={v}" for k, v in pairs) + "&key=" + key
    return hmac.new(key.encode(), message.encode(), hashlib.sha256).hexdigest().upper()


def test_staff_follow_the_sync(gql, merchant, world, make_voucher):
    voucher = make_voucher(codes=["OK-1", "BAD!"])
    coupon_sync_voucher(voucher_id=voucher.voucher_id)
    data = gql(STATE, {"id": voucher.voucher_id}, staff(Permission.MANAGE_DISCOUNTS))["data"]["voucherCoupon"]
    [stock] = data["stocks"]
    assert data["status"] == "FAILED" and stock["errorCode"] == "invalid_code"
    assert (stock["codesUploaded"], stock["codesTotal"], stock["rejectedCount"]) == (1, 2, 1)
    assert stock["rejectedCodes"][0]["code"] == "BAD!" and stock["progress"] == 0.5


@pytest.mark.parametrize("who", [None, "customer", "staff_orders"])
def test_sync_state_needs_manage_discounts(gql, who, make_voucher):
    principal = {"customer": customer(), "staff_orders": staff(Permission.MANAGE_ORDERS)}.get(who)
    result = gql(STATE, {"id": "V1"}, principal)
    assert result["data"]["voucherCoupon"] is None
    assert result["errors"][0]["extensions"]["exception"]["code"] == "PermissionDenied"
    result = gql(SYNC, {"id": "V1"}, principal)
    assert result["errors"][0]["extensions"]["exception"]["code"] == "PermissionDenied"


def test_issue_params_are_signed_with_the_apiv2_key(gql, merchant, world, make_voucher):
    voucher = make_voucher(codes=3)
    [stock] = coupon_sync_voucher(voucher_id=voucher.voucher_id)
    buyer = customer()
    WeChatIdentity.objects.create(app_id=world.merchant.appid, openid="o-buyer-77", user_id=buyer.user_id)
    data = gql(ISSUE, {"id": voucher.voucher_id}, buyer)["data"]["couponIssueParams"]
    key = world.merchant.api_key_v2
    no = data["outRequestNo"]
    mini = data["miniProgram"]
    assert mini["sendCouponParams"] == [{"stockId": stock.stock_id, "outRequestNo": no}]
    assert mini["sign"] == reference_sign(
        {"stock_id0": stock.stock_id, "out_request_no0": no, "send_coupon_merchant": world.merchant.mchid},
        key,
    )
    h5 = data["h5"]
    assert h5["openId"] == "o-buyer-77"
    assert h5["sign"] == reference_sign(
        {"stock_id": stock.stock_id, "out_request_no": no, "send_coupon_merchant": world.merchant.mchid,
         "open_id": "o-buyer-77"}, key,
    )  # fmt: skip
    assert h5["url"].startswith("https://action.weixin.qq.com/busifavor/getcouponinfo?")
    assert h5["url"].endswith("#wechat_redirect")
    # a fresh 发券凭证 each time
    assert gql(ISSUE, {"id": voucher.voucher_id}, buyer)["data"]["couponIssueParams"]["outRequestNo"] != no


def test_issue_params_without_identity_or_stock(gql, merchant, world, make_voucher):
    voucher = make_voucher(codes=3)
    assert (
        gql(ISSUE, {"id": voucher.voucher_id}, customer())["errors"][0]["extensions"]["exception"]["code"]
        == "NOT_SYNCED"
    )
    coupon_sync_voucher(voucher_id=voucher.voucher_id)
    data = gql(ISSUE, {"id": voucher.voucher_id}, customer())["data"]["couponIssueParams"]
    assert data["h5"] is None and data["miniProgram"]["sign"]
    assert gql(ISSUE, {"id": voucher.voucher_id})["errors"][0]["extensions"]["exception"]["code"] == (
        "PermissionDenied"
    )
    too_long = gql(ISSUE, {"id": "x" * 65}, customer())["errors"][0]
    assert too_long["extensions"]["exception"]["code"] == "INVALID"


def test_staff_resync_after_failure(gql, merchant, world, make_voucher, django_capture_on_commit_callbacks):
    world.busifavor.enabled = False
    voucher = make_voucher(codes=2)
    coupon_sync_voucher(voucher_id=voucher.voucher_id)
    assert CouponStock.objects.get().status == "failed"
    world.busifavor.enabled = True  # the merchant got the 商家券 product
    with django_capture_on_commit_callbacks(execute=True):
        result = gql(SYNC, {"id": voucher.voucher_id}, staff(Permission.MANAGE_DISCOUNTS))
    assert result["data"]["voucherCouponSync"]["errors"] == []
    assert CouponStock.objects.get().status == "synced"  # the queued task ran (eager) after commit


@pytest.mark.parametrize(
    ("voucher_id", "code"), [("nope", "NOT_FOUND"), ("", "INVALID"), ("x" * 65, "INVALID")]
)
def test_resync_bad_input(gql, merchant, voucher_id, code):
    result = gql(SYNC, {"id": voucher_id}, staff(Permission.MANAGE_DISCOUNTS))
    assert result["data"]["voucherCouponSync"]["errors"][0]["code"] == code


def test_resync_without_a_merchant(gql, make_voucher):
    from saleor_wechat_distribution import host

    saved = host.current()
    host.update(coupon_gateways=lambda channel, distributor_id: [])
    try:
        voucher = make_voucher(codes=1)
        result = gql(SYNC, {"id": voucher.voucher_id}, staff(Permission.MANAGE_DISCOUNTS))
    finally:
        host.install(saved)
    assert result["data"]["voucherCouponSync"]["errors"][0]["code"] == "NOT_CONFIGURED"


def test_coupon_errors_follow_accept_language(gql, merchant):
    result = gql(SYNC, {"id": "nope"}, staff(Permission.MANAGE_DISCOUNTS), HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert result["data"]["voucherCouponSync"]["errors"][0]["message"] == "优惠券不存在。"


LINK = """mutation($id: ID!, $app: String!, $card: String!) {
  voucherCardLink(voucherId: $id, appId: $app, cardId: $card) { cardId errors { field code } } }"""


def test_staff_link_a_legacy_card(gql, make_voucher):
    voucher = make_voucher(codes=["LEGACY-1"])
    admin = staff(Permission.MANAGE_DISCOUNTS)
    variables = {"id": voucher.voucher_id, "app": "wxOA0000000000001", "card": "pLegacyCard01"}
    answer = gql(LINK, variables, admin)["data"]["voucherCardLink"]
    assert answer == {"cardId": "pLegacyCard01", "errors": []}
    link = CouponStock.objects.get(kind="card", voucher_id=voucher.voucher_id)
    assert (link.stock_id, link.app_id, link.channel) == (
        "pLegacyCard01",
        "wxOA0000000000001",
        voucher.channel,
    )
    for principal in (None, customer(), staff(Permission.MANAGE_ORDERS)):
        denied = gql(LINK, {**variables, "card": "other"}, principal)
        assert denied["errors"][0]["extensions"]["exception"]["code"] == "PermissionDenied"
    assert CouponStock.objects.get(kind="card").stock_id == "pLegacyCard01"


@pytest.mark.parametrize(
    ("variables", "field", "code"),
    [
        ({"id": "NO-SUCH", "app": "wxOA", "card": "pCard"}, "voucherId", "NOT_FOUND"),
        ({"id": "V-x", "app": "wx" * 20, "card": "pCard"}, "appId", "INVALID"),
        ({"id": "V-x", "app": "wxOA", "card": " "}, "cardId", "INVALID"),
        ({"id": "V-x", "app": "wxOA", "card": "bad\x00"}, "cardId", "INVALID"),
    ],
)
def test_card_link_bad_input(gql, make_voucher, variables, field, code):
    make_voucher(codes=1, voucher_id="V-x")
    answer = gql(LINK, variables, staff(Permission.MANAGE_DISCOUNTS))["data"]["voucherCardLink"]
    assert [(e["field"], e["code"]) for e in answer["errors"]] == [(field, code)]
    assert not CouponStock.objects.filter(kind="card").exists()


def test_staff_see_what_wechat_could_not_take(gql, merchant, world, make_voucher):
    voucher = make_voucher(codes=2, name="旧名字")
    coupon_sync_voucher(voucher_id=voucher.voucher_id)
    voucher.name = "新名字"
    voucher.save()
    coupon_sync_voucher(voucher_id=voucher.voucher_id)
    query = """query($id: ID!) { voucherCoupon(voucherId: $id) { status stocks { status errorCode
      notices { code message } } } }"""
    data = gql(query, {"id": voucher.voucher_id}, staff(Permission.MANAGE_DISCOUNTS))["data"]["voucherCoupon"]
    [stock] = data["stocks"]
    assert data["status"] == "SYNCED" and stock["errorCode"] is None
    assert [n["code"] for n in stock["notices"]] == ["NAME_NOT_UPDATABLE"] and "旧名字" in stock["notices"][
        0
    ]["message"]
