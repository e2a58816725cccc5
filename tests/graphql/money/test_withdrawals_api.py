"""Withdrawals through HTTP: withdrawalRequest, withdrawalApprove and withdrawalReject.

Every operation runs as each of the six roles, as ``__init__`` describes.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from saleor_wechat_distribution.domain.permissions import Permission
from saleor_wechat_distribution.models import (
    ChannelProgram,
    Withdrawal,
)
from saleor_wechat_distribution.services.ledger import ledger_balance

from ..conftest import Gql
from ..conftest_commissions import (
    CHANNEL,
    MoneyWorld,
    money_snapshot,
)
from .api import (
    BALANCES,
    DENIED,
    REASSIGN,
    REQUEST,
    STAFF_TABLE,
    assert_mutation_error,
    assert_refused,
    cells,
    gid,
    money,
    ok,
)

pytestmark = pytest.mark.django_db


# --------------------------------------------------------------------------------------------------
# withdrawalRequest(channel, amount, currency)
# --------------------------------------------------------------------------------------------------

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
