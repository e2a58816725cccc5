"""Commission strategy: rule precedence, validation codes, amounts per line and level."""

from __future__ import annotations

import dataclasses
import inspect
import random
from decimal import Decimal

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from saleor_wechat_distribution.domain import commission_policy
from saleor_wechat_distribution.domain.commission_policy import (
    MAX_PAID_LEVELS,
    MESSAGES,
    Beneficiary,
    CommissionLine,
    CommissionRule,
    CommissionShare,
    compute_commissions,
    resolve_rule,
    validate_depth,
    validate_rules,
)
from saleor_wechat_distribution.domain.errors import CommissionErrorCode, DistributionError
from saleor_wechat_distribution.domain.money import from_minor_units, quantize

D = Decimal

FRIDGE = CommissionLine(
    line_id="L1", product_id="fridge-bcd-500", category_id="large-appliances", quantity=1, base=D("4999.00")
)
KETTLE = CommissionLine(
    line_id="L2", product_id="kettle-k1", category_id="small-appliances", quantity=2, base=D("259.80")
)
APPLIANCE_RULES = [
    CommissionRule(level=1, rate=D("10")),
    CommissionRule(level=2, rate=D("3")),
    CommissionRule(level=1, rate=D("15"), category_id="large-appliances"),
    CommissionRule(level=1, fixed_amount=D("20.00"), product_id="kettle-k1"),
]
SELLER = Beneficiary(distributor_id=101, level=1, kind="individual")
PARENT = Beneficiary(distributor_id=7, level=2, kind="enterprise")


def test_max_paid_levels_is_two_and_says_why():
    assert MAX_PAID_LEVELS == 2
    source = inspect.getsource(commission_policy)
    why = source[source.index("MAX_PAID_LEVELS = 2") :].split('"""')[1]
    assert "WeChat" in why
    assert "《禁止传销条例》" in why
    assert "Art. 7" in why


def test_appliance_order():
    shares = compute_commissions([FRIDGE, KETTLE], [PARENT, SELLER], APPLIANCE_RULES, currency="CNY", depth=2)
    assert shares == [
        # category override: 4999.00 × 15 %
        CommissionShare("L1", 101, 1, D("4999.00"), D("15"), None, D("749.85")),
        # level-2 default: 4999.00 × 3 %
        CommissionShare("L1", 7, 2, D("4999.00"), D("3"), None, D("149.97")),
        # product override, fixed per unit: 20.00 × 2
        CommissionShare("L2", 101, 1, D("259.80"), None, D("20.00"), D("40.00")),
        # 259.80 × 3 % = 7.794 -> 7.79
        CommissionShare("L2", 7, 2, D("259.80"), D("3"), None, D("7.79")),
    ]
    assert sum(share.amount for share in shares) == D("947.61")
    assert all(share.amount.as_tuple().exponent == -2 for share in shares)


def test_depth_one_pays_only_the_seller():
    shares = compute_commissions(
        [FRIDGE], [SELLER, PARENT], APPLIANCE_RULES[:1] + APPLIANCE_RULES[2:], currency="CNY", depth=1
    )
    assert [(share.distributor_id, share.amount) for share in shares] == [(101, D("749.85"))]


def test_percent_rounds_half_up_to_the_minor_unit():
    line = CommissionLine("L", "p", None, 1, D("0.50"))
    (share,) = compute_commissions(
        [line], [SELLER], [CommissionRule(level=1, rate=D("3"))], currency="CNY", depth=1
    )
    assert share.amount == D("0.02")  # 0.015
    jpy_line = CommissionLine("L", "p", None, 1, D("150"))
    (share,) = compute_commissions(
        [jpy_line], [SELLER], [CommissionRule(level=1, rate=D("3"))], currency="JPY", depth=1
    )
    assert share.amount == D("5")  # 4.5
    assert str(share.amount) == "5"


def test_fixed_amount_is_capped_at_the_line_base():
    line = CommissionLine("L", "cheap-filter", None, 3, D("25.00"))
    rules = [CommissionRule(level=1, fixed_amount=D("10.00"))]
    (share,) = compute_commissions([line], [SELLER], rules, currency="CNY", depth=1)
    assert share.amount == D("25.00")  # not 30.00: never more than the line earned


def test_line_total_is_capped_level_by_level():
    # two half-up roundings of 0.005 would pay 0.02 on a 0.01 line: level 2 gets what is left (nothing)
    line = CommissionLine("L", "p", None, 1, D("0.01"))
    rules = [CommissionRule(level=1, rate=D("50")), CommissionRule(level=2, rate=D("50"))]
    shares = compute_commissions([line], [SELLER, PARENT], rules, currency="CNY", depth=2)
    assert [(share.level, share.amount) for share in shares] == [(1, D("0.01"))]
    # a fixed level-1 amount leaves only the rest of the base for level 2
    line = CommissionLine("L", "p", None, 1, D("100.00"))
    rules = [CommissionRule(level=1, fixed_amount=D("99.00")), CommissionRule(level=2, rate=D("3"))]
    shares = compute_commissions([line], [SELLER, PARENT], rules, currency="CNY", depth=2)
    assert [(share.level, share.amount) for share in shares] == [(1, D("99.00")), (2, D("1.00"))]


def test_zero_and_negative_lines_and_zero_shares_are_omitted():
    lines = [
        CommissionLine("discount", "p", None, 1, D("-20.00")),
        CommissionLine("free-gift", "p", None, 1, D("0.00")),
        CommissionLine("tiny", "p", None, 1, D("0.10")),  # 3 % of 0.10 = 0.003 -> 0.00
        CommissionLine("no-units", "q", None, 0, D("5.00")),
    ]
    rules = [
        CommissionRule(level=1, rate=D("10")),
        CommissionRule(level=2, rate=D("3")),
        CommissionRule(level=1, fixed_amount=D("1.00"), product_id="q"),
        CommissionRule(level=2, rate=D("0"), product_id="q"),
    ]
    shares = compute_commissions(lines, [SELLER, PARENT], rules, currency="CNY", depth=2)
    assert [(share.line_id, share.level, share.amount) for share in shares] == [("tiny", 1, D("0.01"))]


def test_no_rule_no_share():
    assert compute_commissions([FRIDGE], [SELLER], [], currency="CNY", depth=2) == []
    assert compute_commissions([], [SELLER], APPLIANCE_RULES, currency="CNY", depth=2) == []
    assert compute_commissions([FRIDGE], [], APPLIANCE_RULES, currency="CNY", depth=2) == []


def test_base_must_be_in_whole_minor_units_and_currency_known():
    line = CommissionLine("L", "p", None, 1, D("10.005"))
    with pytest.raises(ValueError, match="precision"):
        compute_commissions([line], [SELLER], APPLIANCE_RULES, currency="CNY", depth=2)
    with pytest.raises(ValueError, match="currency"):
        compute_commissions([], [], [], currency="RMB", depth=2)


def test_third_level_is_never_paid():
    with pytest.raises(ValueError, match="not payable"):
        Beneficiary(distributor_id=1, level=3, kind="individual")
    with pytest.raises(ValueError, match="not payable"):
        Beneficiary(distributor_id=1, level=0, kind="individual")
    smuggled = Beneficiary(distributor_id=1, level=2, kind="individual")
    object.__setattr__(smuggled, "level", 3)  # bypass the frozen dataclass's own check
    rules = [CommissionRule(level=1, rate=D("10")), CommissionRule(level=2, rate=D("3"))]
    with pytest.raises(ValueError, match="not payable"):
        compute_commissions([FRIDGE], [SELLER, smuggled], rules, currency="CNY", depth=2)


def test_two_beneficiaries_at_one_level_are_refused():
    twin = dataclasses.replace(SELLER, distributor_id=102)
    with pytest.raises(ValueError, match="one beneficiary per level"):
        compute_commissions([FRIDGE], [SELLER, twin], APPLIANCE_RULES, currency="CNY", depth=2)


def test_unvalidated_rule_is_not_paid():
    with pytest.raises(DistributionError) as info:
        compute_commissions(
            [FRIDGE], [SELLER], [CommissionRule(level=1, rate=D("150"))], currency="CNY", depth=2
        )
    assert info.value.code is CommissionErrorCode.RATE_OUT_OF_RANGE


def test_floats_are_refused():
    with pytest.raises(TypeError, match="float"):
        CommissionRule(level=1, rate=10.0)
    with pytest.raises(TypeError, match="float"):
        CommissionRule(level=1, fixed_amount=2.5)
    with pytest.raises(TypeError, match="float"):
        CommissionLine("L", "p", None, 1, 99.9)
    with pytest.raises(TypeError):
        CommissionLine("L", "p", None, 1.0, D("99.90"))


# --- precedence ------------------------------------------------------------------------------------

P, C, K = "fridge-bcd-500", "large-appliances", "enterprise"
#: (product, category, kind) scopes from most to least specific
PRECEDENCE = [
    (P, C, K),
    (P, C, None),
    (P, None, K),
    (P, None, None),
    (None, C, K),
    (None, C, None),
    (None, None, K),
    (None, None, None),
]


def _rule(scope, rate, level=1):
    product_id, category_id, kind = scope
    return CommissionRule(
        level=level, rate=D(rate), product_id=product_id, category_id=category_id, distributor_kind=kind
    )


@pytest.mark.parametrize("winner", range(len(PRECEDENCE)))
def test_precedence_table(winner):
    candidates = [_rule(scope, str(index + 1)) for index, scope in enumerate(PRECEDENCE)][winner:]
    noise = [
        _rule(("other-product", None, None), "50"),
        _rule((None, "other-category", None), "50"),
        _rule((None, None, "individual"), "50"),
        _rule((P, C, K), "50", level=2),
    ]
    rules = candidates + noise
    for seed in range(5):  # the order of the rules does not matter
        random.Random(seed).shuffle(rules)
        found = resolve_rule(rules, level=1, product_id=P, category_id=C, distributor_kind=K)
        assert found == candidates[0]
        assert found.scope == PRECEDENCE[winner]


def test_precedence_kind_specific_product_rule_only_for_that_kind():
    rules = [_rule((P, None, K), "12"), _rule((P, None, None), "11"), _rule((None, C, None), "9")]
    enterprise = resolve_rule(rules, level=1, product_id=P, category_id=C, distributor_kind=K)
    individual = resolve_rule(rules, level=1, product_id=P, category_id=C, distributor_kind="individual")
    other_product = resolve_rule(rules, level=1, product_id="x", category_id=C, distributor_kind=K)
    assert (enterprise.rate, individual.rate, other_product.rate) == (D("12"), D("11"), D("9"))


def test_line_without_category_is_not_covered_by_category_rules():
    rules = [_rule((None, C, None), "15"), _rule((None, None, None), "10")]
    assert resolve_rule(rules, level=1, product_id=P, category_id=None, distributor_kind=K).rate == D("10")
    assert resolve_rule(rules, level=2, product_id=P, category_id=C, distributor_kind=K) is None


def test_kind_rules_apply_per_beneficiary():
    rules = [
        CommissionRule(level=1, rate=D("10")),
        CommissionRule(level=1, rate=D("12"), distributor_kind="enterprise"),
        CommissionRule(level=2, rate=D("3")),
        CommissionRule(level=2, rate=D("4"), distributor_kind="enterprise"),
    ]
    line = CommissionLine("L", "p", None, 1, D("100.00"))
    shares = compute_commissions([line], [SELLER, PARENT], rules, currency="CNY", depth=2)
    assert [(share.level, share.rate, share.amount) for share in shares] == [
        (1, D("10"), D("10.00")),  # the seller is an individual
        (2, D("4"), D("4.00")),  # the parent is an enterprise
    ]


# --- validation ------------------------------------------------------------------------------------


@pytest.mark.parametrize("depth", [1, 2])
def test_depth_one_or_two_is_allowed(depth):
    validate_depth(depth)


@pytest.mark.parametrize("depth", [3, 0, -1, 10, True, "2"])
def test_other_depths_are_refused_and_say_why(depth):
    with pytest.raises(DistributionError) as info:
        validate_depth(depth)
    error = info.value
    assert error.code is CommissionErrorCode.DEPTH_NOT_ALLOWED
    assert error.field == "depth"
    assert "two levels" in error.message
    assert "WeChat" in error.message
    assert "《禁止传销条例》" in error.message
    assert "pyramid selling" in error.message.lower()
    assert error.message == MESSAGES[CommissionErrorCode.DEPTH_NOT_ALLOWED]


def test_appliance_rules_are_valid():
    validate_rules(APPLIANCE_RULES, 2)
    validate_rules([], 1)
    validate_rules([CommissionRule(level=1, rate=D("100"))], 1)
    validate_rules([CommissionRule(level=1, rate=D("70")), CommissionRule(level=2, rate=D("30"))], 2)
    validate_rules(
        [CommissionRule(level=1, rate=D("0")), CommissionRule(level=1, fixed_amount=D("0"), product_id="p")],
        1,
    )


@pytest.mark.parametrize(
    ("rules", "depth", "code", "field"),
    [
        ([CommissionRule(level=1, rate=D("10"))], 3, CommissionErrorCode.DEPTH_NOT_ALLOWED, "depth"),
        ([CommissionRule(level=2, rate=D("3"))], 1, CommissionErrorCode.DEPTH_NOT_ALLOWED, "level"),
        ([CommissionRule(level=0, rate=D("3"))], 2, CommissionErrorCode.DEPTH_NOT_ALLOWED, "level"),
        ([CommissionRule(level=3, rate=D("3"))], 2, CommissionErrorCode.DEPTH_NOT_ALLOWED, "level"),
        ([CommissionRule(level=1, rate=D("100.01"))], 2, CommissionErrorCode.RATE_OUT_OF_RANGE, "rate"),
        ([CommissionRule(level=1, rate=D("-1"))], 2, CommissionErrorCode.RATE_OUT_OF_RANGE, "rate"),
        ([CommissionRule(level=1, rate=D("NaN"))], 2, CommissionErrorCode.RATE_OUT_OF_RANGE, "rate"),
        (
            [CommissionRule(level=1, fixed_amount=D("-0.01"))],
            2,
            CommissionErrorCode.AMOUNT_INVALID,
            "fixed_amount",
        ),
        (
            [CommissionRule(level=1, fixed_amount=D("Infinity"))],
            2,
            CommissionErrorCode.AMOUNT_INVALID,
            "fixed_amount",
        ),
        ([CommissionRule(level=1)], 2, CommissionErrorCode.INVALID, "rate"),
        (
            [CommissionRule(level=1, rate=D("5"), fixed_amount=D("1.00"))],
            2,
            CommissionErrorCode.INVALID,
            "rate",
        ),
        (
            [
                CommissionRule(level=1, rate=D("5"), category_id="c"),
                CommissionRule(level=1, fixed_amount=D("1.00"), category_id="c"),
            ],
            2,
            CommissionErrorCode.RULE_CONFLICT,
            "rules",
        ),
        (
            [CommissionRule(level=1, rate=D("5")), CommissionRule(level=1, rate=D("6"))],
            2,
            CommissionErrorCode.RULE_CONFLICT,
            "rules",
        ),
        # same scope: level 1 + level 2 above 100 %
        (
            [
                CommissionRule(level=1, rate=D("60"), product_id="p"),
                CommissionRule(level=2, rate=D("40.01"), product_id="p"),
            ],
            2,
            CommissionErrorCode.RATES_EXCEED_TOTAL,
            "rate",
        ),
        # the level defaults
        (
            [CommissionRule(level=1, rate=D("90")), CommissionRule(level=2, rate=D("11"))],
            2,
            CommissionErrorCode.RATES_EXCEED_TOTAL,
            "rate",
        ),
        # a category rule at level 1 on top of the level-2 default it falls back to
        (
            [
                CommissionRule(level=1, rate=D("10")),
                CommissionRule(level=2, rate=D("3")),
                CommissionRule(level=1, rate=D("98"), category_id="c"),
            ],
            2,
            CommissionErrorCode.RATES_EXCEED_TOTAL,
            "rate",
        ),
        # an enterprise seller under an individual parent
        (
            [
                CommissionRule(level=1, rate=D("60"), distributor_kind="enterprise"),
                CommissionRule(level=2, rate=D("50"), distributor_kind="individual"),
            ],
            2,
            CommissionErrorCode.RATES_EXCEED_TOTAL,
            "rate",
        ),
    ],
)
def test_validation_codes_and_fields(rules, depth, code, field):
    with pytest.raises(DistributionError) as info:
        validate_rules(rules, depth)
    assert info.value.code is code
    assert info.value.field == field
    assert info.value.message == MESSAGES[code]


def test_rates_of_a_level_not_paid_at_this_depth_are_not_summed():
    # depth 1: only level-1 rates count (level-2 rules are refused anyway)
    validate_rules([CommissionRule(level=1, rate=D("100"), product_id="p")], 1)


def test_every_message_is_plain_english_text():
    assert set(MESSAGES) >= {
        CommissionErrorCode.DEPTH_NOT_ALLOWED,
        CommissionErrorCode.RATE_OUT_OF_RANGE,
        CommissionErrorCode.RATES_EXCEED_TOTAL,
        CommissionErrorCode.AMOUNT_INVALID,
        CommissionErrorCode.INVALID,
        CommissionErrorCode.RULE_CONFLICT,
    }
    assert all(type(message) is str and message.endswith(".") for message in MESSAGES.values())


# --- properties ------------------------------------------------------------------------------------

RATES = st.decimals(min_value=0, max_value=100, places=2, allow_nan=False, allow_infinity=False)


@given(
    base_units=st.integers(min_value=-(10**6), max_value=10**10),
    quantity=st.integers(min_value=0, max_value=1000),
    rate1=RATES,
    rate2=RATES,
    fixed=st.none() | st.decimals(min_value=0, max_value=10**5, places=2),
    currency=st.sampled_from(["CNY", "JPY", "KWD"]),
)
def test_a_line_never_pays_more_than_its_base(base_units, quantity, rate1, rate2, fixed, currency):
    assume(rate1 + rate2 <= 100)
    rules = [CommissionRule(level=1, rate=rate1), CommissionRule(level=2, rate=rate2)]
    if fixed is not None:
        rules.append(CommissionRule(level=1, fixed_amount=fixed, product_id="p"))
    validate_rules(rules, 2)
    line = CommissionLine("L", "p", None, quantity, from_minor_units(base_units, currency))
    shares = compute_commissions([line], [SELLER, PARENT], rules, currency=currency, depth=2)

    total = sum((share.amount for share in shares), D(0))
    assert total <= max(line.base, D(0))
    precision = {"CNY": 2, "JPY": 0, "KWD": 3}[currency]
    for share in shares:
        assert type(share.amount) is Decimal
        assert share.amount > 0
        assert -share.amount.as_tuple().exponent == precision
    if fixed is None and base_units > 0:
        # exactly base × rate / 100 rounded half-up; level 2 gets at most what level 1 left
        by_level = {share.level: share.amount for share in shares}
        expected1 = quantize(line.base * rate1 / 100, currency)
        expected2 = min(quantize(line.base * rate2 / 100, currency), line.base - expected1)
        assert by_level.get(1, D(0)) == expected1
        assert by_level.get(2, D(0)) == max(expected2, D(0))
