"""Attribution through HTTP: orderAttributionReassign, distributorStats and checkoutAttribute.

Every operation runs as each of the six roles, as ``__init__`` describes.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from graphql_relay import to_global_id

from saleor_wechat_distribution import host
from saleor_wechat_distribution.domain.permissions import Permission
from saleor_wechat_distribution.models import (
    AttributionChange,
    ChannelProgram,
    CheckoutReferral,
    Commission,
    LedgerEntry,
    OrderAttribution,
)

from ..conftest import Gql, assert_top_level_error
from ..conftest_commissions import (
    CHANNEL,
    ROLES,
    MoneyWorld,
    money_snapshot,
)
from .api import (
    ALLOWED,
    DENIED,
    REASSIGN,
    STAFF_TABLE,
    assert_mutation_error,
    assert_refused,
    cells,
    gid,
    money,
    ok,
    target_cells,
)

pytestmark = pytest.mark.django_db


# --------------------------------------------------------------------------------------------------
# orderAttributionReassign(orderId, distributorId, reason): MANAGE_ORDERS
# --------------------------------------------------------------------------------------------------


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
    host.update(checkout_lookup=None)
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
