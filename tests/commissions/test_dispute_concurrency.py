"""Disputes opened while settlement runs, on real threads: a disputed order's commissions never end up
in a withdrawable balance (settled ones are held in the ledger, the rest are not settled)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection  # noqa: F401 - read by the skipif condition
from django.db.models import Sum
from django.utils import timezone

from saleor_wechat_distribution.models import Commission, LedgerEntry
from saleor_wechat_distribution.services.commissions import (
    commissions_settle_due,
    order_fulfilled,
    order_paid,
)
from saleor_wechat_distribution.services.disputes import order_dispute_open
from saleor_wechat_distribution.testing.concurrency import run_concurrently
from saleor_wechat_distribution.testing.factories import staff
from saleor_wechat_distribution.testing.orders import line, order

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif("connection.vendor != 'postgresql'", reason="row locks need PostgreSQL"),
]


def test_disputes_racing_settlement_never_leave_disputed_money_withdrawable(program, chain):
    _, _, b = chain
    orders = []
    for _ in range(24):
        o = order(line("100.00"), ref=b.referral_code)
        order_paid(order=o)
        order_fulfilled(order_id=o.order_id, fulfilled_at=timezone.now() - timedelta(days=30))
        orders.append(o)
    disputed = orders[::2]
    actor = staff()

    def open_all(part: list) -> int:
        for o in part:
            order_dispute_open(actor=actor, order_id=o.order_id, reason="race")
        return len(part)

    calls = [lambda: commissions_settle_due(batch_size=3), lambda: commissions_settle_due(batch_size=5)]
    calls += [lambda part=disputed[i::3]: open_all(part) for i in range(3)]
    results = run_concurrently(calls)
    assert not [r for r in results if isinstance(r, Exception)], results
    commissions_settle_due()
    for o in orders:
        in_ledger = LedgerEntry.objects.filter(order_id=o.order_id).aggregate(s=Sum("amount"))[
            "s"
        ] or Decimal(0)
        statuses = set(Commission.objects.filter(order_id=o.order_id).values_list("status", flat=True))
        if o in disputed:
            assert in_ledger == 0, (o.order_id, statuses)
        else:
            assert statuses == {"available"} and in_ledger == Decimal("13.00")


def test_a_host_case_read_as_open_is_never_opened_after_the_refund_that_closed_it(program, chain):
    """The host's case check (``order_case_sync``) reads its record under the order's case lock, which the
    refund event takes too. Here the check reads "open" while the host's refund is already on its way:
    the refund waits for the check, then resolves the dispute it opened, so nothing stays held."""
    import threading

    from saleor_wechat_distribution.models import OrderDispute
    from saleor_wechat_distribution.services.disputes import order_case_sync, order_refund_received

    _, _, b = chain
    o = order(line("100.00"), ref=b.referral_code)
    order_paid(order=o)
    reading, go_on = threading.Event(), threading.Event()

    def host_record_still_open() -> str:
        reading.set()
        go_on.wait(10)  # the refund is delivered meanwhile, on another worker
        return "open"

    def check() -> None:
        order_case_sync(
            order_id=o.order_id, reference="case-1", reason="refund granted", state=host_record_still_open
        )

    def refund() -> None:
        assert reading.wait(10)
        threading.Timer(0.5, go_on.set).start()  # the check goes on only while the refund already waits
        order_refund_received(order=o, refund_id="refund-1", amount=Decimal("100.00"))

    results = run_concurrently([check, refund])
    assert not [r for r in results if isinstance(r, Exception)], results
    dispute = OrderDispute.objects.get(order_id=o.order_id)
    assert dispute.status != OrderDispute.Status.OPEN
    statuses = set(Commission.objects.filter(order_id=o.order_id).values_list("status", flat=True))
    assert statuses == {"cancelled"}
    assert (LedgerEntry.objects.filter(order_id=o.order_id).aggregate(s=Sum("amount"))["s"] or 0) == 0
