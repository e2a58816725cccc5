"""commissionRulesSet's errors name the rule they are about (``index``, from 0), so that the console's
rules editor shows each refusal next to its rule and field."""

from __future__ import annotations

import pytest

from saleor_wechat_distribution.domain.permissions import Permission

from ..conftest import Gql
from ..conftest_commissions import CHANNEL, MoneyWorld, money_snapshot
from .api import assert_mutation_error

pytestmark = pytest.mark.django_db

RULES_SET = """
mutation($channel: String!, $rules: [CommissionRuleInput!]!) {
  commissionRulesSet(channel: $channel, rules: $rules) {
    rules { level }
    errors { field code message index }
  }
}"""

GOOD = {"level": 1, "rate": "5"}


@pytest.mark.parametrize(
    ("rules", "code", "field", "index"),
    [
        # refused while the mutation reads its input
        ([GOOD, {"level": 2, "rate": "abc"}], "INVALID", "rate", 1),
        ([GOOD, GOOD | {"productId": "p" * 65}], "INVALID", "productId", 1),
        # refused by the domain's checks
        ([GOOD, {"level": 2, "rate": "3"}, {"level": 3, "rate": "1"}], "DEPTH_NOT_ALLOWED", "level", 2),
        ([{"level": 1, "rate": "150"}, GOOD], "RATE_OUT_OF_RANGE", "rate", 0),
        ([GOOD, {"level": 2, "rate": "1"}, {"level": 1, "rate": "7"}], "RULE_CONFLICT", "rules", 2),
        ([GOOD, {"level": 2, "fixedAmount": "1.001"}], "AMOUNT_INVALID", "fixedAmount", 1),
        # the scope's last rule with a rate: the one that took the total over 100 %
        (
            [
                {"level": 1, "rate": "60", "categoryId": "c"},
                GOOD,
                {"level": 2, "rate": "50", "categoryId": "c"},
            ],
            "RATES_EXCEED_TOTAL",
            "rate",
            2,
        ),
    ],
    ids=["garbage-rate", "long-product", "third-level", "rate-150", "conflict", "fixed-precision", "sum"],
)
def test_the_error_names_the_rule(
    mw: MoneyWorld, gql: Gql, rules: list, code: str, field: str, index: int
) -> None:
    before = money_snapshot()
    result = gql(RULES_SET, {"channel": CHANNEL, "rules": rules}, mw.staff[Permission.MANAGE_PLUGINS])
    error = assert_mutation_error(result, "commissionRulesSet", code, field, before)
    assert error["index"] == index


def test_an_error_about_the_whole_list_names_no_rule(mw: MoneyWorld, gql: Gql) -> None:
    before = money_snapshot()
    result = gql(RULES_SET, {"channel": CHANNEL, "rules": [GOOD] * 501}, mw.staff[Permission.MANAGE_PLUGINS])
    error = assert_mutation_error(result, "commissionRulesSet", "INVALID", "rules", before)
    assert error["index"] is None
