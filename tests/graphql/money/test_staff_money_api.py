"""Money through HTTP: staff's lists (commissions, withdrawals), node(id) of money records, and
what no distributor sees of another's money.

Every operation runs as each of the six roles, as ``__init__`` describes.
"""

from __future__ import annotations

from typing import Any

import pytest
from graphql_relay import to_global_id

from saleor_wechat_distribution.domain.permissions import Permission
from saleor_wechat_distribution.models import (
    Commission,
    OrderAttribution,
    Withdrawal,
)

from ..conftest import Gql, assert_top_level_error
from ..conftest_commissions import (
    PACKAGE_INFO,
    MoneyWorld,
    money_snapshot,
)
from .api import (
    DENIED,
    MY_COMMISSIONS,
    MY_ORDERS,
    MY_WITHDRAWALS,
    NODE,
    STAFF_TABLE,
    assert_refused,
    cells,
    gid,
    ok,
    pks,
    target_cells,
)

pytestmark = pytest.mark.django_db


# --------------------------------------------------------------------------------------------------
# Staff lists: commissions(filter, first, after) and withdrawals(filter, first, after), MANAGE_ORDERS
# --------------------------------------------------------------------------------------------------

COMMISSIONS = """
query($filter: CommissionFilterInput, $first: Int, $after: String) {
  commissions(filter: $filter, first: $first, after: $after) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { node { id distributor { id displayName } } }
  }
}"""


@pytest.mark.parametrize(("role", "expected"), cells(STAFF_TABLE))
def test_commissions(mw: MoneyWorld, gql: Gql, role: str, expected: str) -> None:
    caller = mw.callers(Permission.MANAGE_ORDERS)[role]
    before = money_snapshot()
    result = gql(COMMISSIONS, {"first": 5}, caller)
    if expected == DENIED:
        assert_refused(result, DENIED, "commissions", before)
        return
    newest_first = list(Commission.objects.order_by("-pk").values_list("pk", flat=True))
    assert len(newest_first) == 7
    page = ok(result, "commissions")
    assert page["totalCount"] == 7
    rest = ok(gql(COMMISSIONS, {"first": 5, "after": page["pageInfo"]["endCursor"]}, caller), "commissions")
    assert pks(page["edges"] + rest["edges"], "Commission") == newest_first
    # staff see whose commission it is
    assert {e["node"]["distributor"]["displayName"] for e in page["edges"] + rest["edges"]} == {
        "Node A",
        "Node A1",
        "Node B",
        "Node B1",
    }

    def newest(**lookup: Any) -> list[int]:
        return list(Commission.objects.filter(**lookup).order_by("-pk").values_list("pk", flat=True))

    filters = [
        ({"distributorId": mw.world.gid("A")}, newest(distributor=mw["A"])),
        ({"orderId": "o-A1-paid"}, newest(order_id="o-A1-paid")),
        ({"status": "AVAILABLE"}, newest(status="available")),
        (
            {"status": "FROZEN", "distributorId": mw.world.gid("B")},
            newest(status="frozen", distributor=mw["B"]),
        ),
        ({"distributorId": gid("Distributor", 999_999)}, []),  # nobody's: nothing, not everything
        ({"orderId": "no-such-order"}, []),
    ]
    for filter_, expected_pks in filters:
        page = ok(gql(COMMISSIONS, {"filter": filter_}, caller), "commissions")
        assert pks(page["edges"], "Commission") == expected_pks, filter_
        assert page["totalCount"] == len(expected_pks)


@pytest.mark.parametrize(
    ("filter_", "field"),
    [
        ({"distributorId": "not-an-id"}, "distributorId"),
        ({"distributorId": to_global_id("Commission", 1)}, "distributorId"),
        ({"orderId": "x" * 65}, "orderId"),
        ({"orderId": "o\x00"}, "orderId"),
    ],
    ids=["garbage-id", "id-of-another-type", "too-long-order-id", "nul-order-id"],
)
def test_commissions_with_a_malformed_filter(mw: MoneyWorld, gql: Gql, filter_: dict, field: str) -> None:
    result = gql(COMMISSIONS, {"filter": filter_}, mw.staff[Permission.MANAGE_ORDERS])
    error = assert_top_level_error(result, "INVALID", ["commissions"])
    assert error["extensions"]["exception"]["field"] == field


def test_my_commissions_with_a_garbage_cursor(mw: MoneyWorld, gql: Gql) -> None:
    result = gql(MY_COMMISSIONS, {"after": "garbage"}, mw.principal("A"))
    assert_top_level_error(result, "INVALID", ["myCommissions"])


WITHDRAWALS = """
query($filter: WithdrawalFilterInput, $first: Int, $after: String) {
  withdrawals(filter: $filter, first: $first, after: $after) {
    totalCount
    edges { node { id status packageInfo amount { amount currency } distributor { id } } }
  }
}"""


@pytest.mark.parametrize(("role", "expected"), cells(STAFF_TABLE))
def test_withdrawals(mw: MoneyWorld, gql: Gql, role: str, expected: str) -> None:
    caller = mw.callers(Permission.MANAGE_ORDERS)[role]
    before = money_snapshot()
    result = gql(WITHDRAWALS, {}, caller)
    if expected == DENIED:
        assert_refused(result, DENIED, "withdrawals", before)
        return
    w = mw.withdrawals
    page = ok(result, "withdrawals")
    assert pks(page["edges"], "Withdrawal") == [
        w["B-requested"].pk,
        w["A-confirming"].pk,
        w["A-requested"].pk,
    ]
    # the package of A's transfer is A's alone: staff never see it
    assert [e["node"]["packageInfo"] for e in page["edges"]] == [None, None, None]
    filters = [
        ({"status": "REQUESTED"}, [w["B-requested"].pk, w["A-requested"].pk]),
        ({"distributorId": mw.world.gid("A")}, [w["A-confirming"].pk, w["A-requested"].pk]),
        ({"distributorId": mw.world.gid("B"), "status": "PAID"}, []),
    ]
    for filter_, expected_pks in filters:
        page = ok(gql(WITHDRAWALS, {"filter": filter_}, caller), "withdrawals")
        assert pks(page["edges"], "Withdrawal") == expected_pks, filter_
        assert page["totalCount"] == len(expected_pks)


# --------------------------------------------------------------------------------------------------
# node(id) of commissions, withdrawals and attributed orders
# --------------------------------------------------------------------------------------------------

#: whose record -> role -> visible?
NODE_TABLES = {
    "A": {
        "anonymous": False,
        "customer": False,
        "distributor_a": True,
        "distributor_b": False,
        "staff_without": False,  # MANAGE_USERS is not enough for money
        "staff_with": True,
    },
    "B": {
        "anonymous": False,
        "customer": False,
        "distributor_a": False,
        "distributor_b": True,
        "staff_without": False,
        "staff_with": True,
    },
}


def node_ids(mw: MoneyWorld, owner: str) -> list[str]:
    commission = mw.commissions_of(owner)[0]
    withdrawal = mw.withdrawals[f"{owner}-requested"]
    attribution = OrderAttribution.objects.get(order_id=f"o-{owner}-paid")
    return [
        gid("Commission", commission.pk),
        gid("Withdrawal", withdrawal.pk),
        gid("OrderAttribution", attribution.pk),
    ]


@pytest.mark.parametrize(("owner", "role", "visible"), target_cells(NODE_TABLES))
def test_node(mw: MoneyWorld, gql: Gql, owner: str, role: str, visible: bool) -> None:
    caller = mw.callers(Permission.MANAGE_ORDERS)[role]
    for global_id in node_ids(mw, owner):
        result = gql(NODE, {"id": global_id}, caller)
        assert result == {"data": {"node": {"id": global_id} if visible else None}}, global_id


def test_package_info_through_node(mw: MoneyWorld, gql: Gql) -> None:
    query = "query($id: ID!) { node(id: $id) { ... on Withdrawal { packageInfo } } }"
    global_id = gid("Withdrawal", mw.withdrawals["A-confirming"].pk)
    assert gql(query, {"id": global_id}, mw.principal("A")) == {
        "data": {"node": {"packageInfo": PACKAGE_INFO}}
    }
    staff_view = gql(query, {"id": global_id}, mw.staff[Permission.MANAGE_ORDERS])
    assert staff_view == {"data": {"node": {"packageInfo": None}}}
    assert gql(query, {"id": global_id}, mw.principal("B")) == {"data": {"node": None}}


# --------------------------------------------------------------------------------------------------
# The schema does not leak money to the wrong distributor through nested fields
# --------------------------------------------------------------------------------------------------


def test_distributor_b_sees_nothing_of_a(mw: MoneyWorld, gql: Gql) -> None:
    b = mw.principal("B")
    a_ids = {
        *(gid("Commission", c.pk) for c in mw.commissions_of("A")),
        *(gid("Withdrawal", w.pk) for w in Withdrawal.objects.filter(distributor=mw["A"])),
        *(gid("OrderAttribution", o.pk) for o in OrderAttribution.objects.filter(distributor=mw["A"])),
    }
    seen = set()
    for document, field in ((MY_COMMISSIONS, "myCommissions"), (MY_WITHDRAWALS, "myWithdrawals"),
                            (MY_ORDERS, "myAttributedOrders")):  # fmt: skip
        seen |= {edge["node"]["id"] for edge in ok(gql(document, {}, b), field)["edges"]}
    for global_id in a_ids:
        assert gql(NODE, {"id": global_id}, b) == {"data": {"node": None}}
    assert seen and not seen & a_ids
