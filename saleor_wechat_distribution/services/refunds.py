"""Refunds reverse commissions: before settlement on the commission (``reversed_amount``; a fully
reversed one is cancelled), after it by negative ledger entries (clawbacks, debt carried).

What a refund takes back is the goods it returned (its lines, or its amount spread over what each line can
still return), bounded by what the customer stopped paying for: when the host reports the order's
charges (``OrderSnapshot.total_gross`` / ``charged``), the goods reversed over all the order's refunds
never exceed the order's charged shortfall (``domain.refunds``). A duplicate capture refunded, or an
overcharge corrected, leaves the order fully charged and reverses nothing.

Every refund is recorded per line (``OrderLineRefund``, unique per refund and line: replays are no-ops);
the cumulative recorded share of each line decides the reversed share of its commissions, so two
partial refunds add up exactly to one full one.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from decimal import Decimal

from django.db import transaction
from django.db.models import Sum

from ..domain.money import allocate, prorate, quantize
from ..domain.refunds import Charges, goods_reversed, shortfall_in_goods
from ..models import Commission, LedgerEntry, OrderAttribution, OrderLineRefund
from ..ports import OrderSnapshot
from .ledger import ledger_append

logger = logging.getLogger(__name__)
Status = Commission.Status
ZERO = Decimal(0)


def order_refunded(
    *,
    order: OrderSnapshot,
    refund_id: str,
    line_amounts: Mapping[str, Decimal] | None = None,
    amount: Decimal | None = None,
) -> None:
    """A refund (partial or full) reverses commissions proportionally per line.

    ``line_amounts`` says what each line returned; an amount-only refund is spread over the lines by
    what each can still return. With the order's charges known, the goods reversed are bounded by the
    charged shortfall (module docstring). Replays of ``refund_id`` are no-ops.
    """
    nets = {ln.line_id: quantize(ln.net_total, order.currency) for ln in order.lines}
    with transaction.atomic():
        commissions = list(
            Commission.objects.select_for_update().filter(order_id=order.order_id).order_by("pk")
        )
        if OrderLineRefund.objects.filter(refund_id=refund_id).exists():
            return
        already = _refunded_by_line(order.order_id)
        if line_amounts is None:
            # spread over what each line can still return, so later refunds never overflow a line
            remaining = [max(net - already.get(line_id, ZERO), ZERO) for line_id, net in nets.items()]
            total = min(quantize(amount or ZERO, order.currency), sum(remaining, ZERO))
            line_amounts = dict(zip(nets, allocate(total, remaining, order.currency), strict=True))
        goods = {line_id: value for line_id, value in line_amounts.items() if value > 0}
        taken = _bounded_by_charges(order, goods, nets, already)
        OrderLineRefund.objects.bulk_create(
            [
                OrderLineRefund(
                    order_id=order.order_id,
                    refund_id=refund_id,
                    line_id=line_id,
                    line_net=nets.get(line_id, 0),
                    # zero when the order stays charged: the row still makes a replay a no-op
                    amount=quantize(taken.get(line_id, value), order.currency),
                )
                for line_id, value in goods.items()
            ],
            ignore_conflicts=True,  # the same refund delivered twice at once, on an order without commissions
        )
        refunded = _refunded_by_line(order.order_id)
        for commission in commissions:
            _reverse_to_refunded_share(
                commission,
                refunded.get(commission.line_id, Decimal(0)),
                nets.get(commission.line_id),
                refund_id,
            )


def reapply_refunds(attribution: OrderAttribution) -> None:
    """Reverse the refunded shares on the attribution's current generation (after a reassignment)."""
    refunded = _refunded_by_line(attribution.order_id)
    if not refunded:
        return
    nets = {ln["line_id"]: Decimal(ln["net_total"]) for ln in attribution.lines}
    current = Commission.objects.select_for_update().filter(
        order_id=attribution.order_id, generation=attribution.generation
    )
    for commission in current:
        _reverse_to_refunded_share(
            commission,
            refunded.get(commission.line_id, Decimal(0)),
            nets.get(commission.line_id),
            f"reassign-{attribution.generation}",
        )


def _refunded_by_line(order_id: str) -> dict[str, Decimal]:
    rows = OrderLineRefund.objects.filter(order_id=order_id).values("line_id").annotate(total=Sum("amount"))
    return {row["line_id"]: row["total"] for row in rows}


def _reverse_to_refunded_share(
    commission: Commission, refunded: Decimal, line_net: Decimal | None, refund_id: str
) -> None:
    """Reverse the refunded share of the line's net (shipping included in the base or not)."""
    if not line_net or line_net <= 0 or commission.status == Status.CANCELLED:
        return
    target = prorate(commission.amount, min(refunded, line_net), line_net, commission.currency)
    delta = target - commission.reversed_amount
    if delta <= 0:
        return
    fields = ["reversed_amount"]
    if commission.status == Status.AVAILABLE:
        ledger_append(
            distributor_id=commission.distributor_id,
            currency=commission.currency,
            amount=-delta,
            kind=LedgerEntry.Kind.CLAWBACK,
            key=f"refund:{refund_id}:{commission.pk}",
            commission_id=commission.pk,
            order_id=commission.order_id,
        )
    elif target >= commission.amount:
        commission.status = Status.CANCELLED
        fields.append("status")
    commission.reversed_amount = target
    commission.save(update_fields=fields)


def _bounded_by_charges(
    order: OrderSnapshot, goods: dict[str, Decimal], nets: dict[str, Decimal], already: dict[str, Decimal]
) -> dict[str, Decimal]:
    """``goods`` as far as the order's charges let them reverse (all of them when the host reports no
    charges: the sandbox, a staff decision)."""
    if order.total_gross is None or order.charged is None:
        return goods
    currency = order.currency
    charges = Charges(total_gross=order.total_gross, charged=order.charged)
    order_net = sum(nets.values(), ZERO) + order.shipping_net
    room = shortfall_in_goods(charges, order_net=order_net, currency=currency)
    reversed_so_far = sum((min(already.get(line, ZERO), net) for line, net in nets.items()), ZERO)
    remaining = {line: max(net - already.get(line, ZERO), ZERO) for line, net in nets.items()}
    taken = goods_reversed(goods, remaining=remaining, already=reversed_so_far, room=room, currency=currency)
    if sum(taken.values(), ZERO) < sum(goods.values(), ZERO):
        logger.info(
            "refund on order %s: goods %s, charged %s of %s; reverses %s",
            order.order_id, sum(goods.values(), ZERO), order.charged, order.total_gross,
            sum(taken.values(), ZERO),
        )  # fmt: skip
    return taken
