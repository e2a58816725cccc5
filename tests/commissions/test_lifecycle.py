"""pending -> frozen -> available; cancellations, refunds and clawbacks keep the ledger exact."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import IntegrityError
from django.db.models import Sum
from django.utils import timezone

from saleor_wechat_distribution.models import Commission, CommissionRule, LedgerEntry
from saleor_wechat_distribution.services.commissions import (
    commissions_settle_due,
    order_cancelled,
    order_fulfilled,
    order_hold_close,
    order_hold_open,
    order_paid,
    order_placed,
)
from saleor_wechat_distribution.services.ledger import ledger_balance
from saleor_wechat_distribution.services.refunds import order_refunded
from saleor_wechat_distribution.testing.orders import line, order

pytestmark = pytest.mark.django_db
D = Decimal


def amounts(order_id: str) -> dict[tuple[int, int], Decimal]:
    rows = (
        Commission.objects.filter(order_id=order_id)
        .values("distributor_id", "level")
        .annotate(s=Sum("amount"))
    )
    return {(r["distributor_id"], r["level"]): r["s"] for r in rows}


def settle_now(order_id: str) -> int:
    order_fulfilled(order_id=order_id, fulfilled_at=timezone.now() - timedelta(days=8))
    return commissions_settle_due()


def test_two_levels_paid_never_three(program, chain):
    e, a, b = chain
    o = order(line("199.99"), line("50.00", quantity=2, product="P2"), ref=b.referral_code)
    order_placed(order=o)
    assert set(Commission.objects.filter(order_id=o.order_id).values_list("status", flat=True)) == {"pending"}
    assert amounts(o.order_id) == {(b.pk, 1): D("25.00"), (a.pk, 2): D("7.50")}  # 20.00+5.00, 6.00+1.50
    assert not Commission.objects.filter(distributor=e).exists()  # a third level is never paid


def test_paid_freezes_and_paying_again_creates_nothing_more(program, chain):
    _, _, b = chain
    o = order(line("100.00"), ref=b.referral_code)
    order_placed(order=o)
    order_paid(order=o)
    order_paid(order=o)
    order_placed(order=o)
    assert Commission.objects.filter(order_id=o.order_id).count() == 2
    assert set(Commission.objects.filter(order_id=o.order_id).values_list("status", flat=True)) == {"frozen"}


def test_paid_without_placed_event_still_creates_frozen_commissions(program, chain):
    _, _, b = chain
    o = order(line("100.00"), ref=b.referral_code)
    order_paid(order=o)
    assert Commission.objects.filter(order_id=o.order_id, status="frozen").count() == 2


def test_settlement_waits_for_the_window_and_for_open_refunds(program, chain):
    _, a, b = chain
    o = order(line("100.00"), ref=b.referral_code)
    order_paid(order=o)
    assert commissions_settle_due() == 0  # not fulfilled yet
    order_fulfilled(order_id=o.order_id, fulfilled_at=timezone.now() - timedelta(days=6))
    assert commissions_settle_due() == 0  # inside the 7-day window
    Commission.objects.filter(order_id=o.order_id).update(settle_after=timezone.now() - timedelta(seconds=1))
    order_hold_open(order_id=o.order_id, reason="refund_requested", reference="R1")
    assert commissions_settle_due() == 0  # an open refund keeps it frozen
    order_hold_close(order_id=o.order_id, reason="refund_requested", reference="R1")
    assert commissions_settle_due() == 2
    assert commissions_settle_due() == 0
    assert ledger_balance(distributor_id=b.pk, currency="CNY") == D("10.00")
    assert ledger_balance(distributor_id=a.pk, currency="CNY") == D("3.00")


def test_a_settlement_credit_that_exists_already_fails_the_batch_and_changes_nothing(program, chain):
    """Never a commission made available without its own credit: an existing ``settle:<id>`` key (a
    broken invariant) rolls the whole batch back instead of being skipped."""
    _, _, b = chain
    o = order(line("100.00"), ref=b.referral_code)
    order_paid(order=o)
    first = Commission.objects.filter(order_id=o.order_id).order_by("pk").first()
    LedgerEntry.objects.create(
        distributor_id=first.distributor_id,
        currency="CNY",
        amount=D("1.00"),
        kind=LedgerEntry.Kind.ADJUSTMENT,
        idempotency_key=f"settle:{first.pk}",
    )
    with pytest.raises(IntegrityError):
        settle_now(o.order_id)
    assert set(Commission.objects.filter(order_id=o.order_id).values_list("status", flat=True)) == {"frozen"}
    assert LedgerEntry.objects.count() == 1


def test_cancel_before_settlement_cancels(program, chain):
    _, _, b = chain
    o = order(line("100.00"), ref=b.referral_code)
    order_paid(order=o)
    order_cancelled(order_id=o.order_id)
    assert set(Commission.objects.filter(order_id=o.order_id).values_list("status", flat=True)) == {
        "cancelled"
    }
    assert settle_now(o.order_id) == 0
    assert ledger_balance(distributor_id=b.pk, currency="CNY") == 0


def test_two_partial_refunds_then_cancel_before_settlement(program, chain):
    _, a, b = chain
    o = order(line("100.00", line_id="L-a"), line("33.33", line_id="L-b"), ref=b.referral_code)
    order_paid(order=o)
    order_refunded(order=o, refund_id="R1", line_amounts={"L-a": D("30.00")})
    order_refunded(order=o, refund_id="R1", line_amounts={"L-a": D("30.00")})  # replay: no-op
    order_refunded(order=o, refund_id="R2", line_amounts={"L-a": D("70.00")})
    by_line = {
        (c.line_id, c.level): (c.reversed_amount, c.status)
        for c in Commission.objects.filter(order_id=o.order_id)
    }
    assert by_line[("L-a", 1)] == (D("10.00"), "cancelled")
    assert by_line[("L-b", 1)] == (D("0"), "frozen")
    settle_now(o.order_id)
    assert ledger_balance(distributor_id=b.pk, currency="CNY") == D("3.33")
    assert ledger_balance(distributor_id=a.pk, currency="CNY") == D("1.00")


def test_refund_after_settlement_claws_back_and_debt_is_carried(program, chain):
    _, a, b = chain
    o = order(line("100.00"), ref=b.referral_code)
    order_paid(order=o)
    settle_now(o.order_id)
    assert ledger_balance(distributor_id=b.pk, currency="CNY") == D("10.00")
    # the distributor has withdrawn everything meanwhile: the clawback is not capped at the balance
    LedgerEntry.objects.create(
        distributor=b,
        currency="CNY",
        amount=D("-10.00"),
        kind="withdrawal",
        idempotency_key="test-withdrawal",
    )
    order_refunded(order=o, refund_id="R1", amount=D("40.00"))
    order_refunded(order=o, refund_id="R1", amount=D("40.00"))
    assert ledger_balance(distributor_id=b.pk, currency="CNY") == D("-4.00")
    order_cancelled(order_id=o.order_id)  # cancel after refund: the rest goes back too
    assert ledger_balance(distributor_id=b.pk, currency="CNY") == D("-10.00")
    assert ledger_balance(distributor_id=a.pk, currency="CNY") == D("0.00")
    # the debt is netted against the next earnings
    o2 = order(line("200.00"), ref=b.referral_code)
    order_paid(order=o2)
    settle_now(o2.order_id)
    assert ledger_balance(distributor_id=b.pk, currency="CNY") == D("10.00")


def test_amount_only_refund_is_spread_over_lines_exactly(program, chain):
    _, _, b = chain
    o = order(
        line("0.03", line_id="x"), line("0.03", line_id="y"), line("0.03", line_id="z"), ref=b.referral_code
    )
    CommissionRule.objects.filter(level=1).update(rate=D("100"))
    CommissionRule.objects.filter(level=2).delete()
    order_paid(order=o)
    settle_now(o.order_id)
    order_refunded(order=o, refund_id="R1", amount=D("0.04"))
    order_refunded(order=o, refund_id="R2", amount=D("0.05"))
    assert ledger_balance(distributor_id=b.pk, currency="CNY") == D("0.00")


def test_shipping_excluded_by_default_and_included_when_configured(program, chain):
    _, _, b = chain
    o = order(line("100.00"), shipping="20.00", ref=b.referral_code)
    order_paid(order=o)
    assert Commission.objects.get(order_id=o.order_id, level=1).amount == D("10.00")
    program.base_includes_shipping = True
    program.save()
    o2 = order(line("100.00"), shipping="20.00", ref=b.referral_code)
    order_paid(order=o2)
    assert Commission.objects.get(order_id=o2.order_id, level=1).amount == D("12.00")


def test_depth_one_program_pays_only_the_seller(program, chain):
    _, _, b = chain
    program.commission_depth = 1
    program.save()
    CommissionRule.objects.filter(level=2).delete()
    o = order(line("100.00"), ref=b.referral_code)
    order_paid(order=o)
    assert amounts(o.order_id) == {(b.pk, 1): D("10.00")}


def test_settlement_in_small_batches_settles_everything_once(program, chain):
    _, _, b = chain
    orders = [order(line("10.00"), ref=b.referral_code) for _ in range(3)]
    held = order(line("10.00"), ref=b.referral_code)
    for o in [*orders, held]:
        order_paid(order=o)
        order_fulfilled(order_id=o.order_id, fulfilled_at=timezone.now() - timedelta(days=8))
    order_hold_open(order_id=held.order_id, reason="dispute")
    assert commissions_settle_due(batch_size=1) == 6  # walks past the held order's rows
    assert commissions_settle_due(batch_size=1) == 0
    assert ledger_balance(distributor_id=b.pk, currency="CNY") == D("3.00")
    assert LedgerEntry.objects.filter(kind="commission").count() == 6
