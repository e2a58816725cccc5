"""The programs through HTTP: commissionRules, commissionRulesSet, channelProgram and
channelProgramUpdate (MANAGE_PLUGINS).

Every operation runs as each of the six roles, as ``__init__`` describes.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.test import override_settings

from saleor_wechat_distribution import host
from saleor_wechat_distribution.domain.permissions import Permission
from saleor_wechat_distribution.models import (
    ChannelProgram,
)
from saleor_wechat_distribution.ports import HostChannel, HostUnavailable
from saleor_wechat_distribution.sandbox.catalog import SandboxProductCatalog
from saleor_wechat_distribution.sandbox.categories import SandboxCategoryCatalog
from saleor_wechat_distribution.selectors.programs import program_channels

from ..conftest import Gql, assert_top_level_error
from ..conftest_commissions import (
    CHANNEL,
    STOREFRONT,
    MoneyWorld,
    money_snapshot,
)
from .api import (
    DENIED,
    STAFF_TABLE,
    assert_mutation_error,
    assert_refused,
    cells,
    money,
    ok,
)

pytestmark = pytest.mark.django_db


# --------------------------------------------------------------------------------------------------
# commissionRules(channel) and commissionRulesSet(channel, rules): MANAGE_PLUGINS
# --------------------------------------------------------------------------------------------------

RULES = """
query($channel: String!) {
  commissionRules(channel: $channel) {
    level rate fixedAmount { amount currency } productId categoryId distributorKind
  }
}"""
RULES_SET = """
mutation($channel: String!, $rules: [CommissionRuleInput!]!) {
  commissionRulesSet(channel: $channel, rules: $rules) {
    rules { level rate fixedAmount { amount currency } productId categoryId distributorKind }
    errors { field code message }
  }
}"""


def rule(level: int, rate: str | None = None, fixed: str | None = None, **scope: Any) -> dict[str, Any]:
    return {
        "level": level,
        "rate": rate,
        "fixedAmount": money(fixed) if fixed is not None else None,
        "productId": scope.get("productId"),
        "categoryId": scope.get("categoryId"),
        "distributorKind": scope.get("distributorKind"),
    }


@pytest.mark.parametrize(("role", "expected"), cells(STAFF_TABLE))
def test_commission_rules(mw: MoneyWorld, gql: Gql, role: str, expected: str) -> None:
    before = money_snapshot()
    result = gql(RULES, {"channel": CHANNEL}, mw.callers(Permission.MANAGE_PLUGINS)[role])
    if expected == DENIED:
        assert_refused(result, DENIED, "commissionRules", before)
        return
    assert ok(result, "commissionRules") == [rule(1, "10"), rule(2, "3")]
    assert (
        ok(
            gql(RULES, {"channel": "never-configured"}, mw.staff[Permission.MANAGE_PLUGINS]),
            "commissionRules",
        )
        == []
    )


def test_commission_rules_are_not_for_staff_managing_orders(mw: MoneyWorld, gql: Gql) -> None:
    before = money_snapshot()
    result = gql(RULES, {"channel": CHANNEL}, mw.staff[Permission.MANAGE_ORDERS])
    assert_refused(result, DENIED, "commissionRules", before)


NEW_RULES = [
    {"level": 1, "rate": "12.5"},
    {"level": 1, "rate": "15", "productId": "UHJvZHVjdDo3"},
    {"level": 2, "fixedAmount": "1.50", "distributorKind": "ENTERPRISE"},
]


@pytest.mark.parametrize(("role", "expected"), cells(STAFF_TABLE))
def test_commission_rules_set(mw: MoneyWorld, gql: Gql, role: str, expected: str) -> None:
    before = money_snapshot()
    result = gql(
        RULES_SET, {"channel": CHANNEL, "rules": NEW_RULES}, mw.callers(Permission.MANAGE_PLUGINS)[role]
    )
    if expected == DENIED:
        assert_refused(result, DENIED, "commissionRulesSet", before)
        return
    expected_rules = [
        rule(1, "12.5"),
        rule(1, "15", productId="UHJvZHVjdDo3"),
        rule(2, fixed="1.50", distributorKind="ENTERPRISE"),
    ]
    assert ok(result, "commissionRulesSet")["rules"] == expected_rules
    assert (
        ok(gql(RULES, {"channel": CHANNEL}, mw.staff[Permission.MANAGE_PLUGINS]), "commissionRules")
        == expected_rules
    )
    assert ChannelProgram.objects.get(channel=CHANNEL).version == mw.program.version + 1


@pytest.mark.parametrize(
    ("rules", "code", "field"),
    [
        ([{"level": 1, "rate": "150"}], "RATE_OUT_OF_RANGE", "rate"),
        ([{"level": 1, "rate": "-1"}], "RATE_OUT_OF_RANGE", "rate"),
        ([{"level": 1, "rate": "100.01"}], "RATE_OUT_OF_RANGE", "rate"),
        ([{"level": 1, "rate": "abc"}], "INVALID", "rate"),
        ([{"level": 1, "rate": "1e1"}], "INVALID", "rate"),
        ([{"level": 1, "rate": "60"}, {"level": 2, "rate": "50"}], "RATES_EXCEED_TOTAL", "rate"),
        ([{"level": 3, "rate": "1"}], "DEPTH_NOT_ALLOWED", "level"),
        ([{"level": 0, "rate": "1"}], "DEPTH_NOT_ALLOWED", "level"),
        ([{"level": 1, "rate": "1", "fixedAmount": "1.00"}], "INVALID", "rate"),
        ([{"level": 1}], "INVALID", "rate"),
        ([{"level": 1, "fixedAmount": "-1.00"}], "AMOUNT_INVALID", "fixedAmount"),
        ([{"level": 1, "fixedAmount": "1.001"}], "AMOUNT_INVALID", "fixedAmount"),
        ([{"level": 1, "fixedAmount": "one"}], "AMOUNT_INVALID", "fixedAmount"),
        ([{"level": 1, "rate": "1"}, {"level": 1, "rate": "2"}], "RULE_CONFLICT", "rules"),
        ([{"level": 1, "rate": "1", "productId": "p" * 65}], "INVALID", "productId"),
        ([{"level": 1, "rate": "1", "categoryId": "c\x00"}], "INVALID", "categoryId"),
        ([{"level": 1, "rate": "1"}] * 501, "INVALID", "rules"),
    ],
    ids=[
        "rate-150", "rate-negative", "rate-just-above-100", "rate-garbage", "rate-exponent", "rates-sum",
        "level-3", "level-0", "rate-and-fixed", "neither", "fixed-negative", "fixed-too-precise",
        "fixed-garbage", "conflict", "long-product", "nul-category", "too-many",
    ],
)  # fmt: skip
def test_commission_rules_set_bad_input(mw: MoneyWorld, gql: Gql, rules: list, code: str, field: str) -> None:
    before = money_snapshot()
    result = gql(RULES_SET, {"channel": CHANNEL, "rules": rules}, mw.staff[Permission.MANAGE_PLUGINS])
    assert_mutation_error(result, "commissionRulesSet", code, field, before)


def test_a_third_level_is_refused_with_the_reason(mw: MoneyWorld, gql: Gql) -> None:
    before = money_snapshot()
    rules = [{"level": 1, "rate": "5"}, {"level": 2, "rate": "3"}, {"level": 3, "rate": "1"}]
    result = gql(RULES_SET, {"channel": CHANNEL, "rules": rules}, mw.staff[Permission.MANAGE_PLUGINS])
    error = assert_mutation_error(result, "commissionRulesSet", "DEPTH_NOT_ALLOWED", "level", before)
    assert "pyramid selling" in error["message"]
    assert "禁止传销条例" in error["message"]


# --------------------------------------------------------------------------------------------------
# channelProgram(channel) and channelProgramUpdate(channel, input): MANAGE_PLUGINS
# --------------------------------------------------------------------------------------------------

PROGRAM_FIELDS = """
  channel currency version commissionDepth freezeDays baseIncludesShipping selfPurchaseEarns
  bindingPolicy { trigger validityDays protectionDays override codePriority }
  withdrawalMinimum { amount currency } withdrawalDailyLimit { amount currency }
  withdrawalAutoApproveBelow { amount currency } payoutMethod payoutAppId storefrontBaseUrl
"""
PROGRAM = f"query($channel: String!) {{ channelProgram(channel: $channel) {{ {PROGRAM_FIELDS} }} }}"
PROGRAM_UPDATE = f"""
mutation($channel: String!, $input: ChannelProgramInput!) {{
  channelProgramUpdate(channel: $channel, input: $input) {{
    channelProgram {{ {PROGRAM_FIELDS} }}
    errors {{ field code message }}
  }}
}}"""

DEFAULT_PROGRAM = {
    "channel": CHANNEL,
    "currency": "CNY",
    "version": 1,
    "commissionDepth": 2,
    "freezeDays": 7,
    "baseIncludesShipping": False,
    "selfPurchaseEarns": True,
    "bindingPolicy": {
        "trigger": "FIRST_CLICK",
        "validityDays": 365,
        "protectionDays": 30,
        "override": "AFTER_EXPIRY",
        "codePriority": "VOUCHER_FIRST",
    },
    "withdrawalMinimum": money("1.00"),
    "withdrawalDailyLimit": money("5000.00"),
    "withdrawalAutoApproveBelow": money("0.00"),
    "payoutMethod": "v3",
    "payoutAppId": "wxd678efh567hg6787",  # the fake merchant's app (build_money_world)
    "storefrontBaseUrl": STOREFRONT,
}


@pytest.mark.parametrize(("role", "expected"), cells(STAFF_TABLE))
def test_channel_program(mw: MoneyWorld, gql: Gql, role: str, expected: str) -> None:
    before = money_snapshot()
    result = gql(PROGRAM, {"channel": CHANNEL}, mw.callers(Permission.MANAGE_PLUGINS)[role])
    if expected == DENIED:
        assert_refused(result, DENIED, "channelProgram", before)
        return
    assert ok(result, "channelProgram") == DEFAULT_PROGRAM
    defaults = ok(
        gql(PROGRAM, {"channel": "never-configured"}, mw.staff[Permission.MANAGE_PLUGINS]), "channelProgram"
    )
    assert defaults == {
        **DEFAULT_PROGRAM,
        "channel": "never-configured",
        "version": 0,
        "freezeDays": 15,
        "storefrontBaseUrl": "",
        "payoutAppId": "",
    }


UPDATE_INPUT = {
    "freezeDays": 10,
    "withdrawalMinimum": "2.00",
    "withdrawalAutoApproveBelow": "50",
    "storefrontBaseUrl": "https://m.example.com",
    "bindingPolicy": {
        "trigger": "FIRST_ORDER",
        "validityDays": None,  # bindings never expire
        "protectionDays": 10,
        "override": "LAST_TOUCH",
        "codePriority": "LINK_FIRST",
    },
}


@pytest.mark.parametrize(("role", "expected"), cells(STAFF_TABLE))
def test_channel_program_update(mw: MoneyWorld, gql: Gql, role: str, expected: str) -> None:
    before = money_snapshot()
    result = gql(
        PROGRAM_UPDATE,
        {"channel": CHANNEL, "input": UPDATE_INPUT},
        mw.callers(Permission.MANAGE_PLUGINS)[role],
    )
    if expected == DENIED:
        assert_refused(result, DENIED, "channelProgramUpdate", before)
        return
    updated = {
        **DEFAULT_PROGRAM,
        "version": 2,
        "freezeDays": 10,
        "withdrawalMinimum": money("2.00"),
        "withdrawalAutoApproveBelow": money("50.00"),
        "storefrontBaseUrl": "https://m.example.com",
        "bindingPolicy": {
            "trigger": "FIRST_ORDER",
            "validityDays": None,
            "protectionDays": 10,
            "override": "LAST_TOUCH",
            "codePriority": "LINK_FIRST",
        },
    }
    assert ok(result, "channelProgramUpdate")["channelProgram"] == updated
    assert (
        ok(gql(PROGRAM, {"channel": CHANNEL}, mw.staff[Permission.MANAGE_PLUGINS]), "channelProgram")
        == updated
    )
    # fields not given stay as they are
    again = gql(
        PROGRAM_UPDATE, {"channel": CHANNEL, "input": {"freezeDays": 3}}, mw.staff[Permission.MANAGE_PLUGINS]
    )
    assert ok(again, "channelProgramUpdate")["channelProgram"] == {**updated, "version": 3, "freezeDays": 3}


@pytest.mark.parametrize(
    ("changes", "code", "field"),
    [
        ({"commissionDepth": 3}, "DEPTH_NOT_ALLOWED", "commissionDepth"),
        ({"commissionDepth": 0}, "DEPTH_NOT_ALLOWED", "commissionDepth"),
        ({"commissionDepth": 1}, "DEPTH_NOT_ALLOWED", "commissionDepth"),  # a level-2 rule exists
        ({"freezeDays": -1}, "INVALID", "freezeDays"),
        ({"freezeDays": 4000}, "INVALID", "freezeDays"),
        ({"withdrawalMinimum": "-1"}, "AMOUNT_INVALID", "withdrawalMinimum"),
        ({"withdrawalDailyLimit": "lots"}, "AMOUNT_INVALID", "withdrawalDailyLimit"),
        ({"withdrawalAutoApproveBelow": "1e9"}, "AMOUNT_INVALID", "withdrawalAutoApproveBelow"),
        ({"currency": "ABC"}, "INVALID", "currency"),
        ({"currency": "cny"}, "INVALID", "currency"),
        ({"payoutMethod": "v4"}, "INVALID", "payoutMethod"),
        ({"storefrontBaseUrl": "ftp://shop.example.com"}, "INVALID", "storefrontBaseUrl"),
        ({"bindingPolicy": {"validityDays": 5000}}, "INVALID", "validityDays"),
        ({"bindingPolicy": {"protectionDays": -5}}, "INVALID", "protectionDays"),
    ],
    ids=[
        "depth-3", "depth-0", "depth-below-rules", "freeze-negative", "freeze-too-long", "minimum-negative",
        "limit-garbage", "auto-exponent", "currency-unknown", "currency-lower-case", "payout-method",
        "url-scheme", "validity-too-long", "protection-negative",
    ],
)  # fmt: skip
def test_channel_program_update_bad_input(
    mw: MoneyWorld, gql: Gql, changes: dict, code: str, field: str
) -> None:
    before = money_snapshot()
    result = gql(PROGRAM_UPDATE, {"channel": CHANNEL, "input": changes}, mw.staff[Permission.MANAGE_PLUGINS])
    assert_mutation_error(result, "channelProgramUpdate", code, field, before)


def test_depth_three_is_refused_with_the_reason(mw: MoneyWorld, gql: Gql) -> None:
    before = money_snapshot()
    result = gql(
        PROGRAM_UPDATE,
        {"channel": CHANNEL, "input": {"commissionDepth": 3}},
        mw.staff[Permission.MANAGE_PLUGINS],
    )
    error = assert_mutation_error(
        result, "channelProgramUpdate", "DEPTH_NOT_ALLOWED", "commissionDepth", before
    )
    assert "pyramid selling" in error["message"]
    assert "禁止传销条例" in error["message"]


@pytest.mark.parametrize("channel", ["", "c" * 101, "a\x00b"], ids=["blank", "too-long", "nul"])
def test_program_operations_with_a_malformed_channel(mw: MoneyWorld, gql: Gql, channel: str) -> None:
    admin = mw.staff[Permission.MANAGE_PLUGINS]
    before = money_snapshot()
    for query, field in ((PROGRAM, "channelProgram"), (RULES, "commissionRules")):
        error = assert_top_level_error(gql(query, {"channel": channel}, admin), "INVALID", [field])
        assert error["extensions"]["exception"]["field"] == "channel"
    update = gql(PROGRAM_UPDATE, {"channel": channel, "input": {"freezeDays": 3}}, admin)
    assert_mutation_error(update, "channelProgramUpdate", "INVALID", "channel", before)
    rules = gql(RULES_SET, {"channel": channel, "rules": []}, admin)
    assert_mutation_error(rules, "commissionRulesSet", "INVALID", "channel", before)


# --------------------------------------------------------------------------------------------------
# programChannels: the console's channel picker (MANAGE_PLUGINS)
# --------------------------------------------------------------------------------------------------

CHANNELS = "{ programChannels { channel name currency configured active } }"


@pytest.mark.parametrize(("role", "expected"), cells(STAFF_TABLE))
def test_program_channels(mw: MoneyWorld, gql: Gql, role: str, expected: str) -> None:
    shop = [HostChannel("wholesale", "USD", "Wholesale"), HostChannel(CHANNEL, "CNY", "Retail")]
    with host.overridden(channel_list=lambda: shop, channel_active=lambda slug: slug == CHANNEL):
        result = gql(CHANNELS, {}, mw.callers(Permission.MANAGE_PLUGINS)[role])
    if expected == DENIED:
        assert_top_level_error(result, DENIED)
        return
    program = ChannelProgram.objects.get(channel=CHANNEL)
    assert ok(result, "programChannels") == [
        {"channel": CHANNEL, "name": "Retail", "currency": program.currency, "configured": True,
         "active": True},
        {"channel": "wholesale", "name": "Wholesale", "currency": "USD", "configured": False,
         "active": False},
    ]


def test_program_channels_without_a_host_list_are_the_saved_programs(mw: MoneyWorld, gql: Gql) -> None:
    ChannelProgram.objects.create(channel="b2b", currency="EUR")
    with host.overridden(channel_list=None, channel_active=None):
        found = ok(gql(CHANNELS, {}, mw.staff[Permission.MANAGE_PLUGINS]), "programChannels")
    assert [(c["channel"], c["name"], c["currency"], c["configured"]) for c in found] == [
        ("b2b", "b2b", "EUR", True),
        (CHANNEL, CHANNEL, ChannelProgram.objects.get(channel=CHANNEL).currency, True),
    ]


def test_program_channels_on_an_address_of_one_channel() -> None:
    """Saleor's per-channel plugin route: only its own channel, configured or not."""
    with host.overridden(channel_list=lambda: [HostChannel("a", "CNY"), HostChannel("b", "CNY")]):
        assert [c.channel for c in program_channels(only="b")] == ["b"]
        assert [(c.channel, c.configured, c.currency) for c in program_channels(only="new")] == [
            ("new", False, "")
        ]


# --------------------------------------------------------------------------------------------------
# programProducts: the rules editor's product picker (MANAGE_PLUGINS)
# --------------------------------------------------------------------------------------------------

PRODUCTS = """query($channel: String!, $search: String, $ids: [ID!], $first: Int, $after: String) {
  programProducts(channel: $channel, search: $search, ids: $ids, first: $first, after: $after) {
    edges { node { id title price { amount currency } } } pageInfo { hasNextPage endCursor }
  }
}"""


@pytest.mark.parametrize(("role", "expected"), cells(STAFF_TABLE))
def test_program_products(mw: MoneyWorld, gql: Gql, role: str, expected: str) -> None:
    with host.overridden(product_catalog=SandboxProductCatalog()):
        caller = mw.callers(Permission.MANAGE_PLUGINS)[role]
        result = gql(PRODUCTS, {"channel": CHANNEL, "search": "冰箱"}, caller)
    if expected == DENIED:
        assert_top_level_error(result, DENIED)
        return
    found = ok(result, "programProducts")
    assert [e["node"]["id"] for e in found["edges"]] == ["fridge-bcd-520", "fridge-bcd-310"]
    assert found["edges"][1]["node"]["price"] == {"amount": "2699.00", "currency": "CNY"}


def test_program_products_by_id_keep_the_order_and_leave_out_unknown_ones(mw: MoneyWorld, gql: Gql) -> None:
    staff = mw.staff[Permission.MANAGE_PLUGINS]
    with host.overridden(product_catalog=SandboxProductCatalog()):
        ids = ["kettle-sw-15", "gone", "fridge-bcd-520"]
        found = ok(gql(PRODUCTS, {"channel": CHANNEL, "ids": ids}, staff), "programProducts")
        pages = ok(gql(PRODUCTS, {"channel": CHANNEL, "first": 5}, staff), "programProducts")
        after = pages["pageInfo"]["endCursor"]
        rest = ok(gql(PRODUCTS, {"channel": CHANNEL, "first": 50, "after": after}, staff), "programProducts")
        too_many = gql(PRODUCTS, {"channel": CHANNEL, "ids": [f"p{i}" for i in range(101)]}, staff)
    titles = [e["node"]["title"] for e in found["edges"]]
    assert titles == ["电热水壶 1.5L Kettle", "十字对开门冰箱 520L Refrigerator"]
    assert pages["pageInfo"]["hasNextPage"] and len(pages["edges"]) == 5
    assert len(pages["edges"]) + len(rest["edges"]) == 12 and not rest["pageInfo"]["hasNextPage"]
    assert_top_level_error(too_many, "INVALID")


def test_program_products_without_a_catalog(mw: MoneyWorld, gql: Gql) -> None:
    with host.overridden(product_catalog=None), override_settings(WECHAT_DISTRIBUTION_PRODUCT_CATALOG=None):
        result = gql(PRODUCTS, {"channel": CHANNEL}, mw.staff[Permission.MANAGE_PLUGINS])
    assert_top_level_error(result, "NOT_CONFIGURED")


# --------------------------------------------------------------------------------------------------
# programCategories: the rules editor's category picker (MANAGE_PLUGINS)
# --------------------------------------------------------------------------------------------------

CATEGORIES = """query($search: String, $ids: [ID!], $first: Int, $after: String) {
  programCategories(search: $search, ids: $ids, first: $first, after: $after) {
    edges { node { id name path ancestors } } pageInfo { hasNextPage endCursor }
  }
}"""


@pytest.mark.parametrize(("role", "expected"), cells(STAFF_TABLE))
def test_program_categories(mw: MoneyWorld, gql: Gql, role: str, expected: str) -> None:
    with host.overridden(category_catalog=SandboxCategoryCatalog()):
        result = gql(CATEGORIES, {"search": "冰箱"}, mw.callers(Permission.MANAGE_PLUGINS)[role])
    if expected == DENIED:
        assert_top_level_error(result, DENIED)
        return
    found = ok(result, "programCategories")
    assert [e["node"] for e in found["edges"]] == [
        {
            "id": "refrigerators",
            "name": "冰箱 Refrigerators",
            "path": "家电 Appliances / 冰箱 Refrigerators",
            "ancestors": ["家电 Appliances"],
        }
    ]


def test_program_categories_search_by_english_name_and_pages(mw: MoneyWorld, gql: Gql) -> None:
    staff = mw.staff[Permission.MANAGE_PLUGINS]
    found = ok(gql(CATEGORIES, {"search": "  kitchen "}, staff), "programCategories")
    (kitchen,) = [e["node"] for e in found["edges"]]
    assert kitchen["path"] == "家电 Appliances / 小家电 Small appliances / 厨房电器 Kitchen appliances"
    first = ok(gql(CATEGORIES, {"first": 4}, staff), "programCategories")
    assert [e["node"]["id"] for e in first["edges"]] == [
        "appliances", "refrigerators", "washing-machines", "air-conditioners"
    ]  # fmt: skip
    assert first["pageInfo"]["hasNextPage"] and first["edges"][0]["node"]["ancestors"] == []
    rest = ok(
        gql(CATEGORIES, {"first": 4, "after": first["pageInfo"]["endCursor"]}, staff), "programCategories"
    )
    assert [e["node"]["id"] for e in rest["edges"]] == ["small-appliances", "kitchen-appliances"]
    assert not rest["pageInfo"]["hasNextPage"]
    nothing = ok(gql(CATEGORIES, {"search": "no such category"}, staff), "programCategories")
    assert nothing["edges"] == [] and not nothing["pageInfo"]["hasNextPage"]


def test_program_categories_by_id_keep_the_order_and_leave_out_unknown_ones(mw: MoneyWorld, gql: Gql) -> None:
    staff = mw.staff[Permission.MANAGE_PLUGINS]
    ids = ["kitchen-appliances", "Q2F0ZWdvcnk6Mg==", "refrigerators", " kitchen-appliances ", ""]
    found = ok(gql(CATEGORIES, {"ids": ids}, staff), "programCategories")
    assert [e["node"]["id"] for e in found["edges"]] == ["kitchen-appliances", "refrigerators"]
    assert not found["pageInfo"]["hasNextPage"]
    assert ok(gql(CATEGORIES, {"ids": []}, staff), "programCategories")["edges"] == []


@pytest.mark.parametrize(
    ("variables", "field"),
    [
        ({"ids": [f"c{i}" for i in range(101)]}, "ids"),
        ({"first": 0}, "first"),
        ({"first": 101}, "first"),
        ({"search": "x" * 101}, "search"),
    ],
)
def test_program_categories_limits_are_coded_errors(
    mw: MoneyWorld, gql: Gql, variables: dict[str, Any], field: str
) -> None:
    result = gql(CATEGORIES, variables, mw.staff[Permission.MANAGE_PLUGINS])
    error = assert_top_level_error(result, "INVALID", path=["programCategories"])
    assert error["extensions"]["exception"]["field"] == field
    assert result["data"] is None


def test_program_categories_without_a_host_catalog(mw: MoneyWorld, gql: Gql) -> None:
    with host.overridden(category_catalog=None):
        result = gql(CATEGORIES, {"search": "冰箱"}, mw.staff[Permission.MANAGE_PLUGINS])
    assert_top_level_error(result, "NOT_CONFIGURED")
    assert "no product categories" in result["errors"][0]["message"]


def test_program_categories_when_the_host_does_not_answer(mw: MoneyWorld, gql: Gql) -> None:
    class Down:
        def categories_search(self, **_: Any):
            raise HostUnavailable("Saleor did not answer; nothing was changed. Try again shortly.")

        categories_get = categories_search

    with host.overridden(category_catalog=Down()):
        searched = gql(CATEGORIES, {"search": "冰箱"}, mw.staff[Permission.MANAGE_PLUGINS])
        named = gql(CATEGORIES, {"ids": ["refrigerators"]}, mw.staff[Permission.MANAGE_PLUGINS])
    assert_top_level_error(searched, "HOST_UNAVAILABLE")
    assert_top_level_error(named, "HOST_UNAVAILABLE")
