"""Money: Decimal + currency, quantized by the currency's minor unit, splits that lose no cent."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from saleor_wechat_distribution.domain.money import (
    allocate,
    currency_precision,
    format_money,
    from_minor_units,
    prorate,
    quantize,
    to_minor_units,
)

D = Decimal
CURRENCIES = st.sampled_from(["CNY", "JPY", "KWD", "USD"])


@pytest.mark.parametrize(("currency", "precision"), [("CNY", 2), ("JPY", 0), ("KWD", 3), ("USD", 2)])
def test_currency_precision(currency, precision):
    assert currency_precision(currency) == precision


@pytest.mark.parametrize("currency", ["ZZZ", "cny", "", "CNYY", "RMB"])
def test_unknown_currency_is_refused(currency):
    with pytest.raises(ValueError, match="currency"):
        currency_precision(currency)


@pytest.mark.parametrize(
    ("amount", "currency", "expected"),
    [
        ("0.005", "CNY", "0.01"),
        ("0.004", "CNY", "0.00"),
        ("-0.005", "CNY", "-0.01"),
        ("1.995", "CNY", "2.00"),
        ("0.5", "JPY", "1"),
        ("1.5", "JPY", "2"),
        ("2.5", "JPY", "3"),
        ("-0.5", "JPY", "-1"),
        ("0.0005", "KWD", "0.001"),
        ("12", "CNY", "12.00"),
    ],
)
def test_quantize_rounds_half_up(amount, currency, expected):
    result = quantize(D(amount), currency)
    assert result == D(expected)
    assert str(result) == expected  # exactly the currency's number of places


def test_quantize_does_not_depend_on_the_decimal_context():
    # 30 significant digits: more than the default context's 28
    assert quantize(D("123456789012345678901234567.895"), "CNY") == D("123456789012345678901234567.90")


@pytest.mark.parametrize(
    "call",
    [
        lambda: quantize(0.1, "CNY"),
        lambda: to_minor_units(1.5, "CNY"),
        lambda: from_minor_units(1.0, "CNY"),
        lambda: allocate(D("1.00"), [0.5, 0.5], "CNY"),
        lambda: allocate(1.0, [D(1)], "CNY"),
        lambda: prorate(D("10.00"), 0.5, D(1), "CNY"),
        lambda: quantize("0.1", "CNY"),
    ],
)
def test_floats_and_strings_are_refused(call):
    with pytest.raises(TypeError):
        call()


def test_non_finite_amounts_are_refused():
    with pytest.raises(ValueError):
        quantize(D("NaN"), "CNY")
    with pytest.raises(ValueError):
        to_minor_units(D("Infinity"), "CNY")


@pytest.mark.parametrize(
    ("amount", "currency", "units"),
    [
        ("123.45", "CNY", 12345),
        ("1.500", "CNY", 150),
        ("-0.01", "CNY", -1),
        ("500", "JPY", 500),
        ("1.234", "KWD", 1234),
        ("0", "CNY", 0),
    ],
)
def test_to_minor_units(amount, currency, units):
    assert to_minor_units(D(amount), currency) == units


@pytest.mark.parametrize(("amount", "currency"), [("1.005", "CNY"), ("0.5", "JPY"), ("0.0001", "KWD")])
def test_to_minor_units_refuses_to_round(amount, currency):
    with pytest.raises(ValueError, match="precision"):
        to_minor_units(D(amount), currency)


def test_from_minor_units():
    assert str(from_minor_units(12345, "CNY")) == "123.45"
    assert str(from_minor_units(-1, "CNY")) == "-0.01"
    assert str(from_minor_units(0, "CNY")) == "0.00"
    assert str(from_minor_units(500, "JPY")) == "500"
    assert str(from_minor_units(1234, "KWD")) == "1.234"
    with pytest.raises(TypeError):
        from_minor_units(True, "CNY")


@given(units=st.integers(min_value=-(10**15), max_value=10**15), currency=CURRENCIES)
def test_minor_units_round_trip(units, currency):
    amount = from_minor_units(units, currency)
    assert to_minor_units(amount, currency) == units
    assert quantize(amount, currency) == amount
    assert -amount.as_tuple().exponent == currency_precision(currency)


@given(
    amount=st.decimals(min_value=-(10**9), max_value=10**9, allow_nan=False, allow_infinity=False, places=6),
    currency=CURRENCIES,
)
def test_quantize_is_within_half_a_minor_unit(amount, currency):
    result = quantize(amount, currency)
    unit = Fraction(1, 10 ** currency_precision(currency))
    assert abs(Fraction(result) - Fraction(amount)) <= unit / 2
    assert quantize(result, currency) == result


def test_allocate_examples():
    assert allocate(D("100.00"), [D(1), D(1), D(1)], "CNY") == [D("33.34"), D("33.33"), D("33.33")]
    assert allocate(D("-100.00"), [D(1), D(1), D(1)], "CNY") == [D("-33.34"), D("-33.33"), D("-33.33")]
    assert allocate(D("0.05"), [D(0), D(0)], "CNY") == [D("0.03"), D("0.02")]  # all zero: equal split
    assert allocate(D("10.00"), [D("3"), D("0"), D("1")], "CNY") == [D("7.50"), D("0.00"), D("2.50")]
    assert allocate(D("100"), [D(1), D(2)], "JPY") == [D(33), D(67)]
    # remainders 0.4 / 0.6 / 0.0 after flooring: the largest remainder gets the spare fen
    assert allocate(D("0.10"), [D(2), D(3), D(5)], "CNY") == [D("0.02"), D("0.03"), D("0.05")]
    assert allocate(D("0.01"), [D(2), D(3), D(5)], "CNY") == [D("0.00"), D("0.00"), D("0.01")]


def test_allocate_refusals():
    with pytest.raises(ValueError, match="precision"):
        allocate(D("1.005"), [D(1)], "CNY")
    with pytest.raises(ValueError, match="negative"):
        allocate(D("1.00"), [D(1), D(-1)], "CNY")
    with pytest.raises(ValueError, match="weight"):
        allocate(D("1.00"), [], "CNY")


@given(
    units=st.integers(min_value=-(10**12), max_value=10**12),
    weights=st.lists(
        st.decimals(min_value=0, max_value=10**6, allow_nan=False, allow_infinity=False, places=3),
        min_size=1,
        max_size=12,
    ),
    currency=CURRENCIES,
)
def test_allocate_sums_exactly_and_each_part_is_within_one_minor_unit(units, weights, currency):
    total = from_minor_units(units, currency)
    parts = allocate(total, weights, currency)

    assert len(parts) == len(weights)
    assert sum(parts, D(0)) == total
    for part in parts:
        assert quantize(part, currency) == part
    unit = Fraction(1, 10 ** currency_precision(currency))
    weight_sum = sum((Fraction(w) for w in weights), Fraction(0))
    effective = [Fraction(w) for w in weights] if weight_sum else [Fraction(1)] * len(weights)
    effective_sum = weight_sum or Fraction(len(weights))
    for part, weight in zip(parts, effective, strict=True):
        exact = Fraction(total) * weight / effective_sum
        assert abs(Fraction(part) - exact) < unit
        assert (part >= 0) if total >= 0 else (part <= 0)


@given(
    units=st.integers(min_value=0, max_value=10**9),
    weights=st.lists(st.integers(min_value=0, max_value=1000).map(Decimal), min_size=1, max_size=8),
)
def test_allocate_is_sign_symmetric_and_deterministic(units, weights):
    total = from_minor_units(units, "CNY")
    positive = allocate(total, weights, "CNY")
    assert allocate(-total, weights, "CNY") == [-part for part in positive]
    assert allocate(total, list(weights), "CNY") == positive


@pytest.mark.parametrize(
    ("amount", "part", "whole", "currency", "expected"),
    [
        ("10.00", "1", "3", "CNY", "3.33"),
        ("10.00", "2", "3", "CNY", "6.67"),
        ("0.01", "1", "2", "CNY", "0.01"),  # 0.005 rounds half-up
        ("-10.00", "2", "3", "CNY", "-6.67"),
        ("100", "1", "3", "JPY", "33"),
        ("59.90", "40", "100", "CNY", "23.96"),
        ("59.90", "0", "100", "CNY", "0.00"),
        ("59.90", "100", "100", "CNY", "59.90"),
    ],
)
def test_prorate(amount, part, whole, currency, expected):
    result = prorate(D(amount), D(part), D(whole), currency)
    assert result == D(expected)
    assert str(result) == expected


@pytest.mark.parametrize(("part", "whole"), [("4", "3"), ("-1", "3"), ("1", "0"), ("0", "-1")])
def test_prorate_refuses_parts_outside_the_whole(part, whole):
    with pytest.raises(ValueError):
        prorate(D("10.00"), D(part), D(whole), "CNY")


@given(
    units=st.integers(min_value=0, max_value=10**10),
    part=st.integers(min_value=0, max_value=1000),
    extra=st.integers(min_value=0, max_value=1000),
)
def test_prorate_never_exceeds_the_amount(units, part, extra):
    amount = from_minor_units(units, "CNY")
    whole = D(part + extra) or D(1)
    result = prorate(amount, D(part), whole, "CNY")
    assert D(0) <= result <= amount
    assert abs(Fraction(result) - Fraction(amount) * part / Fraction(whole)) <= Fraction(1, 200)


@pytest.mark.parametrize(
    ("amount", "currency", "text"),
    [
        ("1.0000", "CNY", "1.00 CNY"),
        ("5.0000", "JPY", "5 JPY"),
        ("1.5", "KWD", "1.500 KWD"),
        ("0.005", "CNY", "0.01 CNY"),
    ],
)
def test_money_in_messages_has_the_currencys_decimals(amount, currency, text):
    assert format_money(D(amount), currency) == text
