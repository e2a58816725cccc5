"""The center's home sums in one statement (``db/center.py``), on PostgreSQL and (test_on_sqlite) SQLite."""

from __future__ import annotations

import itertools
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from saleor_wechat_distribution.db.center import home_summary
from saleor_wechat_distribution.domain.distributors import DistributorStatus
from saleor_wechat_distribution.models import Commission, LedgerEntry, Withdrawal
from saleor_wechat_distribution.testing.factories import make_distributor

pytestmark = pytest.mark.django_db
D = Decimal


_orders = itertools.count(1)


def commission(distributor, amount: str, status: str, *, reversed_amount: str = "0", days_ago: int = 0):
    made = Commission.objects.create(
        order_id=f"o{next(_orders)}", line_id="L1", channel="c", distributor=distributor, level=1,
        currency="CNY", base=D(amount) * 10, amount=D(amount), reversed_amount=D(reversed_amount),
        status=status,
    )  # fmt: skip
    Commission.objects.filter(pk=made.pk).update(created_at=timezone.now() - timedelta(days=days_ago))


def test_sums_and_team_counts_of_one_distributor():
    me = make_distributor(name="me")
    other = make_distributor(name="other")
    child = make_distributor(me)
    make_distributor(child)
    make_distributor(child, status=DistributorStatus.PENDING)
    make_distributor(me, status=DistributorStatus.SUSPENDED)
    make_distributor(other)
    for key, amount in (("a", "0.10"), ("b", "0.20"), ("c", "-0.05")):
        LedgerEntry.objects.create(
            distributor=me, currency="CNY", amount=D(amount), kind="adjustment", idempotency_key=key
        )
    LedgerEntry.objects.create(
        distributor=me, currency="USD", amount=D("9"), kind="adjustment", idempotency_key="usd"
    )
    LedgerEntry.objects.create(
        distributor=other, currency="CNY", amount=D("7"), kind="adjustment", idempotency_key="o"
    )
    for bill, status in (("W1", "requested"), ("W2", "wait_user_confirm"), ("W3", "paid")):
        Withdrawal.objects.create(
            distributor=me, channel="c", currency="CNY", amount=D("1.10"), status=status, out_bill_no=bill
        )
    commission(me, "10.00", "available", reversed_amount="2.50")
    commission(me, "3.30", "frozen")
    commission(me, "5.00", "cancelled")
    commission(me, "4.00", "pending", days_ago=40)
    since = timezone.now() - timedelta(days=30)
    found = home_summary(distributor=me, currency="CNY", since=since)
    assert found.available == D("0.25") and isinstance(found.available, Decimal)
    assert found.withdrawing == D("2.20")
    assert found.month_earnings == D("10.80")  # 7.50 + 3.30; cancelled and last month's not
    assert found.team_counts == {1: 2, 2: 1}
    assert home_summary(distributor=other, currency="CNY", since=since).team_counts == {1: 1, 2: 0}
    nobody = home_summary(distributor=child, currency="EUR", since=since)
    assert (nobody.available, nobody.withdrawing, nobody.month_earnings) == (D(0), D(0), D(0))
