"""Money in the API: ``Money {amount, currency}`` out, amounts as decimal strings in (never float).

Amounts go out as graphene's ``Decimal`` scalar (a string such as ``"12.50"``), rounded to the
currency's minor unit. They come in as ``String`` and are parsed here to ``Decimal``: graphene 2's
``Decimal`` input turns a JSON number into a float first, and a malformed string into an internal error,
where a malformed amount must be a coded error in the mutation's ``errors`` list.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from enum import Enum

import graphene
from django.utils.translation import gettext_lazy as _

from ...domain.errors import DistributionError
from ...domain.money import quantize

#: what the money columns hold (``max_digits=20, decimal_places=4``)
MAX_INTEGER_DIGITS = 16
MAX_DECIMAL_PLACES = 4
#: ASCII digits only: ``\d`` and ``Decimal()`` also read "０５" and "٥" as 5
_NUMBER = re.compile(r"[+-]?([0-9]+)(?:\.[0-9]+)?")


class Money(graphene.ObjectType):
    amount = graphene.Decimal(
        required=True,
        description='A decimal string rounded to the currency\'s minor unit, e.g. "12.50"; never a float.',
    )
    currency = graphene.String(required=True, description="ISO 4217 currency code, e.g. CNY.")

    class Meta:
        description = "An amount of money with its currency."


def money(amount: Decimal | None, currency: str) -> Money | None:
    if amount is None:
        return None
    return Money(amount=quantize(amount, currency), currency=currency)


def parse_decimal(raw: str | None, *, field: str, code: Enum) -> Decimal | None:
    """A decimal string such as ``"12.50"`` as ``Decimal``; ``None`` stays ``None``.

    Refused with ``code`` on ``field``: anything but ASCII digits with an optional sign and decimal point
    (no exponent, NaN, infinity, full-width or other scripts' digits), more than 16 digits before the
    point (said as such: too large), or a value that needs more than 4 decimal places.
    """
    if raw is None:
        return None
    text = str(raw).strip()
    match = _NUMBER.fullmatch(text)
    if match is None:
        raise DistributionError(code, _("Enter a number such as 12.50."), field=field)
    if len(match.group(1).lstrip("0")) > MAX_INTEGER_DIGITS:
        raise DistributionError(
            code,
            _("The amount is too large: at most %(digits)d digits before the decimal point.")
            % {"digits": MAX_INTEGER_DIGITS},
            field=field,
        )
    try:
        value = Decimal(text)
    except InvalidOperation:  # pragma: no cover - the pattern admits only valid literals
        raise DistributionError(code, _("Enter a number such as 12.50."), field=field) from None
    if value != value.quantize(Decimal(1).scaleb(-MAX_DECIMAL_PLACES)):
        raise DistributionError(
            code,
            _("Enter a number with at most %(places)d decimal places.") % {"places": MAX_DECIMAL_PLACES},
            field=field,
        )
    return value


def plain_decimal(value: Decimal | None) -> Decimal | None:
    """Without the storage's trailing zeros (``10.0000`` -> ``10``, ``2.5000`` -> ``2.5``)."""
    if value is None:
        return None
    return value.quantize(Decimal(1)) if value == value.to_integral_value() else value.normalize()
