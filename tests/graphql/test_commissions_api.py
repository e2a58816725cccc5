"""The commissions / withdrawals API through HTTP: who may do what, what each caller sees, bad input.

Every operation is run by the six roles of ``conftest_commissions.ROLES``: anonymous, a customer without
a distributor profile, distributors A and B (two separate trees), staff without the operation's
permission and staff with it. Refused requests must answer ``PermissionDenied`` (or the coded error the
table names) and leave every money table exactly as it was (``money_snapshot``). The money is described
in ``conftest_commissions``.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from graphql_relay import from_global_id, to_global_id

from saleor_wechat_distribution.domain.permissions import Permission
from saleor_wechat_distribution.models import (
    AttributionChange,
    ChannelProgram,
    CheckoutReferral,
    Commission,
    LedgerEntry,
    OrderAttribution,
    Withdrawal,
)
from saleor_wechat_distribution.services.ledger import ledger_balance
from saleor_wechat_distribution.services.referrals import HostCheckout, set_checkout_channel_lookup

from .conftest import Gql, World, assert_top_level_error
from .conftest_commissions import (
    CHANNEL,
    PACKAGE_INFO,
    ROLES,
    STOREFRONT,
    MoneyWorld,
    build_money_world,
    money_snapshot,
)

pytestmark = pytest.mark.django_db

DENIED = "PermissionDenied"
NOT_A_DISTRIBUTOR = "NOT_FOUND"  # the my* queries of a caller without a profile, as myTeam
ALLOWED = "ALLOWED"


@pytest.fixture
def mw(world: World, payout_merchant) -> MoneyWorld:
    return build_money_world(world, payout_merchant)


@pytest.fixture
def checkouts() -> Iterator[dict[str, str]]:
    """The host's checkouts (id -> channel) that ``checkoutAttribute`` may put codes on."""
    known = {f"chk-{role}": CHANNEL for role in ROLES} | {"chk-1": CHANNEL}
    set_checkout_channel_lookup(lambda id: HostCheckout(id, known[id]) if id in known else None)
    yield known
    set_checkout_channel_lookup(None)


def cells(table: dict[str, Any]) -> list[Any]:
    assert tuple(table) == ROLES, f"spell out every role, in order: {ROLES}"
    return [pytest.param(role, expected, id=role) for role, expected in table.items()]


def target_cells(tables: dict[str, dict[str, Any]]) -> list[Any]:
    return [
        pytest.param(target, role, expected, id=f"{target}-{role}")
        for target, table in tables.items()
        for role, expected in (p.values for p in cells(table))
    ]


def gid(type_name: str, pk: int) -> str:
    return to_global_id(type_name, pk)


def pks(edges: list[dict[str, Any]], type_name: str) -> list[int]:
    result = []
    for edge in edges:
        found_type, pk = from_global_id(edge["node"]["id"])
        assert found_type == type_name
        result.append(int(pk))
    return result


def assert_refused(result: dict[str, Any], code: str, field: str, before: list) -> dict[str, Any]:
    """A top-level error with ``code`` on ``field``, the field null, and nothing changed."""
    error = assert_top_level_error(result, code, [field])
    assert result["data"] is None or result["data"][field] is None
    assert money_snapshot() == before, "a refused request changed the database"
    return error


def assert_mutation_error(
    result: dict[str, Any], mutation: str, code: str, field: str | None, before: list
) -> dict[str, Any]:
    """Exactly one coded error in the mutation's ``errors`` list, no object back, nothing changed."""
    assert "errors" not in result, result
    payload = result["data"][mutation]
    assert [(e["code"], e["field"]) for e in payload["errors"]] == [(code, field)], payload
    assert payload["errors"][0]["message"]
    for name, value in payload.items():
        if name != "errors":
            assert value is None, f"{mutation}.{name} of a refused mutation: {value}"
    assert money_snapshot() == before, "a refused mutation changed the database"
    return payload["errors"][0]


def ok(result: dict[str, Any], field: str) -> Any:
    assert "errors" not in result, result
    payload = result["data"][field]
    if isinstance(payload, dict) and "errors" in payload:
        assert payload["errors"] == [], payload
    return payload


def money(amount: str, currency: str = "CNY") -> dict[str, str]:
    return {"amount": amount, "currency": currency}


# --------------------------------------------------------------------------------------------------
# myCommissions(status, first, after)
# --------------------------------------------------------------------------------------------------

MY_COMMISSIONS = """
query($status: CommissionStatus, $first: Int, $after: String) {
  myCommissions(status: $status, first: $first, after: $after) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { node { id orderId level status amount { amount currency } distributor { id } } }
  }
}"""

MY_TABLE = {
    "anonymous": DENIED,
    "customer": NOT_A_DISTRIBUTOR,
    "distributor_a": "A",
    "distributor_b": "B",
    "staff_without": NOT_A_DISTRIBUTOR,
    "staff_with": NOT_A_DISTRIBUTOR,
}


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

MY_BALANCE = """
query($channel: String!) {
  myBalance(channel: $channel) {
    currency
    available { amount currency }
    frozen { amount currency }
    pending { amount currency }
    withdrawing { amount currency }
  }
}"""

BALANCES = {
    # A: 10.00 settled - 4.00 - 1.00 withdrawing; 6.00 frozen (level 2 of A1's sale); 5.00 placed
    "A": {"available": "5.00", "frozen": "6.00", "pending": "5.00", "withdrawing": "5.00"},
    # B: 30.00 settled - 5.00 withdrawing; 3.00 frozen (level 2 of B1's sale)
    "B": {"available": "25.00", "frozen": "3.00", "pending": "0.00", "withdrawing": "5.00"},
}


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

MY_WITHDRAWALS = """
query($first: Int, $after: String) {
  myWithdrawals(first: $first, after: $after) {
    totalCount
    edges { node { id status amount { amount currency } packageInfo distributor { id } } }
  }
}"""


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

MY_ORDERS = """
query($first: Int, $after: String) {
  myAttributedOrders(first: $first, after: $after) {
    totalCount
    edges { node { id orderId source code netTotal { amount currency } distributor { id } } }
  }
}"""


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


# --------------------------------------------------------------------------------------------------
# Staff lists: commissions(filter, first, after) and withdrawals(filter, first, after), MANAGE_ORDERS
# --------------------------------------------------------------------------------------------------

STAFF_TABLE = {
    "anonymous": DENIED,
    "customer": DENIED,
    "distributor_a": DENIED,
    "distributor_b": DENIED,
    "staff_without": DENIED,
    "staff_with": ALLOWED,
}

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

NODE = """query($id: ID!) { node(id: $id) { id } }"""

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
# withdrawalRequest(channel, amount, currency)
# --------------------------------------------------------------------------------------------------

REQUEST = """
mutation($channel: String!, $amount: String!, $currency: String) {
  withdrawalRequest(channel: $channel, amount: $amount, currency: $currency) {
    withdrawal { id status amount { amount currency } distributor { id } }
    errors { field code message }
  }
}"""

REQUEST_TABLE = {
    "anonymous": DENIED,
    "customer": "NOT_A_DISTRIBUTOR",
    "distributor_a": "A",
    "distributor_b": "B",
    "staff_without": "NOT_A_DISTRIBUTOR",
    "staff_with": "NOT_A_DISTRIBUTOR",
}


@pytest.mark.parametrize(("role", "expected"), cells(REQUEST_TABLE))
def test_withdrawal_request(mw: MoneyWorld, gql: Gql, role: str, expected: str) -> None:
    before = money_snapshot()
    result = gql(REQUEST, {"channel": CHANNEL, "amount": "2.50"}, mw.callers(Permission.MANAGE_ORDERS)[role])
    if expected == DENIED:
        assert_refused(result, DENIED, "withdrawalRequest", before)
        return
    if expected == "NOT_A_DISTRIBUTOR":
        assert_mutation_error(result, "withdrawalRequest", "NOT_A_DISTRIBUTOR", None, before)
        return
    distributor = mw[expected]
    available = ledger_balance(distributor_id=distributor.pk, currency="CNY")
    payload = ok(result, "withdrawalRequest")
    withdrawal = Withdrawal.objects.get(distributor=distributor, amount=Decimal("2.50"))
    assert payload["withdrawal"] == {
        "id": gid("Withdrawal", withdrawal.pk),
        "status": "REQUESTED",
        "amount": money("2.50"),
        "distributor": {"id": mw.world.gid(expected)},
    }
    assert available == Decimal(BALANCES[expected]["available"]) - Decimal("2.50")


@pytest.mark.parametrize(
    ("variables", "code", "field"),
    [
        ({"amount": "-1.00"}, "AMOUNT_INVALID", "amount"),
        ({"amount": "0"}, "AMOUNT_INVALID", "amount"),
        ({"amount": "abc"}, "AMOUNT_INVALID", "amount"),
        ({"amount": ""}, "AMOUNT_INVALID", "amount"),
        ({"amount": "1e2"}, "AMOUNT_INVALID", "amount"),
        ({"amount": "NaN"}, "AMOUNT_INVALID", "amount"),
        ({"amount": "Infinity"}, "AMOUNT_INVALID", "amount"),
        ({"amount": "1,50"}, "AMOUNT_INVALID", "amount"),
        ({"amount": "1.001"}, "AMOUNT_INVALID", "amount"),  # more decimals than CNY
        ({"amount": "1.00001"}, "AMOUNT_INVALID", "amount"),  # more decimals than we store
        ({"amount": "12345678901234567"}, "AMOUNT_INVALID", "amount"),  # more digits than we store
        ({"amount": "5.01"}, "INSUFFICIENT_BALANCE", "amount"),  # A has 5.00
        ({"amount": "0.50"}, "BELOW_MINIMUM", "amount"),
        ({"amount": "2.00", "currency": "USD"}, "CURRENCY_MISMATCH", "currency"),
        ({"amount": "2.00", "channel": ""}, "INVALID", "channel"),
        ({"amount": "2.00", "channel": "c" * 101}, "INVALID", "channel"),
        ({"amount": "2.00", "channel": "default\x00"}, "INVALID", "channel"),
    ],
    ids=lambda value: value if isinstance(value, str) else None,
)
def test_withdrawal_request_bad_input(
    mw: MoneyWorld, gql: Gql, variables: dict, code: str, field: str
) -> None:
    before = money_snapshot()
    result = gql(REQUEST, {"channel": CHANNEL, **variables}, mw.principal("A"))
    assert_mutation_error(result, "withdrawalRequest", code, field, before)


def test_withdrawal_request_of_a_distributor_in_debt(mw: MoneyWorld, gql: Gql) -> None:
    """B's balance goes negative when the order it was paid for moves away: no withdrawal until repaid."""
    move = ok(
        gql(
            REASSIGN,
            {"orderId": "o-B-paid", "distributorId": mw.world.gid("A"), "reason": "wrong code"},
            mw.staff[Permission.MANAGE_ORDERS],
        ),
        "orderAttributionReassign",
    )
    assert move["orderAttribution"]["distributor"] == {"id": mw.world.gid("A")}
    before = money_snapshot()
    result = gql(REQUEST, {"channel": CHANNEL, "amount": "1.00"}, mw.principal("B"))
    assert_mutation_error(result, "withdrawalRequest", "BALANCE_IN_DEBT", None, before)


def test_withdrawal_request_over_the_daily_limit(mw: MoneyWorld, gql: Gql) -> None:
    ChannelProgram.objects.filter(channel=CHANNEL).update(withdrawal_daily_limit=Decimal("6.00"))
    before = money_snapshot()
    result = gql(REQUEST, {"channel": CHANNEL, "amount": "1.50"}, mw.principal("A"))  # 5.00 today already
    assert_mutation_error(result, "withdrawalRequest", "DAILY_LIMIT_EXCEEDED", "amount", before)


# --------------------------------------------------------------------------------------------------
# withdrawalApprove(id), withdrawalReject(id, reason): MANAGE_ORDERS
# --------------------------------------------------------------------------------------------------

APPROVE = """
mutation($id: ID!) {
  withdrawalApprove(id: $id) { withdrawal { id status } errors { field code message } }
}"""
REJECT = """
mutation($id: ID!, $reason: String) {
  withdrawalReject(id: $id, reason: $reason) { withdrawal { id status } errors { field code message } }
}"""


@pytest.mark.parametrize("target", ["A-requested", "B-requested"])
@pytest.mark.parametrize(("role", "expected"), cells(STAFF_TABLE))
def test_withdrawal_approve(mw: MoneyWorld, gql: Gql, role: str, expected: str, target: str) -> None:
    """Distributors cannot approve their own withdrawals, nor anybody else's."""
    withdrawal = mw.withdrawals[target]
    before = money_snapshot()
    result = gql(
        APPROVE, {"id": gid("Withdrawal", withdrawal.pk)}, mw.callers(Permission.MANAGE_ORDERS)[role]
    )
    if expected == DENIED:
        assert_refused(result, DENIED, "withdrawalApprove", before)
        return
    payload = ok(result, "withdrawalApprove")
    assert payload["withdrawal"] == {"id": gid("Withdrawal", withdrawal.pk), "status": "APPROVED"}
    withdrawal.refresh_from_db()
    assert withdrawal.status == "approved" and withdrawal.decided_by.startswith("staff:")


@pytest.mark.parametrize("target", ["A-requested", "B-requested"])
@pytest.mark.parametrize(("role", "expected"), cells(STAFF_TABLE))
def test_withdrawal_reject(mw: MoneyWorld, gql: Gql, role: str, expected: str, target: str) -> None:
    withdrawal = mw.withdrawals[target]
    owner = mw.world.fresh(target[0])
    available = ledger_balance(distributor_id=owner.pk, currency="CNY")
    before = money_snapshot()
    variables = {"id": gid("Withdrawal", withdrawal.pk), "reason": "name does not match"}
    result = gql(REJECT, variables, mw.callers(Permission.MANAGE_ORDERS)[role])
    if expected == DENIED:
        assert_refused(result, DENIED, "withdrawalReject", before)
        return
    payload = ok(result, "withdrawalReject")
    assert payload["withdrawal"] == {"id": gid("Withdrawal", withdrawal.pk), "status": "REJECTED"}
    withdrawal.refresh_from_db()
    assert withdrawal.reject_reason == "name does not match"
    # the money is back, once
    assert ledger_balance(distributor_id=owner.pk, currency="CNY") == available + withdrawal.amount


def _decision_cases() -> list[Any]:
    cases = []
    for document, mutation in ((APPROVE, "withdrawalApprove"), (REJECT, "withdrawalReject")):
        cases += [
            pytest.param(document, mutation, lambda mw: gid("Withdrawal", mw.withdrawals["A-confirming"].pk),
                         "INVALID_STATUS", "id", id=f"{mutation}-not-requested"),
            pytest.param(document, mutation, lambda mw: gid("Withdrawal", 999_999), "NOT_FOUND", "id",
                         id=f"{mutation}-unknown"),
            pytest.param(document, mutation, lambda mw: "garbage", "INVALID", "id", id=f"{mutation}-garbage"),
            pytest.param(document, mutation, lambda mw: mw.world.gid("A"), "INVALID", "id",
                         id=f"{mutation}-distributor-id"),
        ]  # fmt: skip
    return cases


@pytest.mark.parametrize(("document", "mutation", "target", "code", "field"), _decision_cases())
def test_withdrawal_decision_bad_input(
    mw: MoneyWorld, gql: Gql, document: str, mutation: str, target: Any, code: str, field: str
) -> None:
    before = money_snapshot()
    result = gql(document, {"id": target(mw)}, mw.staff[Permission.MANAGE_ORDERS])
    assert_mutation_error(result, mutation, code, field, before)


@pytest.mark.parametrize("reason", ["r" * 501, "bad\x00reason"], ids=["too-long", "nul"])
def test_withdrawal_reject_with_a_bad_reason(mw: MoneyWorld, gql: Gql, reason: str) -> None:
    before = money_snapshot()
    variables = {"id": gid("Withdrawal", mw.withdrawals["A-requested"].pk), "reason": reason}
    result = gql(REJECT, variables, mw.staff[Permission.MANAGE_ORDERS])
    assert_mutation_error(result, "withdrawalReject", "INVALID", "reason", before)


def test_a_withdrawal_is_decided_once(mw: MoneyWorld, gql: Gql) -> None:
    staff_ = mw.staff[Permission.MANAGE_ORDERS]
    target = {"id": gid("Withdrawal", mw.withdrawals["A-requested"].pk)}
    assert ok(gql(REJECT, target, staff_), "withdrawalReject")["withdrawal"]["status"] == "REJECTED"
    before = money_snapshot()
    assert_mutation_error(gql(REJECT, target, staff_), "withdrawalReject", "INVALID_STATUS", "id", before)
    assert_mutation_error(gql(APPROVE, target, staff_), "withdrawalApprove", "INVALID_STATUS", "id", before)


# --------------------------------------------------------------------------------------------------
# commissionRules(channel) and commissionRulesSet(channel, rules): MANAGE_PLUGINS
# --------------------------------------------------------------------------------------------------

RULES = """
query($channel: String!) {
  commissionRules(channel: $channel) {
    level rate fixedAmount { amount currency } productId categoryId distributorKind
  }
}"""
RULES_SET = """
mutation($channel: String!, $rules: [CommissionRuleInput!]!) {
  commissionRulesSet(channel: $channel, rules: $rules) {
    rules { level rate fixedAmount { amount currency } productId categoryId distributorKind }
    errors { field code message }
  }
}"""


def rule(level: int, rate: str | None = None, fixed: str | None = None, **scope: Any) -> dict[str, Any]:
    return {
        "level": level,
        "rate": rate,
        "fixedAmount": money(fixed) if fixed is not None else None,
        "productId": scope.get("productId"),
        "categoryId": scope.get("categoryId"),
        "distributorKind": scope.get("distributorKind"),
    }


@pytest.mark.parametrize(("role", "expected"), cells(STAFF_TABLE))
def test_commission_rules(mw: MoneyWorld, gql: Gql, role: str, expected: str) -> None:
    before = money_snapshot()
    result = gql(RULES, {"channel": CHANNEL}, mw.callers(Permission.MANAGE_PLUGINS)[role])
    if expected == DENIED:
        assert_refused(result, DENIED, "commissionRules", before)
        return
    assert ok(result, "commissionRules") == [rule(1, "10"), rule(2, "3")]
    assert (
        ok(
            gql(RULES, {"channel": "never-configured"}, mw.staff[Permission.MANAGE_PLUGINS]),
            "commissionRules",
        )
        == []
    )


def test_commission_rules_are_not_for_staff_managing_orders(mw: MoneyWorld, gql: Gql) -> None:
    before = money_snapshot()
    result = gql(RULES, {"channel": CHANNEL}, mw.staff[Permission.MANAGE_ORDERS])
    assert_refused(result, DENIED, "commissionRules", before)


NEW_RULES = [
    {"level": 1, "rate": "12.5"},
    {"level": 1, "rate": "15", "productId": "UHJvZHVjdDo3"},
    {"level": 2, "fixedAmount": "1.50", "distributorKind": "ENTERPRISE"},
]


@pytest.mark.parametrize(("role", "expected"), cells(STAFF_TABLE))
def test_commission_rules_set(mw: MoneyWorld, gql: Gql, role: str, expected: str) -> None:
    before = money_snapshot()
    result = gql(
        RULES_SET, {"channel": CHANNEL, "rules": NEW_RULES}, mw.callers(Permission.MANAGE_PLUGINS)[role]
    )
    if expected == DENIED:
        assert_refused(result, DENIED, "commissionRulesSet", before)
        return
    expected_rules = [
        rule(1, "12.5"),
        rule(1, "15", productId="UHJvZHVjdDo3"),
        rule(2, fixed="1.50", distributorKind="ENTERPRISE"),
    ]
    assert ok(result, "commissionRulesSet")["rules"] == expected_rules
    assert (
        ok(gql(RULES, {"channel": CHANNEL}, mw.staff[Permission.MANAGE_PLUGINS]), "commissionRules")
        == expected_rules
    )
    assert ChannelProgram.objects.get(channel=CHANNEL).version == mw.program.version + 1


@pytest.mark.parametrize(
    ("rules", "code", "field"),
    [
        ([{"level": 1, "rate": "150"}], "RATE_OUT_OF_RANGE", "rate"),
        ([{"level": 1, "rate": "-1"}], "RATE_OUT_OF_RANGE", "rate"),
        ([{"level": 1, "rate": "100.01"}], "RATE_OUT_OF_RANGE", "rate"),
        ([{"level": 1, "rate": "abc"}], "INVALID", "rate"),
        ([{"level": 1, "rate": "1e1"}], "INVALID", "rate"),
        ([{"level": 1, "rate": "60"}, {"level": 2, "rate": "50"}], "RATES_EXCEED_TOTAL", "rate"),
        ([{"level": 3, "rate": "1"}], "DEPTH_NOT_ALLOWED", "level"),
        ([{"level": 0, "rate": "1"}], "DEPTH_NOT_ALLOWED", "level"),
        ([{"level": 1, "rate": "1", "fixedAmount": "1.00"}], "INVALID", "rate"),
        ([{"level": 1}], "INVALID", "rate"),
        ([{"level": 1, "fixedAmount": "-1.00"}], "AMOUNT_INVALID", "fixedAmount"),
        ([{"level": 1, "fixedAmount": "1.001"}], "AMOUNT_INVALID", "fixedAmount"),
        ([{"level": 1, "fixedAmount": "one"}], "AMOUNT_INVALID", "fixedAmount"),
        ([{"level": 1, "rate": "1"}, {"level": 1, "rate": "2"}], "RULE_CONFLICT", "rules"),
        ([{"level": 1, "rate": "1", "productId": "p" * 65}], "INVALID", "productId"),
        ([{"level": 1, "rate": "1", "categoryId": "c\x00"}], "INVALID", "categoryId"),
        ([{"level": 1, "rate": "1"}] * 501, "INVALID", "rules"),
    ],
    ids=[
        "rate-150", "rate-negative", "rate-just-above-100", "rate-garbage", "rate-exponent", "rates-sum",
        "level-3", "level-0", "rate-and-fixed", "neither", "fixed-negative", "fixed-too-precise",
        "fixed-garbage", "conflict", "long-product", "nul-category", "too-many",
    ],
)  # fmt: skip
def test_commission_rules_set_bad_input(mw: MoneyWorld, gql: Gql, rules: list, code: str, field: str) -> None:
    before = money_snapshot()
    result = gql(RULES_SET, {"channel": CHANNEL, "rules": rules}, mw.staff[Permission.MANAGE_PLUGINS])
    assert_mutation_error(result, "commissionRulesSet", code, field, before)


def test_a_third_level_is_refused_with_the_reason(mw: MoneyWorld, gql: Gql) -> None:
    before = money_snapshot()
    rules = [{"level": 1, "rate": "5"}, {"level": 2, "rate": "3"}, {"level": 3, "rate": "1"}]
    result = gql(RULES_SET, {"channel": CHANNEL, "rules": rules}, mw.staff[Permission.MANAGE_PLUGINS])
    error = assert_mutation_error(result, "commissionRulesSet", "DEPTH_NOT_ALLOWED", "level", before)
    assert "pyramid selling" in error["message"]
    assert "禁止传销条例" in error["message"]


# --------------------------------------------------------------------------------------------------
# channelProgram(channel) and channelProgramUpdate(channel, input): MANAGE_PLUGINS
# --------------------------------------------------------------------------------------------------

PROGRAM_FIELDS = """
  channel currency version commissionDepth freezeDays baseIncludesShipping selfPurchaseEarns
  bindingPolicy { trigger validityDays protectionDays override codePriority }
  withdrawalMinimum { amount currency } withdrawalDailyLimit { amount currency }
  withdrawalAutoApproveBelow { amount currency } payoutMethod payoutAppId storefrontBaseUrl
"""
PROGRAM = f"query($channel: String!) {{ channelProgram(channel: $channel) {{ {PROGRAM_FIELDS} }} }}"
PROGRAM_UPDATE = f"""
mutation($channel: String!, $input: ChannelProgramInput!) {{
  channelProgramUpdate(channel: $channel, input: $input) {{
    channelProgram {{ {PROGRAM_FIELDS} }}
    errors {{ field code message }}
  }}
}}"""

DEFAULT_PROGRAM = {
    "channel": CHANNEL,
    "currency": "CNY",
    "version": 1,
    "commissionDepth": 2,
    "freezeDays": 7,
    "baseIncludesShipping": False,
    "selfPurchaseEarns": True,
    "bindingPolicy": {
        "trigger": "FIRST_CLICK",
        "validityDays": 365,
        "protectionDays": 30,
        "override": "AFTER_EXPIRY",
        "codePriority": "VOUCHER_FIRST",
    },
    "withdrawalMinimum": money("1.00"),
    "withdrawalDailyLimit": money("5000.00"),
    "withdrawalAutoApproveBelow": money("0.00"),
    "payoutMethod": "v3",
    "payoutAppId": "wxd678efh567hg6787",  # the fake merchant's app (build_money_world)
    "storefrontBaseUrl": STOREFRONT,
}


@pytest.mark.parametrize(("role", "expected"), cells(STAFF_TABLE))
def test_channel_program(mw: MoneyWorld, gql: Gql, role: str, expected: str) -> None:
    before = money_snapshot()
    result = gql(PROGRAM, {"channel": CHANNEL}, mw.callers(Permission.MANAGE_PLUGINS)[role])
    if expected == DENIED:
        assert_refused(result, DENIED, "channelProgram", before)
        return
    assert ok(result, "channelProgram") == DEFAULT_PROGRAM
    defaults = ok(
        gql(PROGRAM, {"channel": "never-configured"}, mw.staff[Permission.MANAGE_PLUGINS]), "channelProgram"
    )
    assert defaults == {
        **DEFAULT_PROGRAM,
        "channel": "never-configured",
        "version": 0,
        "freezeDays": 15,
        "storefrontBaseUrl": "",
        "payoutAppId": "",
    }


UPDATE_INPUT = {
    "freezeDays": 10,
    "withdrawalMinimum": "2.00",
    "withdrawalAutoApproveBelow": "50",
    "storefrontBaseUrl": "https://m.example.com",
    "bindingPolicy": {
        "trigger": "FIRST_ORDER",
        "validityDays": None,  # bindings never expire
        "protectionDays": 10,
        "override": "LAST_TOUCH",
        "codePriority": "LINK_FIRST",
    },
}


@pytest.mark.parametrize(("role", "expected"), cells(STAFF_TABLE))
def test_channel_program_update(mw: MoneyWorld, gql: Gql, role: str, expected: str) -> None:
    before = money_snapshot()
    result = gql(
        PROGRAM_UPDATE,
        {"channel": CHANNEL, "input": UPDATE_INPUT},
        mw.callers(Permission.MANAGE_PLUGINS)[role],
    )
    if expected == DENIED:
        assert_refused(result, DENIED, "channelProgramUpdate", before)
        return
    updated = {
        **DEFAULT_PROGRAM,
        "version": 2,
        "freezeDays": 10,
        "withdrawalMinimum": money("2.00"),
        "withdrawalAutoApproveBelow": money("50.00"),
        "storefrontBaseUrl": "https://m.example.com",
        "bindingPolicy": {
            "trigger": "FIRST_ORDER",
            "validityDays": None,
            "protectionDays": 10,
            "override": "LAST_TOUCH",
            "codePriority": "LINK_FIRST",
        },
    }
    assert ok(result, "channelProgramUpdate")["channelProgram"] == updated
    assert (
        ok(gql(PROGRAM, {"channel": CHANNEL}, mw.staff[Permission.MANAGE_PLUGINS]), "channelProgram")
        == updated
    )
    # fields not given stay as they are
    again = gql(
        PROGRAM_UPDATE, {"channel": CHANNEL, "input": {"freezeDays": 3}}, mw.staff[Permission.MANAGE_PLUGINS]
    )
    assert ok(again, "channelProgramUpdate")["channelProgram"] == {**updated, "version": 3, "freezeDays": 3}


@pytest.mark.parametrize(
    ("changes", "code", "field"),
    [
        ({"commissionDepth": 3}, "DEPTH_NOT_ALLOWED", "commissionDepth"),
        ({"commissionDepth": 0}, "DEPTH_NOT_ALLOWED", "commissionDepth"),
        ({"commissionDepth": 1}, "DEPTH_NOT_ALLOWED", "commissionDepth"),  # a level-2 rule exists
        ({"freezeDays": -1}, "INVALID", "freezeDays"),
        ({"freezeDays": 4000}, "INVALID", "freezeDays"),
        ({"withdrawalMinimum": "-1"}, "AMOUNT_INVALID", "withdrawalMinimum"),
        ({"withdrawalDailyLimit": "lots"}, "AMOUNT_INVALID", "withdrawalDailyLimit"),
        ({"withdrawalAutoApproveBelow": "1e9"}, "AMOUNT_INVALID", "withdrawalAutoApproveBelow"),
        ({"currency": "ABC"}, "INVALID", "currency"),
        ({"currency": "cny"}, "INVALID", "currency"),
        ({"payoutMethod": "v4"}, "INVALID", "payoutMethod"),
        ({"storefrontBaseUrl": "ftp://shop.example.com"}, "INVALID", "storefrontBaseUrl"),
        ({"bindingPolicy": {"validityDays": 5000}}, "INVALID", "validityDays"),
        ({"bindingPolicy": {"protectionDays": -5}}, "INVALID", "protectionDays"),
    ],
    ids=[
        "depth-3", "depth-0", "depth-below-rules", "freeze-negative", "freeze-too-long", "minimum-negative",
        "limit-garbage", "auto-exponent", "currency-unknown", "currency-lower-case", "payout-method",
        "url-scheme", "validity-too-long", "protection-negative",
    ],
)  # fmt: skip
def test_channel_program_update_bad_input(
    mw: MoneyWorld, gql: Gql, changes: dict, code: str, field: str
) -> None:
    before = money_snapshot()
    result = gql(PROGRAM_UPDATE, {"channel": CHANNEL, "input": changes}, mw.staff[Permission.MANAGE_PLUGINS])
    assert_mutation_error(result, "channelProgramUpdate", code, field, before)


def test_depth_three_is_refused_with_the_reason(mw: MoneyWorld, gql: Gql) -> None:
    before = money_snapshot()
    result = gql(
        PROGRAM_UPDATE,
        {"channel": CHANNEL, "input": {"commissionDepth": 3}},
        mw.staff[Permission.MANAGE_PLUGINS],
    )
    error = assert_mutation_error(
        result, "channelProgramUpdate", "DEPTH_NOT_ALLOWED", "commissionDepth", before
    )
    assert "pyramid selling" in error["message"]
    assert "禁止传销条例" in error["message"]


@pytest.mark.parametrize("channel", ["", "c" * 101, "a\x00b"], ids=["blank", "too-long", "nul"])
def test_program_operations_with_a_malformed_channel(mw: MoneyWorld, gql: Gql, channel: str) -> None:
    admin = mw.staff[Permission.MANAGE_PLUGINS]
    before = money_snapshot()
    for query, field in ((PROGRAM, "channelProgram"), (RULES, "commissionRules")):
        error = assert_top_level_error(gql(query, {"channel": channel}, admin), "INVALID", [field])
        assert error["extensions"]["exception"]["field"] == "channel"
    update = gql(PROGRAM_UPDATE, {"channel": channel, "input": {"freezeDays": 3}}, admin)
    assert_mutation_error(update, "channelProgramUpdate", "INVALID", "channel", before)
    rules = gql(RULES_SET, {"channel": channel, "rules": []}, admin)
    assert_mutation_error(rules, "commissionRulesSet", "INVALID", "channel", before)


# --------------------------------------------------------------------------------------------------
# orderAttributionReassign(orderId, distributorId, reason): MANAGE_ORDERS
# --------------------------------------------------------------------------------------------------

REASSIGN = """
mutation($orderId: ID!, $distributorId: ID, $reason: String!) {
  orderAttributionReassign(orderId: $orderId, distributorId: $distributorId, reason: $reason) {
    orderAttribution { id orderId source code distributor { id } }
    errors { field code message }
  }
}"""


@pytest.mark.parametrize(("role", "expected"), cells(STAFF_TABLE))
def test_order_attribution_reassign(mw: MoneyWorld, gql: Gql, role: str, expected: str) -> None:
    before = money_snapshot()
    variables = {"orderId": "o-A-paid", "distributorId": mw.world.gid("B1"), "reason": "customer complaint"}
    result = gql(REASSIGN, variables, mw.callers(Permission.MANAGE_ORDERS)[role])
    if expected == DENIED:
        assert_refused(result, DENIED, "orderAttributionReassign", before)
        return
    attribution = OrderAttribution.objects.get(order_id="o-A-paid")
    assert ok(result, "orderAttributionReassign")["orderAttribution"] == {
        "id": gid("OrderAttribution", attribution.pk),
        "orderId": "o-A-paid",
        "source": "MANUAL",
        "code": mw["B1"].referral_code,
        "distributor": {"id": mw.world.gid("B1")},
    }
    change = AttributionChange.objects.get(attribution=attribution)
    assert (change.from_distributor_id, change.to_distributor_id) == (mw["A"].pk, mw["B1"].pk)
    assert change.reason == "customer complaint"
    # A's settled 10.00 is taken back; B1 (level 1) and B (level 2) earn instead
    assert LedgerEntry.objects.filter(distributor=mw["A"], kind="clawback").get().amount == Decimal(
        "-10.0000"
    )
    earned = Commission.objects.filter(order_id="o-A-paid", generation=1).order_by("level")
    assert [(c.distributor_id, c.amount) for c in earned] == [
        (mw["B1"].pk, Decimal("10")),
        (mw["B"].pk, Decimal("3")),
    ]


def test_order_attribution_reassign_to_nobody(mw: MoneyWorld, gql: Gql) -> None:
    variables = {"orderId": "o-A1-paid", "distributorId": None, "reason": "staff order"}
    payload = ok(gql(REASSIGN, variables, mw.staff[Permission.MANAGE_ORDERS]), "orderAttributionReassign")
    assert (
        payload["orderAttribution"]["distributor"] is None and payload["orderAttribution"]["source"] is None
    )
    assert set(Commission.objects.filter(order_id="o-A1-paid").values_list("status", flat=True)) == {
        "cancelled"
    }


@pytest.mark.parametrize(
    ("variables", "code", "field"),
    [
        ({"orderId": "no-such-order"}, "NOT_FOUND", "orderId"),
        ({"orderId": "o" * 65}, "NOT_FOUND", "orderId"),
        ({"orderId": "o-A-paid\x00"}, "NOT_FOUND", "orderId"),
        ({"reason": "   "}, "REQUIRED", "reason"),
        ({"reason": "r" * 501}, "INVALID", "reason"),
        ({"distributorId": "garbage"}, "INVALID", "distributorId"),
        ({"distributorId": to_global_id("Withdrawal", 1)}, "INVALID", "distributorId"),
        ({"distributorId": to_global_id("Distributor", 999_999)}, "NOT_FOUND", "distributorId"),
        ({"distributorId": "AS"}, "CODE_INACTIVE", "distributorId"),  # suspended
        ({"distributorId": "AP"}, "CODE_INACTIVE", "distributorId"),  # pending
    ],
    ids=["unknown-order", "long-order", "nul-order", "blank-reason", "long-reason", "garbage-id",
         "withdrawal-id", "unknown-distributor", "suspended", "pending"],
)  # fmt: skip
def test_order_attribution_reassign_bad_input(
    mw: MoneyWorld, gql: Gql, variables: dict, code: str, field: str
) -> None:
    values = {"orderId": "o-A-paid", "distributorId": mw.world.gid("B"), "reason": "why not", **variables}
    if values["distributorId"] in mw.world.nodes:
        values["distributorId"] = mw.world.gid(values["distributorId"])
    before = money_snapshot()
    result = gql(REASSIGN, values, mw.staff[Permission.MANAGE_ORDERS])
    assert_mutation_error(result, "orderAttributionReassign", code, field, before)


# --------------------------------------------------------------------------------------------------
# distributorStats(id, channel, from, to): MANAGE_USERS, or the distributor itself
# --------------------------------------------------------------------------------------------------

STATS = """
query($id: ID!, $channel: String!, $from: DateTime!, $to: DateTime!) {
  distributorStats(id: $id, channel: $channel, from: $from, to: $to) {
    sales { amount currency }
    orders
    commission { amount currency }
    ordersBySource { source count }
    teamByLevel { level count }
  }
}"""

STATS_TABLES = {
    "A": {
        "anonymous": DENIED,
        "customer": DENIED,
        "distributor_a": ALLOWED,
        "distributor_b": DENIED,
        "staff_without": DENIED,
        "staff_with": ALLOWED,
    },
    "B": {
        "anonymous": DENIED,
        "customer": DENIED,
        "distributor_a": DENIED,
        "distributor_b": ALLOWED,
        "staff_without": DENIED,
        "staff_with": ALLOWED,
    },
}
STATS_OF = {
    # A: o-A-paid 100 + o-A-placed 50; commissions 10 + 6 + 5
    "A": {
        "sales": money("150.00"),
        "orders": 2,
        "commission": money("21.00"),
        "ordersBySource": [{"source": "LINK", "count": 2}],
        "teamByLevel": [{"level": 1, "count": 3}, {"level": 2, "count": 1}, {"level": 3, "count": 1}],
    },
    "B": {
        "sales": money("300.00"),
        "orders": 1,
        "commission": money("33.00"),
        "ordersBySource": [{"source": "LINK", "count": 1}],
        "teamByLevel": [{"level": 1, "count": 1}],
    },
}


def period(days_back: int = 60, days_ahead: int = 1) -> dict[str, str]:
    now = timezone.now()
    return {
        "from": (now - timedelta(days=days_back)).isoformat(),
        "to": (now + timedelta(days=days_ahead)).isoformat(),
    }


@pytest.mark.parametrize(("target", "role", "expected"), target_cells(STATS_TABLES))
def test_distributor_stats(mw: MoneyWorld, gql: Gql, target: str, role: str, expected: str) -> None:
    before = money_snapshot()
    variables = {"id": mw.world.gid(target), "channel": CHANNEL, **period()}
    result = gql(STATS, variables, mw.callers(Permission.MANAGE_USERS)[role])
    if expected == DENIED:
        assert_refused(result, DENIED, "distributorStats", before)
        return
    assert ok(result, "distributorStats") == STATS_OF[target]


def test_distributor_stats_of_a_team_member_are_not_the_upline_s(mw: MoneyWorld, gql: Gql) -> None:
    before = money_snapshot()
    variables = {"id": mw.world.gid("A1"), "channel": CHANNEL, **period()}
    assert_refused(gql(STATS, variables, mw.principal("A")), DENIED, "distributorStats", before)


def test_distributor_stats_of_an_empty_period(mw: MoneyWorld, gql: Gql) -> None:
    variables = {"id": mw.world.gid("A"), "channel": CHANNEL, **period(days_back=400, days_ahead=-300)}
    stats = ok(gql(STATS, variables, mw.principal("A")), "distributorStats")
    assert stats["sales"] == money("0.00") and stats["orders"] == 0 and stats["ordersBySource"] == []


@pytest.mark.parametrize(
    ("variables", "field"),
    [
        ({"id": "garbage"}, "id"),
        ({"from": "2030-01-01T00:00:00+00:00", "to": "2020-01-01T00:00:00+00:00"}, "to"),
        ({"channel": ""}, "channel"),
    ],
    ids=["garbage-id", "backwards", "blank-channel"],
)
def test_distributor_stats_bad_input(mw: MoneyWorld, gql: Gql, variables: dict, field: str) -> None:
    values = {"id": mw.world.gid("A"), "channel": CHANNEL, **period(), **variables}
    result = gql(STATS, values, mw.staff[Permission.MANAGE_USERS])
    error = assert_top_level_error(result, "INVALID", ["distributorStats"])
    assert error["extensions"]["exception"]["field"] == field


def test_distributor_stats_of_an_unknown_distributor(mw: MoneyWorld, gql: Gql) -> None:
    values = {"id": to_global_id("Distributor", 999_999), "channel": CHANNEL, **period()}
    assert gql(STATS, values, mw.staff[Permission.MANAGE_USERS]) == {"data": {"distributorStats": None}}


# --------------------------------------------------------------------------------------------------
# checkoutAttribute(checkoutId, code): anybody, anonymous included
# --------------------------------------------------------------------------------------------------

ATTRIBUTE = """
mutation($checkoutId: ID!, $code: String!) {
  checkoutAttribute(checkoutId: $checkoutId, code: $code) { checkoutId channel errors { field code message } }
}"""


@pytest.mark.parametrize("role", ROLES)
def test_checkout_attribute(mw: MoneyWorld, gql: Gql, checkouts: dict, role: str) -> None:
    checkout_id = f"chk-{role}"
    code = mw["A2"].referral_code.lower()  # codes are read in any case
    result = gql(
        ATTRIBUTE, {"checkoutId": checkout_id, "code": code}, mw.callers(Permission.MANAGE_ORDERS)[role]
    )
    assert ok(result, "checkoutAttribute") == {"checkoutId": checkout_id, "channel": CHANNEL, "errors": []}
    referral = CheckoutReferral.objects.get(checkout_id=checkout_id)
    assert (referral.distributor_id, referral.channel, referral.code) == (
        mw["A2"].pk,
        CHANNEL,
        mw["A2"].referral_code,
    )


@pytest.mark.parametrize(
    ("checkout_id", "code", "error_code", "field"),
    [
        ("chk-unknown", "A2", "NOT_FOUND", "checkoutId"),
        ("", "A2", "NOT_FOUND", "checkoutId"),
        ("c" * 65, "A2", "NOT_FOUND", "checkoutId"),
        ("chk\x00", "A2", "NOT_FOUND", "checkoutId"),
        ("chk-1", "NOSUCHCODE", "CODE_NOT_FOUND", "code"),
        ("chk-1", "", "CODE_NOT_FOUND", "code"),
        ("chk-1", "A2\x00", "CODE_NOT_FOUND", "code"),
        ("chk-1", "AS", "CODE_INACTIVE", "code"),  # suspended
        ("chk-1", "AP", "CODE_INACTIVE", "code"),  # pending
    ],
    ids=["unknown-checkout", "blank-checkout", "long-checkout", "nul-checkout", "unknown-code", "blank-code",
         "nul-code", "suspended", "pending"],
)  # fmt: skip
def test_checkout_attribute_bad_input(
    mw: MoneyWorld, gql: Gql, checkouts: dict, checkout_id: str, code: str, error_code: str, field: str
) -> None:
    name = code.rstrip("\x00")
    if name in mw.world.nodes:
        code = code.replace(name, mw[name].referral_code)
    before = money_snapshot()
    result = gql(ATTRIBUTE, {"checkoutId": checkout_id, "code": code}, mw.world.caller("customer"))
    assert_mutation_error(result, "checkoutAttribute", error_code, field, before)


def test_checkout_attribute_without_a_host_lookup(mw: MoneyWorld, gql: Gql) -> None:
    """Without a host that knows checkouts, no checkout exists."""
    set_checkout_channel_lookup(None)
    before = money_snapshot()
    result = gql(ATTRIBUTE, {"checkoutId": "chk-1", "code": mw["A2"].referral_code}, None)
    assert_mutation_error(result, "checkoutAttribute", "NOT_FOUND", "checkoutId", before)


def test_checkout_attribute_of_an_own_code_when_self_purchases_earn_nothing(
    mw: MoneyWorld, gql: Gql, checkouts: dict
) -> None:
    ChannelProgram.objects.filter(channel=CHANNEL).update(self_purchase_earns=False)
    before = money_snapshot()
    result = gql(ATTRIBUTE, {"checkoutId": "chk-1", "code": mw["A"].referral_code}, mw.principal("A"))
    assert_mutation_error(result, "checkoutAttribute", "SELF_REFERRAL", "code", before)


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
