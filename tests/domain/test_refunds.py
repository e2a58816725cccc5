"""Refunds measured against charges (domain.refunds): the arithmetic, and its properties."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from saleor_wechat_distribution.domain.refunds import Charges, goods_reversed, shortfall_in_goods

D = Decimal


@pytest.mark.parametrize(
    ("total", "charged", "net", "expected"),
    [
        ("100.00", "100.00", "100.00", "0.00"),  # fully charged
        ("100.00", "200.00", "100.00", "0.00"),  # charged twice
        ("100.00", "70.00", "100.00", "30.00"),
        ("100.00", "0.00", "100.00", "100.00"),
        ("100.00", "-5.00", "100.00", "100.00"),  # refunded beyond the charges: at most the order
        ("113.00", "56.50", "100.00", "50.00"),  # half the goods of a taxed order
        ("0.00", "0.00", "0.00", "0.00"),
    ],
)
def test_shortfall_in_goods(total, charged, net, expected):
    charges = Charges(total_gross=D(total), charged=D(charged))
    assert shortfall_in_goods(charges, order_net=D(net), currency="CNY") == D(expected)


def test_goods_within_the_room_are_taken_as_they_are():
    goods = {"A": D("30.00"), "B": D("10.00")}
    remaining = {"A": D("60.00"), "B": D("40.00")}
    assert goods_reversed(goods, remaining=remaining, already=D(0), room=D("40.00"), currency="CNY") == goods


def test_goods_beyond_the_room_are_scaled_down_line_by_line():
    goods = {"A": D("60.00"), "B": D("40.00")}
    remaining = {"A": D("60.00"), "B": D("40.00")}
    taken = goods_reversed(goods, remaining=remaining, already=D("10.00"), room=D("35.00"), currency="CNY")
    assert taken == {"A": D("15.00"), "B": D("10.00")}
    assert goods_reversed(goods, remaining=remaining, already=D("50"), room=D("35"), currency="CNY") == {
        "A": D("0.00"),
        "B": D("0.00"),
    }


def test_a_line_never_gives_back_more_than_it_has_left():
    taken = goods_reversed(
        {"A": D("60.00"), "X": D("5.00")},
        remaining={"A": D("20.00")},
        already=D(0),
        room=D("100"),
        currency="CNY",
    )
    assert taken == {"A": D("20.00"), "X": D("0")}


amounts = st.integers(min_value=0, max_value=100_000).map(lambda fen: D(fen).scaleb(-2))


@given(
    goods=st.dictionaries(st.sampled_from("ABCDE"), amounts, max_size=5),
    remaining=st.dictionaries(st.sampled_from("ABCDE"), amounts, max_size=5),
    already=amounts,
    room=amounts,
)
def test_never_more_than_the_goods_the_lines_or_the_room(goods, remaining, already, room):
    taken = goods_reversed(goods, remaining=remaining, already=already, room=room, currency="CNY")
    assert set(taken) == set(goods)
    bounded = {line: min(goods[line], remaining.get(line, D(0))) for line in goods}
    for line, value in taken.items():
        assert D(0) <= value <= bounded[line]
    left = max(room - already, D(0))
    assert sum(taken.values(), D(0)) == min(sum(bounded.values(), D(0)), left)
