"""Issue 11, money 1, 2 and 4 through the API: made-up and foreign channels, the staff mutations for
stuck payouts (``withdrawalRetry``, ``withdrawalFail``), amounts in other scripts' digits or too long,
and money in messages with the currency's own decimals."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from django.test import RequestFactory
from django.utils import timezone

from saleor_wechat_distribution.domain.permissions import Permission
from saleor_wechat_distribution.models import OrderDispute, Withdrawal
from saleor_wechat_distribution.saleor_adapter.routes import dispatch
from saleor_wechat_distribution.services.disputes import order_dispute_open
from saleor_wechat_distribution.services.ledger import ledger_balance

from ..conftest import Gql, assert_top_level_error
from ..conftest_commissions import CHANNEL, MoneyWorld, money_snapshot
from .api import MY_BALANCE, REQUEST, assert_mutation_error, cells, gid, ok

pytestmark = pytest.mark.django_db
W = Withdrawal.Status


# --- channels -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("channel", ["other-channel-x", "nope"])
def test_a_made_up_channel_neither_pays_nor_shows_a_balance(mw: MoneyWorld, gql: Gql, channel: str) -> None:
    before = money_snapshot()
    result = gql(REQUEST, {"channel": channel, "amount": "4.00"}, mw.principal("B"))
    assert_mutation_error(result, "withdrawalRequest", "UNKNOWN_CHANNEL", "channel", before)
    result = gql(MY_BALANCE, {"channel": channel}, mw.principal("B"))
    error = assert_top_level_error(result, "UNKNOWN_CHANNEL", ["myBalance"])
    assert error["extensions"]["exception"]["field"] == "channel"


def routed(query: str, variables: dict, principal: Any, *, route_channel: str) -> dict:
    """One request through the plugin's per-channel route (``/plugins/channel/<route_channel>/…``)."""
    request = RequestFactory().post(
        "/graphql/", json.dumps({"query": query, "variables": variables}), content_type="application/json"
    )
    response = dispatch(
        request, "graphql/", channel=route_channel, authenticate=lambda _: principal, graphiql=False
    )
    return json.loads(response.content)


def test_under_a_channel_route_that_channel_decides(mw: MoneyWorld) -> None:
    principal = mw.principal("B")
    before = money_snapshot()
    for channel in ("other-channel-x", "nope"):
        result = routed(REQUEST, {"channel": channel, "amount": "4.00"}, principal, route_channel=CHANNEL)
        assert_mutation_error(result, "withdrawalRequest", "CHANNEL_MISMATCH", "channel", before)
        result = routed(MY_BALANCE, {"channel": channel}, principal, route_channel=CHANNEL)
        assert_top_level_error(result, "CHANNEL_MISMATCH", ["myBalance"])
    # the route of another channel cannot reach this channel's wallet rules or merchant either
    result = routed(REQUEST, {"channel": CHANNEL, "amount": "4.00"}, principal, route_channel="other")
    assert_mutation_error(result, "withdrawalRequest", "CHANNEL_MISMATCH", "channel", before)
    result = routed(MY_BALANCE, {"channel": CHANNEL}, principal, route_channel=CHANNEL)
    assert ok(result, "myBalance")["available"] == {"amount": "25.00", "currency": "CNY"}
    payload = ok(routed(REQUEST, {"channel": CHANNEL, "amount": "4.00"}, principal, route_channel=CHANNEL),
                 "withdrawalRequest")  # fmt: skip
    assert payload["withdrawal"]["status"] == "REQUESTED"


# --- withdrawalRetry / withdrawalFail -------------------------------------------------------------------

RETRY = """
mutation($id: ID!) {
  withdrawalRetry(id: $id) { withdrawal { id status failReason } errors { field code message } }
}"""
FAIL = """
mutation($id: ID!, $reason: String!) {
  withdrawalFail(id: $id, reason: $reason) {
    withdrawal { id status failReason } errors { field code message }
  }
}"""
STAFF_TABLE = {
    "anonymous": "PermissionDenied",
    "customer": "PermissionDenied",
    "distributor_a": "PermissionDenied",
    "distributor_b": "PermissionDenied",
    "staff_without": "PermissionDenied",
    "staff_with": "ALLOWED",
}


def stuck(mw: MoneyWorld, name: str = "A-requested") -> Withdrawal:
    """Approved, sent, and the answer lost: WeChat Pay never saw it (processing, sent 10 minutes ago)."""
    withdrawal = mw.withdrawals[name]
    Withdrawal.objects.filter(pk=withdrawal.pk).update(
        status=W.PROCESSING, sent_at=timezone.now() - timedelta(minutes=10)
    )
    return withdrawal


@pytest.mark.parametrize(("role", "expected"), cells(STAFF_TABLE))
def test_withdrawal_fail(mw: MoneyWorld, gql: Gql, payout_merchant, role: str, expected: str) -> None:
    withdrawal = stuck(mw)
    before = money_snapshot()
    available = ledger_balance(distributor_id=mw["A"].pk, currency="CNY")
    caller = mw.callers(Permission.MANAGE_ORDERS)[role]
    result = gql(FAIL, {"id": gid("Withdrawal", withdrawal.pk), "reason": "merchant account closed"}, caller)
    if expected != "ALLOWED":
        assert_top_level_error(result, expected, ["withdrawalFail"])
        assert money_snapshot() == before
        return
    payload = ok(result, "withdrawalFail")
    assert payload["withdrawal"]["status"] == "FAILED"
    assert payload["withdrawal"]["failReason"].startswith("merchant account closed")
    assert ledger_balance(distributor_id=mw["A"].pk, currency="CNY") == available + withdrawal.amount
    payload = gql(FAIL, {"id": gid("Withdrawal", withdrawal.pk), "reason": "again"}, caller)["data"]
    assert [e["code"] for e in payload["withdrawalFail"]["errors"]] == ["INVALID_STATUS"]


@pytest.mark.parametrize(("role", "expected"), cells(STAFF_TABLE))
def test_withdrawal_retry(mw: MoneyWorld, gql: Gql, payout_merchant, role: str, expected: str) -> None:
    withdrawal = stuck(mw)
    before = money_snapshot()
    result = gql(RETRY, {"id": gid("Withdrawal", withdrawal.pk)}, mw.callers(Permission.MANAGE_ORDERS)[role])
    if expected != "ALLOWED":
        assert_top_level_error(result, expected, ["withdrawalRetry"])
        assert money_snapshot() == before and payout_merchant.bills == {}
        return
    assert ok(result, "withdrawalRetry")["withdrawal"]["status"] == "WAIT_USER_CONFIRM"
    assert list(payout_merchant.bills) == [withdrawal.out_bill_no]  # sent again under its own number


def _id(name: str):
    return lambda mw: gid("Withdrawal", mw.withdrawals[name].pk)


@pytest.mark.parametrize(
    ("document", "mutation", "variables", "code", "field"),
    [
        (RETRY, "withdrawalRetry", {"id": "garbage"}, "INVALID", "id"),
        (FAIL, "withdrawalFail", {"id": "garbage", "reason": "x"}, "INVALID", "id"),
        (FAIL, "withdrawalFail", {"id": _id("A-requested"), "reason": " "}, "INVALID", "reason"),
        (FAIL, "withdrawalFail", {"id": _id("A-requested"), "reason": "x" * 256}, "INVALID", "reason"),
        (RETRY, "withdrawalRetry", {"id": _id("B-requested")}, "INVALID_STATUS", "id"),  # not approved
        (FAIL, "withdrawalFail", {"id": _id("B-requested"), "reason": "x"}, "INVALID_STATUS", "id"),
        (RETRY, "withdrawalRetry", {"id": gid("Withdrawal", 999_999)}, "NOT_FOUND", "id"),
    ],
)
def test_retry_and_fail_bad_input(
    mw: MoneyWorld, gql: Gql, payout_merchant, document: str, mutation: str, variables: dict, code: str,
    field: str,
) -> None:  # fmt: skip
    stuck(mw)
    variables = {k: v(mw) if callable(v) else v for k, v in variables.items()}
    before = money_snapshot()
    result = gql(document, variables, mw.staff[Permission.MANAGE_ORDERS])
    assert_mutation_error(result, mutation, code, field, before)


def test_withdrawal_approve_without_a_merchant_is_refused(mw: MoneyWorld, gql: Gql, settings) -> None:
    settings.WECHAT_DISTRIBUTION_PAYOUTS = {}
    before = money_snapshot()
    document = """mutation($id: ID!) {
      withdrawalApprove(id: $id) { withdrawal { id } errors { field code message } } }"""
    result = gql(
        document,
        {"id": gid("Withdrawal", mw.withdrawals["A-requested"].pk)},
        mw.staff[Permission.MANAGE_ORDERS],
    )
    assert_mutation_error(result, "withdrawalApprove", "PAYOUT_NOT_CONFIGURED", "id", before)


# --- amounts --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("amount", ["０５", "٥", "５.００", "5.0٠", "۵", "५", "𝟓", "1e1", "+-5"], ids=repr)
def test_amounts_in_other_digits_are_refused(mw: MoneyWorld, gql: Gql, amount: str) -> None:
    before = money_snapshot()
    result = gql(REQUEST, {"channel": CHANNEL, "amount": amount}, mw.principal("B"))
    error = assert_mutation_error(result, "withdrawalRequest", "AMOUNT_INVALID", "amount", before)
    assert error["message"] == "Enter a number such as 12.50."


@pytest.mark.parametrize("amount", ["1" * 26, "12345678901234567", "-" + "9" * 40, "0" * 30 + "1" * 17])
def test_a_too_long_amount_is_told_it_is_too_large(mw: MoneyWorld, gql: Gql, amount: str) -> None:
    before = money_snapshot()
    result = gql(REQUEST, {"channel": CHANNEL, "amount": amount}, mw.principal("B"))
    error = assert_mutation_error(result, "withdrawalRequest", "AMOUNT_INVALID", "amount", before)
    assert error["message"] == "The amount is too large: at most 16 digits before the decimal point."


def test_leading_zeros_are_not_size(mw: MoneyWorld, gql: Gql) -> None:
    result = gql(REQUEST, {"channel": CHANNEL, "amount": "0" * 20 + "2.50"}, mw.principal("B"))
    assert ok(result, "withdrawalRequest")["withdrawal"]["amount"] == {"amount": "2.50", "currency": "CNY"}


def test_money_in_messages_has_the_currencys_decimals(mw: MoneyWorld, gql: Gql) -> None:
    result = gql(REQUEST, {"channel": CHANNEL, "amount": "0.50"}, mw.principal("B"))
    (error,) = result["data"]["withdrawalRequest"]["errors"]
    assert (error["code"], error["message"]) == ("BELOW_MINIMUM", "The minimum withdrawal is 1.00 CNY.")
    result = gql(
        REQUEST, {"channel": CHANNEL, "amount": "0.50"}, mw.principal("B"), HTTP_ACCEPT_LANGUAGE="zh-hans"
    )
    (error,) = result["data"]["withdrawalRequest"]["errors"]
    assert error["message"] == "最低提现金额为 1.00 CNY。"


PROGRAM_UPDATE = """
mutation($channel: String!, $input: ChannelProgramInput!) {
  channelProgramUpdate(channel: $channel, input: $input) { errors { field code message } }
}"""
RESOLVE = """
mutation($id: ID!, $input: OrderDisputeResolveInput!) {
  orderDisputeResolve(id: $id, input: $input) { dispute { id } errors { field code message } }
}"""


def test_every_money_input_refuses_other_digits(mw: MoneyWorld, gql: Gql) -> None:
    staff = mw.staff[Permission.MANAGE_PLUGINS]
    result = gql(PROGRAM_UPDATE, {"channel": CHANNEL, "input": {"withdrawalMinimum": "０５"}}, staff)
    assert [e["code"] for e in result["data"]["channelProgramUpdate"]["errors"]] == ["AMOUNT_INVALID"]
    dispute = order_dispute_open(
        actor=mw.staff[Permission.MANAGE_ORDERS], order_id=mw.orders["o-A-paid"], reason="x"
    )
    for amount in ("٥", "1" * 26):
        variables = {
            "id": gid("OrderDispute", dispute.pk),
            "input": {"resolution": "REVERSE", "amount": amount},
        }
        result = gql(RESOLVE, variables, mw.staff[Permission.MANAGE_ORDERS])
        assert [e["code"] for e in result["data"]["orderDisputeResolve"]["errors"]] == ["AMOUNT_INVALID"]
    assert OrderDispute.objects.get(pk=dispute.pk).status == OrderDispute.Status.OPEN
