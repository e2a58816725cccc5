"""The money bugs known from CRMEB, yudao mall, lilishop, Niushop and AffiliateWP: each must be impossible.

(Concurrency variants run on real threads in test_reliability.py.)"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.db import connection
from django.utils import timezone

from saleor_wechat_distribution.domain.distributors import DistributorKind
from saleor_wechat_distribution.models import Commission, CustomerBinding, LedgerEntry, Withdrawal
from saleor_wechat_distribution.ports import SYSTEM, Principal
from saleor_wechat_distribution.services.attribution import order_attribute
from saleor_wechat_distribution.services.commissions import (
    commissions_settle_due,
    order_cancelled,
    order_fulfilled,
    order_paid,
)
from saleor_wechat_distribution.services.distributors import distributor_suspend
from saleor_wechat_distribution.services.ledger import ledger_append, ledger_balance
from saleor_wechat_distribution.services.refunds import order_refunded
from saleor_wechat_distribution.services.withdrawals import withdrawal_request
from saleor_wechat_distribution.testing.factories import make_distributor
from saleor_wechat_distribution.testing.orders import line, order

pytestmark = pytest.mark.django_db
D = Decimal


def settle(o) -> None:
    order_fulfilled(order_id=o.order_id, fulfilled_at=timezone.now() - timedelta(days=30))
    commissions_settle_due()


def test_clawback_is_not_capped_at_the_current_balance(program, chain):
    _, _, b = chain
    o = order(line("100.00"), ref=b.referral_code)
    order_paid(order=o)
    settle(o)
    ledger_append(distributor_id=b.pk, currency="CNY", amount=D("-10.00"), kind="withdrawal", key="spent")
    order_refunded(order=o, refund_id="R", amount=D("100.00"))
    assert ledger_balance(distributor_id=b.pk, currency="CNY") == D("-10.00")  # the debt is recorded


def test_a_failed_debit_is_never_ignored(program, chain, payable):
    """If the hold cannot be written, no withdrawal exists (not a withdrawal paid from nothing)."""
    _, _, b = chain
    payable(b)
    ledger_append(distributor_id=b.pk, currency="CNY", amount=D("50.00"), kind="adjustment", key="seed")
    with connection.cursor() as cursor:  # the next withdrawal id's hold key is already taken
        cursor.execute("SELECT COALESCE(MAX(id), 0) FROM wechat_distribution_withdrawal")
        (last,) = cursor.fetchone()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT last_value, is_called FROM wechat_distribution_withdrawal_id_seq")
            value, called = cursor.fetchone()
            last = value if called else value - 1
    LedgerEntry.objects.create(distributor=b, currency="CNY", amount=D("0"), kind="adjustment",
                               idempotency_key=f"withdrawal:{last + 1}:hold")  # fmt: skip
    with pytest.raises(RuntimeError):
        withdrawal_request(
            principal=Principal(user_id=b.user_id), amount=D("50.00"), channel="default-channel"
        )
    assert not Withdrawal.objects.exists()
    assert ledger_balance(distributor_id=b.pk, currency="CNY") == D("50.00")


def test_bindings_live_in_the_database_not_in_a_cache(program, chain):
    _, a, b = chain
    order_attribute(order=order(ref=b.referral_code, user_id=4242))
    cache.clear()
    assert CustomerBinding.objects.get(customer_key="user:4242").distributor_id == b.pk
    assert order_attribute(order=order(ref=a.referral_code, user_id=4242)).distributor_id == b.pk


def test_paying_again_creates_no_second_commission(program, chain):
    _, _, b = chain
    o = order(line("100.00"), ref=b.referral_code)
    for _ in range(3):
        order_paid(order=o)
    assert Commission.objects.filter(order_id=o.order_id).count() == 2


def test_inactive_distributors_earn_nothing_at_either_level(program):
    root = make_distributor(kind=DistributorKind.ENTERPRISE)
    upline = make_distributor(root)
    seller = make_distributor(upline)
    distributor_suspend(actor=SYSTEM, distributor_id=upline.pk)
    o = order(line("100.00"), ref=seller.referral_code)
    order_paid(order=o)
    assert list(Commission.objects.filter(order_id=o.order_id).values_list("distributor_id", flat=True)) == [
        seller.pk
    ]
    distributor_suspend(actor=SYSTEM, distributor_id=seller.pk)
    o2 = order(line("100.00"), ref=seller.referral_code)
    order_paid(order=o2)
    assert not Commission.objects.filter(order_id=o2.order_id).exists()


@pytest.mark.parametrize("when", ["before settlement", "after settlement"])
@pytest.mark.parametrize("how", ["cancelled", "fully refunded"])
def test_no_commission_stands_on_a_cancelled_or_refunded_order(program, chain, when, how):
    _, a, b = chain
    o = order(line("100.00"), line("20.00"), ref=b.referral_code)
    order_paid(order=o)
    if when == "after settlement":
        settle(o)
    if how == "cancelled":
        order_cancelled(order_id=o.order_id)
    else:
        order_refunded(order=o, refund_id="R-all", amount=D("120.00"))
    settle(o)
    assert ledger_balance(distributor_id=b.pk, currency="CNY") == 0
    assert ledger_balance(distributor_id=a.pk, currency="CNY") == 0
    live = [c for c in Commission.objects.filter(order_id=o.order_id) if c.amount - c.reversed_amount > 0]
    assert [c for c in live if c.status != "cancelled"] == []
