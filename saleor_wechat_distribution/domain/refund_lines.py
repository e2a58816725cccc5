"""Which lines a Saleor refund returned, in the core's terms (``line_amounts``: net amount per line id).

Saleor-free (plain values in, plain values out), so the arithmetic is tested in the core's suite; the
queries that gather the values live in ``refunds.py``.

Saleor records the lines of a refund in two places: a granted refund's lines (``OrderGrantedRefundLine``,
transaction API) and the lines of a refund fulfillment (``FulfillmentLine`` of a ``REFUNDED`` /
``REFUNDED_AND_RETURNED`` fulfillment, legacy payments). Both give order lines and quantities, and the
refund's amount may differ from what those quantities are worth (a partial compensation, a refund that
includes shipping, a refund that succeeded only in part). Each line's returned share is its net total times
the quantity returned over the quantity ordered, scaled down by what was actually refunded over what the
returned goods (and shipping, when included) were worth, so a refund of one line reverses exactly that
line's commission and a half refund of it half of it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from .money import quantize


@dataclass(frozen=True)
class ReturnedLine:
    """``quantity`` of an order line returned by a refund; the line's totals for all its units."""

    line_id: str
    ordered_quantity: int
    returned_quantity: int
    net_total: Decimal
    gross_total: Decimal


@dataclass(frozen=True)
class RefundRecord:
    """One refund as the core takes it: ``line_amounts`` when Saleor knows the lines, else ``amount``
    only (the core spreads it proportionally)."""

    refund_id: str
    amount: Decimal
    line_amounts: dict[str, Decimal] | None = None


def _share(total: Decimal, returned: int, ordered: int) -> Decimal:
    if ordered <= 0:
        return Decimal(0)
    return total * Decimal(min(returned, ordered)) / Decimal(ordered)


def line_amounts(
    lines: Iterable[ReturnedLine],
    *,
    refunded: Decimal,
    currency: str,
    shipping_gross: Decimal = Decimal(0),
) -> dict[str, Decimal] | None:
    """Net amount returned per line for a refund of ``refunded`` (gross, as Saleor's refunds are).

    None when the refund names no line (the caller falls back to the proportional spread); an empty dict
    when it names none but covers at most the shipping refunded with it (no commission is reversed).
    """
    lines = [ln for ln in lines if ln.returned_quantity > 0]
    if not lines:
        if shipping_gross > 0 and refunded <= shipping_gross:
            return {}
        return None
    worth = sum(
        (_share(ln.gross_total, ln.returned_quantity, ln.ordered_quantity) for ln in lines), Decimal(0)
    )
    worth += max(shipping_gross, Decimal(0))
    scale = min(refunded / worth, Decimal(1)) if worth > 0 else Decimal(1)
    amounts: dict[str, Decimal] = {}
    for ln in lines:
        value = _share(ln.net_total, ln.returned_quantity, ln.ordered_quantity) * scale
        amounts[ln.line_id] = amounts.get(ln.line_id, Decimal(0)) + value
    return {line_id: quantize(value, currency) for line_id, value in amounts.items()}


def without_lines_amount(refunded: Decimal, shipping_gross: Decimal) -> Decimal:
    """What of a line-less refund is left for the proportional spread once its shipping part is off."""
    return max(refunded - max(shipping_gross, Decimal(0)), Decimal(0))
