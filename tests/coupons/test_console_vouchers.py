"""GraphQL: voucherCoupons, the vouchers list of the console's card-pack coupons page (staff, paged,
searchable, each voucher with its stocks and notes; statements per page independent of its size)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from saleor_wechat_distribution.domain.coupons import CouponNote
from saleor_wechat_distribution.domain.permissions import Permission
from saleor_wechat_distribution.models import IssuedCoupon
from saleor_wechat_distribution.services.coupons.stock_sync import coupon_sync_voucher
from saleor_wechat_distribution.testing.factories import customer, staff

from .test_graphql import gql  # noqa: F401 - fixture

pytestmark = pytest.mark.django_db

LIST = """query($first: Int, $after: String, $search: String) {
  voucherCoupons(first: $first, after: $after, search: $search) {
    totalCount pageInfo { hasNextPage endCursor }
    edges { node { voucherId name channel codeCount active
      coupon { status stocks { stockId status codesUploaded codesTotal kind } couponNotes { note count } } } }
  }
}"""


def listed(gql, principal=None, **variables):  # noqa: F811
    answer = gql(LIST, variables, principal or staff(Permission.MANAGE_DISCOUNTS))
    assert "errors" not in answer, answer
    return answer["data"]["voucherCoupons"]


def test_newest_first_with_the_sync_state(gql, merchant, world, make_voucher):  # noqa: F811
    old = make_voucher(codes=["OK-1", "OK-2"])
    new = make_voucher(codes=1, name="新人券 welcome")
    [stock] = coupon_sync_voucher(voucher_id=old.voucher_id)
    page = listed(gql)
    assert page["totalCount"] == 2
    nodes = [edge["node"] for edge in page["edges"]]
    assert [n["voucherId"] for n in nodes] == [new.voucher_id, old.voucher_id]
    assert nodes[0]["coupon"] == {"status": None, "stocks": [], "couponNotes": []}
    assert (nodes[0]["name"], nodes[0]["codeCount"], nodes[0]["active"]) == ("新人券 welcome", 1, True)
    synced = nodes[1]["coupon"]
    assert synced["status"] == "SYNCED"
    assert synced["stocks"] == [
        {
            "stockId": stock.stock_id,
            "status": "SYNCED",
            "codesUploaded": 2,
            "codesTotal": 2,
            "kind": "busifavor",
        }
    ]
    assert stock.stock_id in world.busifavor.stocks


def test_paging_and_search(gql, make_voucher):  # noqa: F811
    vouchers = [make_voucher(codes=1) for _ in range(5)]
    special = make_voucher(codes=["SPRING-2026"], name="春季 Spring sale")
    first = listed(gql, first=3)
    assert first["totalCount"] == 6 and first["pageInfo"]["hasNextPage"]
    second = listed(gql, first=3, after=first["pageInfo"]["endCursor"])
    assert not second["pageInfo"]["hasNextPage"]
    seen = [e["node"]["voucherId"] for e in first["edges"] + second["edges"]]
    assert seen == [special.voucher_id] + [v.voucher_id for v in reversed(vouchers)]
    for search in ("spring", "SPRING-2026", special.voucher_id):
        found = listed(gql, search=search)
        assert [e["node"]["voucherId"] for e in found["edges"]] == [special.voucher_id], search
        assert found["totalCount"] == 1
    assert listed(gql, search="nothing like it") == {
        "totalCount": 0,
        "pageInfo": {"hasNextPage": False, "endCursor": None},
        "edges": [],
    }


def test_bad_cursor_and_page_size_are_clear_errors(gql):  # noqa: F811
    principal = staff(Permission.MANAGE_DISCOUNTS)
    for variables, field in (({"after": "nonsense"}, "after"), ({"first": 1000}, "first")):
        answer = gql(LIST, variables, principal)
        assert answer["errors"][0]["extensions"]["exception"]["code"] == "INVALID", answer
        assert answer["errors"][0]["extensions"]["exception"]["field"] == field


@pytest.mark.parametrize("who", [None, "customer", "staff_users"])
def test_needs_manage_discounts(gql, who):  # noqa: F811
    principal = {"customer": customer(), "staff_users": staff(Permission.MANAGE_USERS)}.get(who)
    answer = gql(LIST, {}, principal)
    assert answer["data"] is None or answer["data"]["voucherCoupons"] is None
    assert answer["errors"][0]["extensions"]["exception"]["code"] == "PermissionDenied"


def _statements(gql, first: int) -> int:  # noqa: F811
    principal = staff(Permission.MANAGE_DISCOUNTS)
    with CaptureQueriesContext(connection) as queries:
        page = listed(gql, principal, first=first)
    assert len(page["edges"]) == first
    return len(queries)


def test_statements_per_page_do_not_grow_with_its_size(gql, merchant, make_voucher):  # noqa: F811
    for index in range(12):
        voucher = make_voucher(codes=2)
        if index % 2:
            [stock] = coupon_sync_voucher(voucher_id=voucher.voucher_id)
            IssuedCoupon.objects.create(
                stock=stock,
                code=f"C-{index}",
                app_id=stock.app_id,
                openid="o-1",
                note=f"{CouponNote.USE_FAILED.value}: errcode 1",
            )
    small, large = _statements(gql, 2), _statements(gql, 12)
    assert small == large, (small, large)
    notes = [e["node"]["coupon"]["couponNotes"] for e in listed(gql, first=12)["edges"]]
    assert notes.count([{"note": "USE_FAILED", "count": 1}]) == 6 and notes.count([]) == 6
