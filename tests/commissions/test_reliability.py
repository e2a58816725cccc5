"""Replayed and concurrent events on PostgreSQL with real threads: money is never doubled or lost."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection  # noqa: F401 - read by the skipif condition
from django.db.models import Sum

from saleor_wechat_distribution.domain.errors import CommissionErrorCode as Code
from saleor_wechat_distribution.domain.errors import DistributionError
from saleor_wechat_distribution.models import Commission, LedgerEntry, OrderAttribution, Withdrawal
from saleor_wechat_distribution.ports import Principal
from saleor_wechat_distribution.services.commissions import (
    commissions_settle_due,
    order_cancelled,
    order_fulfilled,
    order_paid,
    order_placed,
)
from saleor_wechat_distribution.services.ledger import ledger_append, ledger_balance
from saleor_wechat_distribution.services.refunds import order_refunded
from saleor_wechat_distribution.services.withdrawals import withdrawal_request
from saleor_wechat_distribution.testing.concurrency import run_concurrently
from saleor_wechat_distribution.testing.orders import line, order

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif("connection.vendor != 'postgresql'", reason="row locks need PostgreSQL"),
]
D = Decimal


def test_one_order_event_delivered_100_times_from_8_threads(program, chain):
    _, a, b = chain
    o = order(line("199.00"), line("1.00", quantity=3), ref=b.referral_code, user_id=5)
    events = [order_placed, order_paid] * 50

    def deliver(start: int):
        def run() -> None:
            for event in events[start::8]:
                event(order=o)

        return run

    results = run_concurrently([deliver(i) for i in range(8)])
    assert not [r for r in results if isinstance(r, Exception)], results
    assert OrderAttribution.objects.filter(order_id=o.order_id).count() == 1
    rows = Commission.objects.filter(order_id=o.order_id)
    assert rows.count() == 4  # two lines x two levels
    assert set(rows.values_list("status", flat=True)) == {"frozen"}
    totals = dict(rows.values("distributor_id").annotate(s=Sum("amount")).values_list("distributor_id", "s"))
    assert totals == {b.pk: D("20.00"), a.pk: D("6.00")}


def test_settlement_and_refunds_racing_keep_the_ledger_exact(program, chain):
    _, a, b = chain
    orders = [order(line("100.00"), ref=b.referral_code) for _ in range(6)]
    for o in orders:
        order_paid(order=o)
        order_fulfilled(
            order_id=o.order_id, fulfilled_at=Commission.objects.first().created_at.replace(year=2000)
        )
    calls = [commissions_settle_due] * 3
    calls += [
        (lambda o=o: order_refunded(order=o, refund_id=f"R-{o.order_id}", amount=D("50.00"))) for o in orders
    ]
    calls += [
        (lambda o=o: order_refunded(order=o, refund_id=f"R-{o.order_id}", amount=D("50.00"))) for o in orders
    ]
    calls += [(lambda: order_cancelled(order_id=orders[0].order_id))] * 2
    results = run_concurrently(calls)
    assert not [r for r in results if isinstance(r, Exception)], results
    commissions_settle_due()
    # whatever the interleaving: 5 orders half refunded, 1 cancelled
    assert ledger_balance(distributor_id=b.pk, currency="CNY") == D("25.00")
    assert ledger_balance(distributor_id=a.pk, currency="CNY") == D("7.50")


def test_50_concurrent_withdrawals_of_the_whole_balance(program, chain, payable):
    _, _, b = chain
    payable(b)
    ledger_append(distributor_id=b.pk, currency="CNY", amount=D("88.88"), kind="adjustment", key="seed")
    principal = Principal(user_id=b.user_id)
    results = run_concurrently(
        [
            lambda: withdrawal_request(principal=principal, amount=D("88.88"), channel="default-channel")
            for _ in range(50)
        ]
    )
    succeeded = [r for r in results if isinstance(r, Withdrawal)]
    refused = [r for r in results if isinstance(r, DistributionError)]
    assert len(succeeded) == 1 and len(refused) == 49, [
        r for r in results if not isinstance(r, Withdrawal | DistributionError)
    ]
    assert {r.code for r in refused} == {Code.INSUFFICIENT_BALANCE}
    assert ledger_balance(distributor_id=b.pk, currency="CNY") == D("0.00")
    assert LedgerEntry.objects.filter(kind="withdrawal").count() == 1
