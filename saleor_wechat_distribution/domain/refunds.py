"""How much of a refund takes commission back: refunds are measured against charges, not only goods.

A refund names goods (a line's units, or an amount spread over the lines), but money can also go back
without the customer giving up anything paid for: a duplicate capture refunded, an overcharge corrected.
Commissions pay for what the customer keeps paying for, so a refund reverses commission only as far as
it leaves the order short of its total:

    shortfall = max(order total - net charged, 0)         (net charged: charges minus refunds, now)
    reversed goods, over all refunds <= shortfall         (in the lines' net terms)
    reversal of a line = min(the goods the refunds returned of it, its share of the shortfall)

A refund that leaves the order fully charged reverses nothing, whatever goods it names; a real partial
refund of a fully charged order reverses exactly what it returned. Each refund takes what is left of the
shortfall after the refunds before it (``already``), so replays and later refunds never count twice.
Pure arithmetic on Decimals (``domain.money``), tested on its own and property-tested.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from .money import allocate, prorate, quantize

ZERO = Decimal(0)


@dataclass(frozen=True)
class Charges:
    """What the host knows of an order's money: its total (gross, shipping included) and what the
    customer has paid and keeps paying now (every successful charge minus every refund)."""

    total_gross: Decimal
    charged: Decimal

    def shortfall(self) -> Decimal:
        return max(self.total_gross - self.charged, ZERO)


def shortfall_in_goods(charges: Charges, *, order_net: Decimal, currency: str) -> Decimal:
    """The order's unpaid part in the lines' terms: the gross shortfall times the order's net over its
    gross (goods and commissions are net of tax), rounded to the currency."""
    shortfall = min(charges.shortfall(), charges.total_gross)
    if shortfall <= 0 or order_net <= 0:
        return ZERO
    return prorate(order_net, shortfall, charges.total_gross, currency)


def goods_reversed(
    goods: Mapping[str, Decimal],
    *,
    remaining: Mapping[str, Decimal],
    already: Decimal,
    room: Decimal,
    currency: str,
) -> dict[str, Decimal]:
    """What of ``goods`` (line id -> net amount this refund returns) takes commission back.

    ``remaining``: per line, what is left of its net after earlier refunds (a line never gives back more
    than it had); ``already``: the goods earlier refunds reversed; ``room``: the shortfall in goods
    (``shortfall_in_goods``). Each line keeps at most its goods and its remaining; together they take at
    most ``room - already``, spread in proportion to the goods (largest remainder: no cent lost). Every
    line of ``goods`` is in the answer, possibly at zero.
    """
    bounded = {
        line: max(min(quantize(amount, currency), remaining.get(line, ZERO)), ZERO)
        for line, amount in goods.items()
    }
    total = sum(bounded.values(), ZERO)
    left = max(quantize(room - already, currency), ZERO)
    if total <= left:
        return bounded
    if not bounded:
        return {}
    return dict(zip(bounded, allocate(left, list(bounded.values()), currency), strict=True))
