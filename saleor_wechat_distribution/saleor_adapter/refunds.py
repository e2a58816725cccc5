"""Every successful refund of a Saleor order, with the lines it returned where Saleor knows them.

- Transaction API: each ``REFUND_SUCCESS`` event is one refund. When it answers a refund request made for a
  granted refund (``related_granted_refund``), the granted refund's lines (and whether it included
  shipping) say what was returned; otherwise only its amount is known.
- Legacy payments: each successful ``REFUND`` transaction of a payment is one refund. Saleor does not link
  it to the refund fulfillment that ``orderFulfillmentRefundProducts`` / ``orderFulfillmentReturnProducts``
  create with it, but both carry the same amount (``Fulfillment.total_refund_amount``), so they are paired
  by amount, oldest first; the fulfillment's lines say what was returned. A refund without a fulfillment
  (``orderRefund``, ``paymentRefund``) is amount-only.

The refund ids (Saleor's event / transaction pk) make replays no-ops in the core, so each refund counts
once whichever hook or retry reports it. Lines are read when the refund is first reported; Saleor may later
move refunded fulfillment lines into a returned fulfillment, which changes nothing already counted.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from saleor.order import FulfillmentStatus
from saleor.order.models import Fulfillment, OrderGrantedRefund
from saleor.payment import TransactionEventType, TransactionKind
from saleor.payment.models import Transaction, TransactionEvent

from ..domain.refund_lines import RefundRecord, ReturnedLine, line_amounts, without_lines_amount
from .snapshots import global_id

REFUND_FULFILLMENT_STATUSES = (FulfillmentStatus.REFUNDED, FulfillmentStatus.REFUNDED_AND_RETURNED)


def _amount(value: Any) -> Decimal:
    return Decimal(0) if value is None else Decimal(str(value))


def _returned(pairs: Iterable[tuple[Any, int]]) -> list[ReturnedLine]:
    """(OrderLine, quantity returned) -> the values ``line_amounts`` needs."""
    return [
        ReturnedLine(
            line_id=global_id("OrderLine", line.pk),
            ordered_quantity=int(line.quantity),
            returned_quantity=int(quantity),
            net_total=_amount(line.total_price_net_amount),
            gross_total=_amount(line.total_price_gross_amount),
        )
        for line, quantity in pairs
    ]


def _record(
    refund_id: str, amount: Decimal, currency: str, returned: list[ReturnedLine], shipping: Decimal
) -> RefundRecord:
    lines = line_amounts(returned, refunded=amount, currency=currency, shipping_gross=shipping)
    if lines is None:
        return RefundRecord(refund_id, without_lines_amount(amount, shipping))
    return RefundRecord(refund_id, amount, lines)


def _granted_refunds(order: Any, ids: set[int]) -> dict[int, OrderGrantedRefund]:
    if not ids:
        return {}
    granted = OrderGrantedRefund.objects.filter(order_id=order.pk, pk__in=ids).prefetch_related(
        "lines__order_line"
    )
    return {g.pk: g for g in granted}


def transaction_refunds(order: Any) -> list[RefundRecord]:
    events = list(
        TransactionEvent.objects.filter(
            transaction__order_id=order.pk, type=TransactionEventType.REFUND_SUCCESS
        )
        .order_by("pk")
        .values_list("pk", "amount_value", "related_granted_refund_id")
    )
    granted = _granted_refunds(order, {g for _, _, g in events if g is not None})
    records = []
    for pk, amount, granted_id in events:
        refund_id = f"saleor-transaction-event:{pk}"
        grant = granted.get(granted_id) if granted_id is not None else None
        if grant is None:
            records.append(RefundRecord(refund_id, _amount(amount)))
            continue
        shipping = _amount(order.shipping_price_gross_amount) if grant.shipping_costs_included else Decimal(0)
        returned = _returned((ln.order_line, ln.quantity) for ln in grant.lines.all())
        records.append(_record(refund_id, _amount(amount), order.currency, returned, shipping))
    return records


def payment_refunds(order: Any) -> list[RefundRecord]:
    refunds = list(
        Transaction.objects.filter(payment__order_id=order.pk, kind=TransactionKind.REFUND, is_success=True)
        .order_by("pk")
        .values_list("pk", "amount")
    )
    if not refunds:
        return []
    fulfillments = list(
        Fulfillment.objects.filter(order_id=order.pk, status__in=REFUND_FULFILLMENT_STATUSES)
        .exclude(total_refund_amount=None)
        .order_by("created_at", "pk")
        .prefetch_related("lines__order_line")
    )
    records = []
    for pk, amount in refunds:
        refund_id = f"saleor-payment-transaction:{pk}"
        amount = _amount(amount)
        match = next((f for f in fulfillments if _amount(f.total_refund_amount) == amount), None)
        if match is None:
            records.append(RefundRecord(refund_id, amount))
            continue
        fulfillments.remove(match)
        returned = _returned((ln.order_line, ln.quantity) for ln in match.lines.all())
        records.append(
            _record(refund_id, amount, order.currency, returned, _amount(match.shipping_refund_amount))
        )
    return records


def refunds_of(order: Any) -> list[RefundRecord]:
    """Every successful refund of the order, oldest first within each kind."""
    return transaction_refunds(order) + payment_refunds(order)
