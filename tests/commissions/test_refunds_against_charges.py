"""Issue 11, money 3: refunds are measured against charges, not only goods.

The order: lines A 60.00 and B 40.00 (no shipping, no tax), 10 % to B's seller, 3 % to its upline. The
host reports with every refund the order's total and what is charged of it now (charges minus refunds).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from saleor_wechat_distribution import host_events
from saleor_wechat_distribution.models import Commission, OrderLineRefund
from saleor_wechat_distribution.ports import SYSTEM
from saleor_wechat_distribution.services.commissions import (
    commissions_settle_due,
    order_fulfilled,
    order_paid,
)
from saleor_wechat_distribution.services.disputes import order_dispute_open
from saleor_wechat_distribution.services.ledger import ledger_balance
from saleor_wechat_distribution.services.refunds import order_refunded
from saleor_wechat_distribution.testing.orders import line, order

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def paid(program, chain):
    _, _, b = chain
    o = order(line("60.00", line_id="A"), line("40.00", line_id="B"), ref=b.referral_code)
    order_paid(order=o)
    return o


def charged(o, amount: str, total: str = "100.00"):
    return replace(o, total_gross=D(total), charged=D(amount))


def reversed_by_line(o) -> dict[tuple[str, int], Decimal]:
    return {(c.line_id, c.level): c.reversed_amount for c in Commission.objects.filter(order_id=o.order_id)}


def untouched(o) -> bool:
    rows = Commission.objects.filter(order_id=o.order_id)
    return all(c.reversed_amount == 0 and c.status == "frozen" for c in rows) and rows.count() == 4


def test_a_refunded_duplicate_capture_reverses_nothing(paid):
    # charged twice (200.00), the duplicate refunded: the order is still fully charged
    order_refunded(order=charged(paid, "100.00"), refund_id="R-dup", amount=D("100.00"))
    assert untouched(paid)
    order_refunded(order=charged(paid, "100.00"), refund_id="R-dup", amount=D("100.00"))  # replayed
    assert untouched(paid)
    # ... however the refund names goods: the lines it says were returned are still paid for
    order_refunded(order=charged(paid, "100.00"), refund_id="R-dup-lines", line_amounts={"A": D("60.00")})
    assert untouched(paid)


def test_a_corrected_overcharge_reverses_nothing(paid):
    order_refunded(order=charged(paid, "100.00"), refund_id="R-over", amount=D("5.00"))  # 105 charged
    assert untouched(paid)


def test_a_real_partial_refund_after_a_surplus_refund_reverses_exactly_it(paid):
    order_refunded(order=charged(paid, "100.00"), refund_id="R-dup", amount=D("100.00"))
    order_refunded(order=charged(paid, "60.00"), refund_id="R-B", line_amounts={"B": D("40.00")})
    assert reversed_by_line(paid) == {("A", 1): 0, ("A", 2): 0, ("B", 1): D("4.00"), ("B", 2): D("1.20")}
    assert Commission.objects.get(order_id=paid.order_id, line_id="B", level=1).status == "cancelled"


def test_goods_beyond_the_charged_shortfall_are_not_reversed(paid):
    # the refund says line A (60.00) came back, but only 30.00 of the order is no longer charged
    order_refunded(order=charged(paid, "70.00"), refund_id="R1", line_amounts={"A": D("60.00")})
    assert reversed_by_line(paid)[("A", 1)] == D("3.00")
    assert OrderLineRefund.objects.get(refund_id="R1").amount == D("30.00")
    # later the rest goes back: the shortfall is 100, line A reverses fully, B stays
    order_refunded(order=charged(paid, "0.00"), refund_id="R2", line_amounts={"A": D("60.00")})
    assert reversed_by_line(paid) == {("A", 1): D("6.00"), ("A", 2): D("1.80"), ("B", 1): 0, ("B", 2): 0}
    order_refunded(order=charged(paid, "0.00"), refund_id="R3", amount=D("40.00"))
    assert all(c.status == "cancelled" for c in Commission.objects.filter(order_id=paid.order_id))


def test_after_settlement_only_the_shortfall_is_clawed_back(paid, chain):
    _, a, b = chain
    order_fulfilled(order_id=paid.order_id, fulfilled_at=timezone.now() - timedelta(days=8))
    assert commissions_settle_due() == 4
    assert ledger_balance(distributor_id=b.pk, currency="CNY") == D("10.00")
    order_refunded(order=charged(paid, "150.00"), refund_id="R-dup", amount=D("50.00"))  # 200 -> 150
    order_refunded(order=charged(paid, "100.00"), refund_id="R-dup2", amount=D("50.00"))  # -> 100
    assert ledger_balance(distributor_id=b.pk, currency="CNY") == D("10.00")
    order_refunded(order=charged(paid, "75.00"), refund_id="R-real", amount=D("25.00"))
    assert ledger_balance(distributor_id=b.pk, currency="CNY") == D("7.50")
    assert ledger_balance(distributor_id=a.pk, currency="CNY") == D("2.25")


def test_taxes_and_shipping_measure_the_shortfall_in_net_terms(program, chain):
    _, _, b = chain
    # goods 100.00 net (113.00 gross), shipping 10.00: the customer pays 123.00
    o = order(line("60.00", line_id="A"), line("40.00", line_id="B"), ref=b.referral_code, shipping="10.00")
    order_paid(order=o)
    # A is returned: 67.80 gross refunded; 55.20 of 123.00 is charged: short 67.80 gross = 60.63 net
    order_refunded(order=charged(o, "55.20", "123.00"), refund_id="R-A", line_amounts={"A": D("60.00")})
    assert reversed_by_line(o)[("A", 1)] == D("6.00") and reversed_by_line(o)[("B", 1)] == 0


def test_without_charges_the_goods_decide_as_before(paid):
    order_refunded(order=paid, refund_id="R1", amount=D("50.00"))  # a host that reports no charges
    assert reversed_by_line(paid)[("A", 1)] == D("3.00") and reversed_by_line(paid)[("B", 1)] == D("2.00")


def test_the_host_event_carries_the_charges_to_the_task(paid, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        host_events.order_refunded(charged(paid, "100.00"), refund_id="R-dup", amount=D("100.00"))
    assert untouched(paid) and OrderLineRefund.objects.filter(refund_id="R-dup").exists()
    with django_capture_on_commit_callbacks(execute=True):
        host_events.order_refunded(charged(paid, "60.00"), refund_id="R-B", line_amounts={"B": D("40.00")})
    assert reversed_by_line(paid)[("B", 1)] == D("4.00") and reversed_by_line(paid)[("A", 1)] == 0


def test_a_disputed_orders_refund_is_bounded_too(paid, django_capture_on_commit_callbacks):
    order_dispute_open(actor=SYSTEM, order_id=paid.order_id, reason="charged twice", reference="case-1")
    with django_capture_on_commit_callbacks(execute=True):
        host_events.order_refunded(charged(paid, "100.00"), refund_id="R-dup", amount=D("100.00"))
    assert untouched(paid)  # the dispute resolved with the refund; nothing reversed
