"""Money as ``Decimal`` + currency code, never float (docs/architecture.md, §1 Conventions).

Every amount is rounded to its currency's minor unit (fen for CNY, none for JPY, three places for KWD)
using ISO 4217 precisions as published by CLDR through babel. Arithmetic that is not a plain
quantize (proportions, splits) is done on exact rationals (:class:`fractions.Fraction`) and rounded once
at the end, so results never depend on the ambient ``decimal`` context's precision and no intermediate
rounding drifts a cent.

Rounding is ``ROUND_HALF_UP`` in the ``decimal`` module's sense: ties go away from zero, so
``-0.005 CNY`` becomes ``-0.01`` just as ``0.005`` becomes ``0.01`` (amounts are sign symmetric, which
matters for refunds and reversals recorded as negative entries).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from decimal import Decimal
from fractions import Fraction
from functools import lru_cache

from babel.numbers import get_currency_precision, is_currency

__all__ = [
    "allocate",
    "currency_precision",
    "format_money",
    "from_minor_units",
    "prorate",
    "quantize",
    "to_minor_units",
]


@lru_cache(maxsize=512)
def currency_precision(currency: str) -> int:
    """Number of decimal places of ``currency``'s minor unit (CNY 2, JPY 0, KWD 3).

    Only upper-case ISO 4217 codes known to CLDR are accepted: babel's ``get_currency_precision``
    silently answers 2 for codes it does not know, which would hide a typo behind plausible amounts.
    """
    if not isinstance(currency, str):
        raise TypeError(f"currency must be an ISO 4217 code string, not {type(currency).__name__}")
    if len(currency) != 3 or not currency.isascii() or not currency.isupper() or not is_currency(currency):
        raise ValueError(f"unknown currency code {currency!r} (expected an upper-case ISO 4217 code)")
    return get_currency_precision(currency)


def _exact(value: object, name: str) -> Fraction:
    """``value`` as an exact rational; floats (and anything else that is not Decimal/int) are refused.

    A float such as ``0.1`` is already a binary approximation, so accepting it would bake a
    representation error into money; callers must build ``Decimal("0.1")`` from the text instead.
    """
    if isinstance(value, bool) or not isinstance(value, Decimal | int):
        kind = type(value).__name__
        if isinstance(value, float):
            raise TypeError(f"{name} must be a Decimal, not a float: money is never float")
        raise TypeError(f"{name} must be a Decimal, not {kind}")
    if isinstance(value, Decimal) and not value.is_finite():
        raise ValueError(f"{name} must be a finite amount, not {value}")
    return Fraction(value)


def _ratio(value: object, name: str) -> tuple[int, int]:
    """``value`` as an exact ``(numerator, denominator)`` pair (denominator > 0), with ``_exact``'s
    checks. Plain integers are several times cheaper than a ``Fraction`` on the order hot path."""
    if type(value) is not Decimal:  # subclasses, ints and the refused types take the checked path
        exact = _exact(value, name)
        return exact.numerator, exact.denominator
    if not value.is_finite():
        raise ValueError(f"{name} must be a finite amount, not {value}")
    return value.as_integer_ratio()


def _half_up_ratio(numerator: int, denominator: int) -> int:
    """``_half_up(numerator / denominator)`` in integers (``denominator`` > 0)."""
    magnitude = (2 * abs(numerator) + denominator) // (2 * denominator)
    return -magnitude if numerator < 0 else magnitude


def _half_up(value: Fraction) -> int:
    """Round to the nearest integer, ties away from zero (``decimal.ROUND_HALF_UP``)."""
    magnitude = math.floor(abs(value) + Fraction(1, 2))
    return -magnitude if value < 0 else magnitude


def _from_units(units: int, precision: int) -> Decimal:
    # Built from the digit tuple so no decimal context (precision, rounding) can touch the value.
    sign, digits, _ = Decimal(units).as_tuple()
    return Decimal((sign, digits, -precision))


def quantize(amount: Decimal, currency: str) -> Decimal:
    """``amount`` rounded half-up to ``currency``'s minor unit, with exactly that many places.

    ``quantize(Decimal("0.005"), "CNY") == Decimal("0.01")``; ``quantize(Decimal("0.5"), "JPY") == 1``.
    """
    precision = currency_precision(currency)
    numerator, denominator = _ratio(amount, "amount")
    return _from_units(_half_up_ratio(numerator * 10**precision, denominator), precision)


def format_money(amount: Decimal, currency: str) -> str:
    """``amount`` as people read it in a message: the currency's own decimals and its code
    (``format_money(Decimal("1.0000"), "CNY") == "1.00 CNY"``, ``"5 JPY"``, ``"1.500 KWD"``).

    The one formatter of money in messages (errors, notifications), so none shows the database's four
    places or a float's noise.
    """
    return f"{quantize(amount, currency)} {currency}"


def to_minor_units(amount: Decimal, currency: str) -> int:
    """``amount`` in the currency's minor unit (fen for CNY), exactly.

    The check is on the value, not on the written exponent: ``Decimal("1.500")`` is 150 fen (Saleor
    stores money with three places whatever the currency), while ``Decimal("1.505")`` CNY raises
    ``ValueError`` instead of being rounded, because a silently rounded amount here would be money sent
    or charged that the books do not show. Round explicitly with :func:`quantize` first if that is meant.
    """
    precision = currency_precision(currency)
    numerator, denominator = _ratio(amount, "amount")
    units, rest = divmod(numerator * 10**precision, denominator)
    if rest:
        raise ValueError(
            f"{amount} has more precision than {currency} allows ({precision} decimal places); quantize it"
        )
    return units


def from_minor_units(units: int, currency: str) -> Decimal:
    """The ``Decimal`` amount of ``units`` minor units (``12345`` fen -> ``Decimal("123.45")``)."""
    if isinstance(units, bool) or not isinstance(units, int):
        raise TypeError(f"units must be an int, not {type(units).__name__}")
    return _from_units(units, currency_precision(currency))


def allocate(total: Decimal, weights: Sequence[Decimal], currency: str) -> list[Decimal]:
    """Split ``total`` into ``len(weights)`` quantized parts proportional to ``weights``, losing no cent.

    Largest-remainder (Hamilton) method, in minor units: every part first gets the floor of its exact
    share, then the units left over go one each to the parts with the largest fractional remainders,
    ties to the earliest index. Hence:

    - the parts sum *exactly* to ``total``;
    - each part is within one minor unit of its exact proportional value;
    - the result depends only on the inputs (no hashing or sorting instability).

    ``total`` must already be a whole number of minor units (``ValueError`` otherwise: allocating an
    unrounded total would hide where the rounding happened). Weights must be non-negative; if they are
    all zero the total is split equally. A negative total is split like its absolute value and negated,
    so refunds mirror the charges they undo.
    """
    units = to_minor_units(total, currency)
    if not weights:
        raise ValueError("allocate needs at least one weight")
    exact_weights = [_exact(weight, f"weights[{index}]") for index, weight in enumerate(weights)]
    if any(weight < 0 for weight in exact_weights):
        raise ValueError("allocation weights must not be negative")
    weight_sum = sum(exact_weights, Fraction(0))
    if weight_sum == 0:
        exact_weights = [Fraction(1)] * len(exact_weights)
        weight_sum = Fraction(len(exact_weights))

    magnitude = abs(units)
    shares = [magnitude * weight / weight_sum for weight in exact_weights]
    parts = [math.floor(share) for share in shares]
    leftover = magnitude - sum(parts)
    # leftover < len(weights) because each floor lost less than one unit.
    by_remainder = sorted(range(len(shares)), key=lambda index: (-(shares[index] - parts[index]), index))
    for index in by_remainder[:leftover]:
        parts[index] += 1

    precision = currency_precision(currency)
    sign = -1 if units < 0 else 1
    return [_from_units(sign * part, precision) for part in parts]


def prorate(amount: Decimal, part: Decimal, whole: Decimal, currency: str) -> Decimal:
    """``amount × part / whole``, rounded half-up once, to the currency's minor unit.

    Used for proportional refunds (the commission on 1 of 3 refunded units, on 40 of 100 yuan, ...),
    and for percentages (``prorate(base, rate, 100, currency)``). ``whole`` must be positive and
    ``0 <= part <= whole``: a refund can not take back more than was earned.

    Note that prorating the pieces of a whole separately can round to a sum that differs from the whole
    by a minor unit or so; when the pieces must add up, use :func:`allocate` instead.
    """
    amount_n, amount_d = _ratio(amount, "amount")
    part_n, part_d = _ratio(part, "part")
    whole_n, whole_d = _ratio(whole, "whole")
    if whole_n <= 0:
        raise ValueError("prorate needs a positive whole")
    if part_n < 0 or part_n * whole_d > whole_n * part_d:
        raise ValueError("prorate needs 0 <= part <= whole")
    precision = currency_precision(currency)
    # amount × part / whole × 10^precision as one exact ratio, rounded once
    numerator = amount_n * part_n * whole_d * 10**precision
    return _from_units(_half_up_ratio(numerator, amount_d * part_d * whole_n), precision)
