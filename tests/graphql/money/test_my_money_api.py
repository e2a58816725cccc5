"""A distributor's own money through HTTP: myCommissions, myBalance, myWithdrawals,
myAttributedOrders, referralLink.

Every operation runs as each of the six roles, as ``__init__`` describes.
"""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from saleor_wechat_distribution.domain.permissions import Permission
from saleor_wechat_distribution.models import (
    OrderAttribution,
)

from ..conftest import Gql, assert_top_level_error
from ..conftest_commissions import (
    CHANNEL,
    PACKAGE_INFO,
    STOREFRONT,
    MoneyWorld,
    money_snapshot,
)
from .api import (
    BALANCES,
    DENIED,
    MY_BALANCE,
    MY_COMMISSIONS,
    MY_ORDERS,
    MY_TABLE,
    MY_WITHDRAWALS,
    NOT_A_DISTRIBUTOR,
    assert_refused,
    cells,
    gid,
    money,
    ok,
    pks,
)

pytestmark = pytest.mark.django_db


# --------------------------------------------------------------------------------------------------
# myCommissions(status, first, after)
# --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("role", "expected"), cells(MY_TABLE))
def test_my_commissions(mw: MoneyWorld, gql: Gql, role: str, expected: str) -> None:
    caller = mw.callers(Permission.MANAGE_ORDERS)[role]
    before = money_snapshot()
    result = gql(MY_COMMISSIONS, {}, caller)
    if expected in (DENIED, NOT_A_DISTRIBUTOR):
        assert_refused(result, expected, "myCommissions", before)
        return
    own = mw.commissions_of(expected)
    page = ok(result, "myCommissions")
    assert pks(page["edges"], "Commission") == [c.pk for c in own]  # newest first, only its own
    assert page["totalCount"] == len(own)
    assert {edge["node"]["distributor"]["id"] for edge in page["edges"]} == {mw.world.gid(expected)}
    # one page at a time, through the cursor
    first = ok(gql(MY_COMMISSIONS, {"first": 1}, caller), "myCommissions")
    assert first["pageInfo"]["hasNextPage"] is True
    rest = ok(gql(MY_COMMISSIONS, {"after": first["pageInfo"]["endCursor"]}, caller), "myCommissions")
    assert pks(first["edges"] + rest["edges"], "Commission") == [c.pk for c in own]
    # by status
    available = ok(gql(MY_COMMISSIONS, {"status": "AVAILABLE"}, caller), "myCommissions")
    assert pks(available["edges"], "Commission") == [c.pk for c in own if c.status == "available"]


def test_my_commissions_amounts(mw: MoneyWorld, gql: Gql) -> None:
    page = ok(gql(MY_COMMISSIONS, {}, mw.principal("A")), "myCommissions")
    assert [
        (e["node"]["orderId"], e["node"]["level"], e["node"]["status"], e["node"]["amount"])
        for e in page["edges"]
    ] == [
        ("o-A-placed", 1, "PENDING", money("5.00")),
        ("o-A1-paid", 2, "FROZEN", money("6.00")),
        ("o-A-paid", 1, "AVAILABLE", money("10.00")),
    ]


def test_a_commission_page_loads_its_distributors_in_one_query(mw: MoneyWorld, gql: Gql) -> None:
    query = "query($first: Int) { commissions(first: $first) { edges { node { distributor { id } } } } }"
    staff_ = mw.staff[Permission.MANAGE_ORDERS]
    counts = []
    for first in (1, 7):
        with CaptureQueriesContext(connection) as queries:
            edges = ok(gql(query, {"first": first}, staff_), "commissions")["edges"]
        assert len(edges) == first
        counts.append(len(queries))
    assert counts[0] == counts[1], "the distributors of a page must come from one batched query"


# --------------------------------------------------------------------------------------------------
# myBalance(channel)
# --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("role", "expected"), cells(MY_TABLE))
def test_my_balance(mw: MoneyWorld, gql: Gql, role: str, expected: str) -> None:
    before = money_snapshot()
    result = gql(MY_BALANCE, {"channel": CHANNEL}, mw.callers(Permission.MANAGE_ORDERS)[role])
    if expected in (DENIED, NOT_A_DISTRIBUTOR):
        assert_refused(result, expected, "myBalance", before)
        return
    assert ok(result, "myBalance") == {
        "currency": "CNY",
        **{name: money(amount) for name, amount in BALANCES[expected].items()},
    }


@pytest.mark.parametrize("channel", ["", "x" * 101, "de\x00fault"], ids=["blank", "too-long", "nul"])
def test_my_balance_of_a_malformed_channel(mw: MoneyWorld, gql: Gql, channel: str) -> None:
    error = assert_top_level_error(gql(MY_BALANCE, {"channel": channel}, mw.principal("A")), "INVALID")
    assert error["extensions"]["exception"]["field"] == "channel"


# --------------------------------------------------------------------------------------------------
# myWithdrawals(first, after); Withdrawal.packageInfo only for its owner
# --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("role", "expected"), cells(MY_TABLE))
def test_my_withdrawals(mw: MoneyWorld, gql: Gql, role: str, expected: str) -> None:
    before = money_snapshot()
    result = gql(MY_WITHDRAWALS, {}, mw.callers(Permission.MANAGE_ORDERS)[role])
    if expected in (DENIED, NOT_A_DISTRIBUTOR):
        assert_refused(result, expected, "myWithdrawals", before)
        return
    page = ok(result, "myWithdrawals")
    w = mw.withdrawals
    nodes = [edge["node"] for edge in page["edges"]]
    if expected == "A":
        assert nodes == [
            {
                "id": gid("Withdrawal", w["A-confirming"].pk),
                "status": "WAIT_USER_CONFIRM",
                "amount": money("1.00"),
                "packageInfo": PACKAGE_INFO,
                "distributor": {"id": mw.world.gid("A")},
            },
            {
                "id": gid("Withdrawal", w["A-requested"].pk),
                "status": "REQUESTED",
                "amount": money("4.00"),
                "packageInfo": None,
                "distributor": {"id": mw.world.gid("A")},
            },
        ]
    else:
        assert [node["id"] for node in nodes] == [gid("Withdrawal", w["B-requested"].pk)]
    assert page["totalCount"] == len(nodes)


# --------------------------------------------------------------------------------------------------
# myAttributedOrders(first, after)
# --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("role", "expected"), cells(MY_TABLE))
def test_my_attributed_orders(mw: MoneyWorld, gql: Gql, role: str, expected: str) -> None:
    before = money_snapshot()
    result = gql(MY_ORDERS, {}, mw.callers(Permission.MANAGE_ORDERS)[role])
    if expected in (DENIED, NOT_A_DISTRIBUTOR):
        assert_refused(result, expected, "myAttributedOrders", before)
        return
    page = ok(result, "myAttributedOrders")
    own = {"A": [("o-A-placed", "50.00"), ("o-A-paid", "100.00")], "B": [("o-B-paid", "300.00")]}[expected]
    code = mw[expected].referral_code
    assert [edge["node"] for edge in page["edges"]] == [
        {
            "id": gid("OrderAttribution", OrderAttribution.objects.get(order_id=order_id).pk),
            "orderId": order_id,
            "source": "LINK",
            "code": code,
            "netTotal": money(total),
            "distributor": {"id": mw.world.gid(expected)},
        }
        for order_id, total in own
    ]
    assert page["totalCount"] == len(own)


# --------------------------------------------------------------------------------------------------
# referralLink(channel, productId)
# --------------------------------------------------------------------------------------------------

REFERRAL_LINK = """
query($channel: String!, $productId: ID) { referralLink(channel: $channel, productId: $productId) }"""


@pytest.mark.parametrize(("role", "expected"), cells(MY_TABLE))
def test_referral_link(mw: MoneyWorld, gql: Gql, role: str, expected: str) -> None:
    caller = mw.callers(Permission.MANAGE_ORDERS)[role]
    before = money_snapshot()
    result = gql(REFERRAL_LINK, {"channel": CHANNEL}, caller)
    if expected in (DENIED, NOT_A_DISTRIBUTOR):
        assert_refused(result, expected, "referralLink", before)
        return
    code = mw[expected].referral_code
    assert ok(result, "referralLink") == f"{STOREFRONT}/?ref={code}"
    product = ok(
        gql(REFERRAL_LINK, {"channel": CHANNEL, "productId": "UHJvZHVjdDo3"}, caller), "referralLink"
    )
    assert product == f"{STOREFRONT}/products/UHJvZHVjdDo3/?ref={code}"


def test_referral_link_of_a_channel_without_storefront(mw: MoneyWorld, gql: Gql) -> None:
    result = gql(REFERRAL_LINK, {"channel": "other-channel"}, mw.principal("A"))
    error = assert_top_level_error(result, "INVALID", ["referralLink"])
    assert error["extensions"]["exception"]["field"] == "channel"


def test_referral_link_of_a_too_long_product_id(mw: MoneyWorld, gql: Gql) -> None:
    result = gql(REFERRAL_LINK, {"channel": CHANNEL, "productId": "P" * 65}, mw.principal("A"))
    error = assert_top_level_error(result, "INVALID", ["referralLink"])
    assert error["extensions"]["exception"]["field"] == "productId"
