"""The commission strategy: which rule applies, and what each upline level earns on an order line.

Pure functions over frozen dataclasses. The services persist rules and ledger entries; this module only
decides amounts, in ``Decimal`` and the order's currency (see :mod:`.money`).

What is paid, and what is not
-----------------------------
A distributor earns on *sales*: a percentage of the line's commissionable base, or a fixed amount per
unit sold. The distributor the order is attributed to is level 1, that distributor's parent level 2, and
nobody above is ever paid (:data:`MAX_PAID_LEVELS`). There is deliberately no reward for recruiting
distributors, no joining fee, and no pay on a team's volume: those are the marks of pyramid selling.

Rule precedence
---------------
A rule *matches* a line and beneficiary when its ``level`` equals the beneficiary's level and each of its
set scope fields (``product_id``, ``category_id``, ``distributor_kind``) equals the line's / beneficiary's
value; a field left ``None`` matches anything. Among matching rules the most specific wins, comparing
``(product set, category set, kind set)`` lexicographically, i.e. (most specific first)::

    1. product + category + kind     5. category + kind
    2. product + category            6. category
    3. product + kind                7. kind
    4. product                       8. level default (no scope)

A product rule therefore always beats a category rule, a category rule beats a kind rule, and within
each, the variant narrowed to the beneficiary's distributor kind beats the one that is not.
(Product + category rules are allowed but rarely useful: they match only while the product sits in that
category.) :func:`validate_rules` refuses two rules with the same level and scope, so the winner is
unique; should unvalidated rules tie anyway, the earliest in the sequence wins.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal, Inexact, localcontext

from .errors import CommissionErrorCode, DistributionError
from .i18n import gettext_noop
from .money import currency_precision, from_minor_units, prorate, quantize, to_minor_units

__all__ = [
    "MAX_PAID_LEVELS",
    "MESSAGES",
    "Beneficiary",
    "CommissionLine",
    "CommissionRule",
    "CommissionShare",
    "compute_commissions",
    "resolve_rule",
    "validate_depth",
    "validate_rules",
]

MAX_PAID_LEVELS = 2
"""At most two upline levels are ever paid on a sale: the seller (level 1) and the seller's parent.

This is a legal and platform limit, not a product setting:

- WeChat treats distribution paying three or more levels as pyramid selling and stops payment
  (and restricts the Official Account / Mini Program) of accounts that run it.
- 《禁止传销条例》 (Regulations on the Prohibition of Pyramid Selling), Art. 7, defines pyramid selling as
  paying for recruiting people (headcount rewards, 拉人头), charging an entry fee for the right to sell
  (入门费), and paying on the sales of a multi-level downline (团队计酬).

The program's configurable depth may be 1 or 2 (:func:`validate_depth`); nothing in this package pays
for recruiting.
"""

PERCENT = Decimal(100)

#: Every user-facing message of this module, by error code. Plain English: the domain stays free of
#: Django, so the GraphQL layer looks the text up here (or by code) and translates it.
MESSAGES: dict[CommissionErrorCode, str] = {
    CommissionErrorCode.DEPTH_NOT_ALLOWED: gettext_noop(
        "Commissions can be paid on one or two levels only, and every rule's level must be within the "
        "program's depth. Paying three or more levels is pyramid selling: WeChat stops payment for "
        "accounts that do it, and Article 7 of the Regulations on the Prohibition of Pyramid Selling "
        "(《禁止传销条例》) forbids it."
    ),
    CommissionErrorCode.RATE_OUT_OF_RANGE: gettext_noop(
        "The commission rate must be a percentage between 0 and 100."
    ),
    CommissionErrorCode.RATES_EXCEED_TOTAL: gettext_noop(
        # xgettext:no-python-format
        "The commission rates of all levels together may not exceed 100% of the sale."
    ),
    CommissionErrorCode.AMOUNT_INVALID: gettext_noop("The fixed commission amount must be zero or more."),
    CommissionErrorCode.INVALID: gettext_noop(
        "A commission rule needs either a rate or a fixed amount, not both."
    ),
    CommissionErrorCode.RULE_CONFLICT: gettext_noop(
        "Another commission rule already covers the same level, product, category and distributor kind."
    ),
}


def _error(code: CommissionErrorCode, field: str, index: int | None = None) -> DistributionError:
    return DistributionError(code, MESSAGES[code], field=field, index=index)


def _require_decimal(value: object, name: str) -> None:
    if isinstance(value, float):
        raise TypeError(f"{name} must be a Decimal, not a float: money is never float")


@dataclass(frozen=True)
class CommissionRule:
    """What one level earns, for one scope.

    ``rate`` is a percentage (``Decimal("10")`` is 10 %) of the line base; ``fixed_amount`` is paid per
    unit sold, in the order's currency. Exactly one of the two is set; business checks (ranges,
    conflicts) are :func:`validate_rules`' job so that they come back as error codes; only floats are
    refused here, as a programming error.
    """

    level: int
    rate: Decimal | None = None
    fixed_amount: Decimal | None = None
    product_id: str | None = None
    category_id: str | None = None
    distributor_kind: str | None = None

    def __post_init__(self) -> None:
        _require_decimal(self.rate, "rate")
        _require_decimal(self.fixed_amount, "fixed_amount")

    @property
    def scope(self) -> tuple[str | None, str | None, str | None]:
        """``(product_id, category_id, distributor_kind)``; all ``None`` for the level default."""
        return (self.product_id, self.category_id, self.distributor_kind)

    @property
    def specificity(self) -> tuple[bool, bool, bool]:
        """Sort key of the precedence order (module docstring): greater is more specific."""
        return (self.product_id is not None, self.category_id is not None, self.distributor_kind is not None)


@dataclass(frozen=True)
class Beneficiary:
    """An upline member to be paid on an order: level 1 is the attributed distributor."""

    distributor_id: int
    level: int
    kind: str

    def __post_init__(self) -> None:
        _check_paid_level(self.level)


@dataclass(frozen=True)
class CommissionLine:
    """One order line as commissions see it: ``base`` is its commissionable amount (order currency)."""

    line_id: str
    product_id: str
    category_id: str | None
    quantity: int
    base: Decimal

    def __post_init__(self) -> None:
        _require_decimal(self.base, "base")
        if isinstance(self.quantity, bool) or not isinstance(self.quantity, int):
            raise TypeError(f"quantity must be an int, not {type(self.quantity).__name__}")


@dataclass(frozen=True)
class CommissionShare:
    """What one beneficiary earns on one line, and the rule terms it was computed from."""

    line_id: str
    distributor_id: int
    level: int
    base: Decimal
    rate: Decimal | None
    fixed_amount: Decimal | None
    amount: Decimal


def _check_paid_level(level: int) -> None:
    # A programming error, not user input: the services must never hand over a third level.
    if isinstance(level, bool) or not isinstance(level, int):
        raise TypeError(f"level must be an int, not {type(level).__name__}")
    if not 1 <= level <= MAX_PAID_LEVELS:
        raise ValueError(
            f"beneficiary level {level} is not payable: at most {MAX_PAID_LEVELS} levels are paid"
        )


def validate_depth(depth: int) -> None:
    """Refuse a program depth other than 1 or 2 (why: :data:`MAX_PAID_LEVELS`)."""
    if isinstance(depth, bool) or not isinstance(depth, int) or not 1 <= depth <= MAX_PAID_LEVELS:
        raise _error(CommissionErrorCode.DEPTH_NOT_ALLOWED, "depth")


def _validate_rule(rule: CommissionRule, depth: int) -> None:
    if (rule.rate is None) == (rule.fixed_amount is None):
        raise _error(CommissionErrorCode.INVALID, "rate")
    if isinstance(rule.level, bool) or not isinstance(rule.level, int) or not 1 <= rule.level <= depth:
        raise _error(CommissionErrorCode.DEPTH_NOT_ALLOWED, "level")
    if rule.rate is not None and (
        not isinstance(rule.rate, Decimal) or not rule.rate.is_finite() or not 0 <= rule.rate <= PERCENT
    ):
        raise _error(CommissionErrorCode.RATE_OUT_OF_RANGE, "rate")
    if rule.fixed_amount is not None and (
        not isinstance(rule.fixed_amount, Decimal)
        or not rule.fixed_amount.is_finite()
        or rule.fixed_amount < 0
    ):
        raise _error(CommissionErrorCode.AMOUNT_INVALID, "fixed_amount")


def validate_rules(rules: Sequence[CommissionRule], depth: int) -> None:
    """Refuse a rule set that is malformed, ambiguous, or pays more than the sale; checks, in order:

    1. the depth (``DEPTH_NOT_ALLOWED``, field ``depth``);
    2. each rule: exactly one of rate / fixed amount (``INVALID``, ``rate``), level within ``1..depth``
       (``DEPTH_NOT_ALLOWED``, ``level``), rate within 0..100 (``RATE_OUT_OF_RANGE``, ``rate``), fixed
       amount >= 0 (``AMOUNT_INVALID``, ``fixed_amount``);
    3. no two rules with the same level and scope (``RULE_CONFLICT``, ``rules``);
    4. the rates paid on one sale, over all levels, are at most 100 % (``RATES_EXCEED_TOTAL``,
       ``rate``).

    The error's ``index`` is the position of the rule it is about (for 4, the scope's last rule with a
    rate), so an editor shows it next to that rule.

    Check 4 resolves rules the way :func:`compute_commissions` does, for every scope that appears in the
    rules plus the unscoped default, so it covers a scope's own rates, its fallbacks to less specific
    rules (down to the level defaults), and every mix of distributor kinds across levels (each level's
    beneficiary has its own kind). It can not cover pairings that depend on the catalog, which the domain
    does not know (a product rule at one level falling back to the rule of whichever category the product
    is in at another), nor fixed amounts; :func:`compute_commissions` caps each line's total at its
    base for those.
    """
    validate_depth(depth)
    for index, rule in enumerate(rules):
        try:
            _validate_rule(rule, depth)
        except DistributionError as error:
            error.index = index
            raise

    seen: set[tuple[int, str | None, str | None, str | None]] = set()
    for index, rule in enumerate(rules):
        key = (rule.level, *rule.scope)
        if key in seen:
            raise _error(CommissionErrorCode.RULE_CONFLICT, "rules", index)
        seen.add(key)

    kinds: list[str | None] = [None, *sorted({r.distributor_kind for r in rules if r.distributor_kind})]
    scopes = {(None, None)} | {(r.product_id, r.category_id) for r in rules}
    for product_id, category_id in scopes:
        total = Decimal(0)
        for level in range(1, depth + 1):
            total += max(
                _rate_of(
                    resolve_rule(
                        rules,
                        level=level,
                        product_id=product_id,
                        category_id=category_id,
                        distributor_kind=kind,
                    )
                )
                for kind in kinds
            )
        if total > PERCENT:
            raise _error(
                CommissionErrorCode.RATES_EXCEED_TOTAL, "rate", _last_rated(rules, product_id, category_id)
            )


def _last_rated(
    rules: Sequence[CommissionRule], product_id: str | None, category_id: str | None
) -> int | None:
    """The index of the last rule with a rate in a product/category scope (where an editor shows an
    error about the scope's total), or None."""
    found = None
    for index, rule in enumerate(rules):
        if rule.rate is not None and (rule.product_id, rule.category_id) == (product_id, category_id):
            found = index
    return found


def _rate_of(rule: CommissionRule | None) -> Decimal:
    return rule.rate if rule is not None and rule.rate is not None else Decimal(0)


def _matches(
    rule: CommissionRule,
    *,
    level: int,
    product_id: str | None,
    category_id: str | None,
    distributor_kind: str | None,
) -> bool:
    return (
        rule.level == level
        and (rule.product_id is None or rule.product_id == product_id)
        and (rule.category_id is None or rule.category_id == category_id)
        and (rule.distributor_kind is None or rule.distributor_kind == distributor_kind)
    )


def resolve_rule(
    rules: Iterable[CommissionRule],
    *,
    level: int,
    product_id: str | None,
    category_id: str | None,
    distributor_kind: str | None,
) -> CommissionRule | None:
    """The most specific rule matching, per the precedence order in the module docstring, or ``None``.

    ``None`` arguments match only rules that leave that scope field unset (a line without a category is
    never covered by a category rule).
    """
    best: CommissionRule | None = None
    for rule in rules:
        if _matches(
            rule,
            level=level,
            product_id=product_id,
            category_id=category_id,
            distributor_kind=distributor_kind,
        ) and (best is None or rule.specificity > best.specificity):
            best = rule
    return best


def compute_commissions(
    lines: Sequence[CommissionLine],
    beneficiaries: Sequence[Beneficiary],
    rules: Sequence[CommissionRule],
    *,
    currency: str,
    depth: int,
) -> list[CommissionShare]:
    """The commission shares an order earns, line by line, level 1 first.

    For each line with a positive base and each beneficiary whose level is within ``depth``, the
    resolved rule gives:

    - a percentage: ``base × rate / 100``, rounded half-up to the currency's minor unit;
    - a fixed amount: ``fixed_amount × quantity`` (rounded likewise), capped at the line's base.

    Never pay more than the line earned: shares are taken level by level and each is capped at what the
    earlier levels left of the base. With rules that passed :func:`validate_rules` this only ever trims
    a rounding cent (0.01 at 50 % + 50 % rounds up twice) or a fixed amount larger than the sale; it
    also bounds rule pairings that validation can not see (see there).

    Lines with a zero or negative base (discount or adjustment lines) earn nothing; shares that come to
    zero are left out. ``base`` must be a whole number of minor units of ``currency``.

    Raises ``DistributionError(DEPTH_NOT_ALLOWED)`` for a bad ``depth``, and ``ValueError`` for a
    beneficiary above :data:`MAX_PAID_LEVELS` (even one smuggled past :class:`Beneficiary`'s own check)
    or two beneficiaries at one level.
    """
    validate_depth(depth)
    currency_precision(currency)  # unknown currency -> ValueError, even for an empty order
    payable = sorted(beneficiaries, key=lambda beneficiary: beneficiary.level)
    for beneficiary in payable:
        _check_paid_level(beneficiary.level)
    levels = [beneficiary.level for beneficiary in payable]
    if len(set(levels)) != len(levels):
        raise ValueError("at most one beneficiary per level")
    payable = [beneficiary for beneficiary in payable if beneficiary.level <= depth]

    shares: list[CommissionShare] = []
    for line in lines:
        _require_decimal(line.base, "base")
        remaining_units = to_minor_units(line.base, currency)
        if remaining_units <= 0:
            continue
        for beneficiary in payable:
            rule = resolve_rule(
                rules,
                level=beneficiary.level,
                product_id=line.product_id,
                category_id=line.category_id,
                distributor_kind=beneficiary.kind,
            )
            if rule is None:
                continue
            _validate_rule(rule, depth)  # never pay on a rule that skipped validate_rules()
            units = min(_rule_units(rule, line, currency), remaining_units)
            if units <= 0:
                continue
            remaining_units -= units
            shares.append(
                CommissionShare(
                    line_id=line.line_id,
                    distributor_id=beneficiary.distributor_id,
                    level=beneficiary.level,
                    base=line.base,
                    rate=rule.rate,
                    fixed_amount=rule.fixed_amount,
                    amount=from_minor_units(units, currency),
                )
            )
    return shares


def _rule_units(rule: CommissionRule, line: CommissionLine, currency: str) -> int:
    """What ``rule`` pays on ``line``, in minor units, before the line cap."""
    if rule.rate is not None:
        return to_minor_units(prorate(line.base, rule.rate, PERCENT, currency), currency)
    if rule.fixed_amount is None:
        raise ValueError("a commission rule needs a rate or a fixed amount")
    if line.quantity <= 0:
        return 0
    # Multiply with enough digits that the product is exact (Inexact trapped to prove it), so the only
    # rounding is quantize()'s single half-up step, whatever the ambient decimal context says.
    with localcontext() as context:
        context.prec = len(rule.fixed_amount.as_tuple().digits) + len(str(line.quantity)) + 1
        context.traps[Inexact] = True
        total = rule.fixed_amount * line.quantity
    return to_minor_units(quantize(total, currency), currency)
