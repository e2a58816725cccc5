"""``centerHome`` and ``Commission.explanation``: a distributor's money, month and team at a glance, each
commission with the reason it is where it is, built through the real order pipeline."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from saleor_wechat_distribution.ports import SYSTEM
from saleor_wechat_distribution.services.commissions import (
    commissions_settle_due,
    order_cancelled,
    order_fulfilled,
    order_paid,
    order_placed,
)
from saleor_wechat_distribution.services.disputes import order_dispute_open
from saleor_wechat_distribution.services.referrals import order_attribution_reassign
from saleor_wechat_distribution.services.refunds import order_refunded
from saleor_wechat_distribution.testing.factories import customer, make_distributor
from saleor_wechat_distribution.testing.orders import line, order

from .conftest import CHANNEL

D = Decimal
HOME = """
query($first: Int) { centerHome(channel: "default-channel") {
  currency balance { available { amount } frozen { amount } pending { amount } withdrawing { amount } }
  frozenReleases { on amount { amount } }
  monthStart monthEarnings { amount } teamSize teamCounts { level count }
  recentCommissions(first: $first) { orderId level status amount { amount }
    explanation { reason at reversed { amount } reversalCause message } }
} }"""
COMMISSIONS = """{ myCommissions(first: 50) { edges { node { orderId level status
  explanation { reason at reversed { amount } reversalCause message } } } } }"""


@pytest.fixture
def team(program):
    """A (upline) > B (sells) > C; D another root."""
    people = {name: customer() for name in "ABCD"}
    a = make_distributor(principal=people["A"], name="王芳 Wang Fang")
    b = make_distributor(a, principal=people["B"], name="李娜")
    make_distributor(b, principal=people["C"], name="张伟")
    make_distributor(principal=people["D"], name="D")
    return people, a, b


def sell(seller, amount: str = "100.00", **kwargs):
    snapshot = order(line(amount), ref=seller.referral_code, user_id=customer().user_id)
    return snapshot


def test_home_shows_the_distributors_own_money_month_and_team(gql, team):
    people, _, b = team
    now = timezone.now()
    pending = sell(b)
    order_placed(order=pending)
    undelivered = sell(b)
    order_paid(order=undelivered)
    frozen = sell(b)
    order_paid(order=frozen)
    order_fulfilled(order_id=frozen.order_id, fulfilled_at=now)
    settled = sell(b)
    order_paid(order=settled)
    order_fulfilled(order_id=settled.order_id, fulfilled_at=now - timedelta(days=10))
    refunded = sell(b)
    order_paid(order=refunded)
    order_refunded(order=refunded, refund_id="R-all", amount=D("100.00"))
    assert commissions_settle_due(now=now) == 2  # B's and A's of the settled order

    home = gql(HOME, {"first": 10}, people["B"])["data"]["centerHome"]
    assert home["currency"] == "CNY"
    assert home["balance"] == {
        "available": {"amount": "10.00"},
        "frozen": {"amount": "20.00"},
        "pending": {"amount": "10.00"},
        "withdrawing": {"amount": "0.00"},
    }
    window_end = timezone.localtime(now + timedelta(days=7)).date().isoformat()
    assert home["frozenReleases"] == [
        {"on": window_end, "amount": {"amount": "10.00"}},
        {"on": None, "amount": {"amount": "10.00"}},
    ]
    assert home["monthEarnings"] == {"amount": "40.00"}  # the refunded one earns nothing
    assert (home["teamSize"], home["teamCounts"]) == (1, [{"level": 1, "count": 1}, {"level": 2, "count": 0}])
    reasons = {c["orderId"]: c["explanation"]["reason"] for c in home["recentCommissions"]}
    assert reasons == {
        pending.order_id: "AWAITING_PAYMENT",
        undelivered.order_id: "AWAITING_FULFILMENT",
        frozen.order_id: "FROZEN_UNTIL",
        settled.order_id: "AVAILABLE",
        refunded.order_id: "REVERSED_BY_REFUND",
    }
    # A earns level 2 on B's sales and sees its two-level team
    upline = gql(HOME, {"first": 3}, people["A"])["data"]["centerHome"]
    assert upline["balance"]["available"] == {"amount": "3.00"} and len(upline["recentCommissions"]) == 3
    assert upline["teamCounts"] == [{"level": 1, "count": 1}, {"level": 2, "count": 1}]
    assert {c["level"] for c in upline["recentCommissions"]} == {2}


def test_each_commission_says_why(gql, team):
    people, _, b = team
    now = timezone.now()
    cases = {}
    held = sell(b)
    order_paid(order=held)
    order_fulfilled(order_id=held.order_id, fulfilled_at=now)
    order_dispute_open(actor=SYSTEM, order_id=held.order_id, reason="customer says broken")
    cases[held.order_id] = ("HELD_BY_DISPUTE", None, "0.00")
    partly = sell(b)
    order_paid(order=partly)
    order_fulfilled(order_id=partly.order_id, fulfilled_at=now)
    order_refunded(order=partly, refund_id="R-half", amount=D("40.00"))
    cases[partly.order_id] = ("FROZEN_UNTIL", "REFUND", "4.00")
    cancelled = sell(b)
    order_paid(order=cancelled)
    order_cancelled(order_id=cancelled.order_id)
    cases[cancelled.order_id] = ("ORDER_CANCELLED", "CANCELLATION", "0.00")
    moved = sell(b)
    order_paid(order=moved)
    other = make_distributor(name="other")
    order_attribution_reassign(
        actor=SYSTEM, order_id=moved.order_id, distributor_id=other.pk, reason="mistake"
    )
    cases[moved.order_id] = ("REASSIGNED", "REASSIGNMENT", "0.00")

    edges = gql(COMMISSIONS, principal=people["B"])["data"]["myCommissions"]["edges"]
    found = {e["node"]["orderId"]: e["node"]["explanation"] for e in edges}
    for order_id, (reason, cause, reversed_amount) in cases.items():
        explanation = found[order_id]
        assert explanation["reason"] == reason, order_id
        assert explanation["reversed"]["amount"] == reversed_amount
        if cause != reason and cause not in (None, "0.00"):
            assert explanation["reversalCause"] == cause
    frozen_until = found[partly.order_id]
    window_end = timezone.localtime(now + timedelta(days=7)).strftime("%Y-%m-%d")
    assert (
        frozen_until["message"]
        == f"Frozen until {window_end} (after-sales window). 4.00 CNY was taken back by a refund."
    )
    assert found[held.order_id]["message"] == "Held: the order has an open dispute."


def test_messages_follow_the_language(gql, team):
    people, _, b = team
    o = sell(b)
    order_paid(order=o)
    answer = gql(COMMISSIONS, principal=people["B"], HTTP_ACCEPT_LANGUAGE="zh-hans")
    message = answer["data"]["myCommissions"]["edges"][0]["node"]["explanation"]["message"]
    assert message == "已付款；订单送达后开始售后期。"


def test_a_page_costs_the_same_statements_whatever_its_size(gql, team):
    people, _, b = team
    for _ in range(25):
        o = sell(b)
        order_paid(order=o)
        order_refunded(order=o, refund_id=f"R-{o.order_id}", amount=D("10.00"))

    def statements(first: int) -> int:
        with CaptureQueriesContext(connection) as ctx:
            home = gql(HOME, {"first": first}, people["B"])["data"]["centerHome"]
        assert len(home["recentCommissions"]) == first
        return len(ctx.captured_queries)

    assert statements(2) == statements(20) <= 12


def test_only_distributors_have_a_home(gql, team):
    assert gql(HOME)["errors"][0]["extensions"]["exception"]["code"] == "PermissionDenied"
    assert gql(HOME, principal=customer())["errors"][0]["extensions"]["exception"]["code"] == "NOT_FOUND"
    people, *_ = team
    made_up = gql(HOME.replace("default-channel", "nope"), principal=people["A"])
    assert made_up["errors"][0]["extensions"]["exception"]["code"] == "UNKNOWN_CHANNEL"
    assert CHANNEL == "default-channel"
