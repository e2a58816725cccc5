"""What a Saleor refund returned per line (granted-refund lines, refund-fulfillment lines) -> the core's
``line_amounts``: the arithmetic, Saleor-free. The saleor tier runs the same through Saleor's records."""

from __future__ import annotations

from decimal import Decimal

from saleor_wechat_distribution.domain.refund_lines import (
    ReturnedLine,
    line_amounts,
    without_lines_amount,
)

A = ReturnedLine("L-A", 2, 1, Decimal("180.00"), Decimal("207.00"))  # 2 ordered, 1 returned
B = ReturnedLine("L-B", 1, 1, Decimal("9.90"), Decimal("11.39"))


def test_a_full_refund_of_one_unit_returns_that_units_net():
    assert line_amounts([A], refunded=Decimal("103.50"), currency="CNY") == {"L-A": Decimal("90.00")}


def test_a_smaller_refund_than_the_goods_are_worth_returns_the_same_share_of_each_line():
    half = (Decimal("103.50") + Decimal("11.39")) / 2
    assert line_amounts([A, B], refunded=half, currency="CNY") == {
        "L-A": Decimal("45.00"),
        "L-B": Decimal("4.95"),
    }


def test_shipping_refunded_with_the_lines_is_not_a_line():
    amounts = line_amounts([B], refunded=Decimal("21.39"), currency="CNY", shipping_gross=Decimal("10.00"))
    assert amounts == {"L-B": Decimal("9.90")}


def test_more_than_the_lines_are_worth_never_returns_more_than_them():
    assert line_amounts([B], refunded=Decimal("500"), currency="CNY") == {"L-B": Decimal("9.90")}


def test_a_line_named_twice_adds_up_and_never_exceeds_its_units():
    twice = [A, ReturnedLine("L-A", 2, 1, Decimal("180.00"), Decimal("207.00"))]
    assert line_amounts(twice, refunded=Decimal("414.00"), currency="CNY") == {"L-A": Decimal("180.00")}
    over = [ReturnedLine("L-A", 2, 5, Decimal("180.00"), Decimal("207.00"))]
    assert line_amounts(over, refunded=Decimal("414.00"), currency="CNY") == {"L-A": Decimal("180.00")}


def test_without_lines_the_caller_falls_back_to_the_proportional_spread():
    assert line_amounts([], refunded=Decimal("50"), currency="CNY") is None
    assert line_amounts([ReturnedLine("L-A", 2, 0, Decimal(1), Decimal(1))], refunded=Decimal(5),
                        currency="CNY") is None  # fmt: skip
    # a shipping-only refund names no line and reverses nothing
    assert line_amounts([], refunded=Decimal("10"), currency="CNY", shipping_gross=Decimal("10")) == {}
    assert without_lines_amount(Decimal("30"), Decimal("10")) == Decimal("20")
    assert without_lines_amount(Decimal("5"), Decimal("10")) == Decimal("0")


def test_a_zero_decimal_currency_is_quantized_to_whole_units():
    line = ReturnedLine("L-J", 3, 1, Decimal("1000"), Decimal("1100"))
    assert line_amounts([line], refunded=Decimal("367"), currency="JPY") == {"L-J": Decimal("333")}
