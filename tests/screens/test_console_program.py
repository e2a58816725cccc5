"""Program: the channel's settings and commission rules, in real Chromium inside the sandbox's stand-in of
the Saleor dashboard. Refusals come from the server (coded errors) and are shown next to their field.

Screenshots: ``test-artifacts/screenshots/console-program-<state>-<locale>-<viewport>.png``.
"""

from __future__ import annotations

import re
from decimal import Decimal

import pytest

from saleor_wechat_distribution.models import ChannelProgram, CommissionRule
from saleor_wechat_distribution.sandbox.seed import DEMO_CHANNEL, STAFF
from saleor_wechat_distribution.services.distributors import distributor_apply
from saleor_wechat_distribution.services.programs import (
    RuleInput,
    channel_program_update,
    commission_rules_set,
)
from saleor_wechat_distribution.testing.factories import customer

from .conftest import DESKTOP, TABLET, Browser, loading_then_error_then_retry, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def seed_program() -> None:
    """Two paid levels, a default rate per level, a category and a product rule."""
    channel_program_update(
        actor=STAFF,
        channel=DEMO_CHANNEL,
        changes={"commission_depth": 2, "freeze_days": 7, "binding_validity_days": 180},
    )
    commission_rules_set(
        actor=STAFF,
        channel=DEMO_CHANNEL,
        rules=[
            RuleInput(level=1, rate=Decimal("10")),
            RuleInput(level=2, rate=Decimal("3")),
            RuleInput(level=1, rate=Decimal("15"), category_id="Q2F0ZWdvcnk6Mg=="),
            RuleInput(level=1, fixed_amount=Decimal("5.00"), product_id="UHJvZHVjdDo3Mg=="),
        ],
    )


def rules_now() -> set[tuple]:
    return {
        (r.level, r.rate, r.fixed_amount, r.product_id, r.category_id)
        for r in CommissionRule.objects.filter(channel=DEMO_CHANNEL)
    }


def program_now() -> ChannelProgram:
    return ChannelProgram.objects.get(channel=DEMO_CHANNEL)


COLUMNS = ("rule-level", "rule-basis", "rule-value", "rule-product", "rule-category", "rule-kind")


def rule_error(app, index: int):
    """The refusal shown under the rule at ``index``."""
    return app.locator(f'[data-testid=rule-errors][data-index="{index}"] [data-testid=field-error]')


def open_program(browser: Browser, *, user: str = "staff", locale: str = "en", viewport=DESKTOP):
    page = browser.page(f"/dashboard/?page=program&user={user}&locale={locale}", viewport=viewport)
    return page, page.frame_locator("iframe#app")


def fill(app, test_id: str, value: str, nth: int = 0) -> None:
    app.locator(f"input[data-testid={test_id}], [data-testid={test_id}] input").nth(nth).fill(value)


def test_the_program_and_its_rules(browser: Browser):
    seed_program()
    page, app = open_program(browser)
    app.locator("[data-testid=rules]").wait_for()
    version = program_now().version
    assert app.locator("[data-testid=program-version]").inner_text() == (
        f"Channel {DEMO_CHANNEL} · version {version}"
    )
    rows = app.locator("[data-testid=rule-row]")
    assert rows.count() == 4
    shown = {
        tuple(rows.nth(i).locator(f"[data-testid={name}]").first.input_value() for name in COLUMNS)
        for i in range(4)
    }
    assert shown == {
        ("1", "rate", "10", "", "", ""),
        ("2", "rate", "3", "", "", ""),
        ("1", "rate", "15", "", "Q2F0ZWdvcnk6Mg==", ""),
        ("1", "fixed", "5.00", "UHJvZHVjdDo3Mg==", "", ""),
    }
    assert "no reward for recruiting" in app.locator("[data-testid=no-recruiting]").inner_text()
    assert app.locator("input[data-testid=setting-commissionDepth]").input_value() == "2"
    assert app.locator("input[data-testid=setting-validityDays]").input_value() == "180"
    screenshot(page, "console-program-rules-en-1280")


def test_a_third_level_is_refused_next_to_the_rule_then_a_valid_save(browser: Browser):
    seed_program()
    before, version = rules_now(), program_now().version
    page, app = open_program(browser)
    app.locator("[data-testid=rules]").wait_for()
    app.locator("[data-testid=rule-add]").click()
    fill(app, "rule-level", "3", nth=4)
    fill(app, "rule-value", "1", nth=4)
    app.locator("[data-testid=rules-save]").click()
    new_row = app.locator("[data-testid=rule-row]").nth(4)
    error = rule_error(app, 4)
    error.wait_for()
    # the server's own words, under the rule it refused, about its level, and nothing else flagged
    assert error.get_attribute("data-field") == "level"
    assert error.inner_text().startswith("Level: Commissions can be paid on one or two levels only")
    assert "pyramid selling" in error.inner_text() and "《禁止传销条例》" in error.inner_text()
    assert new_row.get_attribute("aria-invalid") == "true"
    assert app.locator("[data-testid=field-error]").count() == 1
    assert rules_now() == before and program_now().version == version, "nothing changed"
    page.locator("[data-testid=dashboard-toast]").wait_for()
    screenshot(page, "console-program-refused-level-en-1280")

    fill(app, "rule-level", "2", nth=4)
    assert app.locator("[data-testid=field-error]").count() == 0, "editing the rule clears its refusal"
    app.locator("select[data-testid=rule-kind]").nth(4).select_option("ENTERPRISE")
    app.locator("[data-testid=rules-save]").click()
    app.locator("[data-testid=program-version]", has_text=f"version {version + 1}").wait_for()
    assert (2, Decimal("1"), None, None, None) in rules_now()
    saved = CommissionRule.objects.get(channel=DEMO_CHANNEL, level=2, distributor_kind="enterprise")
    assert saved.rate == Decimal("1")
    assert program_now().updated_by == "staff:1", "the dashboard's user"
    assert "Commission rules saved" in page.locator("[data-testid=dashboard-toast]").last.inner_text()
    screenshot(page, "console-program-saved-en-1280")


def test_rates_over_100_percent_are_refused_on_the_rule_that_goes_over(browser: Browser):
    seed_program()
    before = rules_now()
    _page, app = open_program(browser)
    app.locator("[data-testid=rules]").wait_for()
    fill(app, "rule-value", "98", nth=1)  # level 2's default: 10 + 98 > 100
    app.locator("[data-testid=rules-save]").click()
    error = rule_error(app, 1)
    error.wait_for()
    assert error.get_attribute("data-field") == "value" and "may not exceed 100%" in error.inner_text()
    assert rules_now() == before


def test_settings_depth_three_is_refused_then_the_binding_policy_is_saved(browser: Browser):
    seed_program()
    version = program_now().version
    page, app = open_program(browser)
    app.locator("[data-testid=program-settings]").wait_for()
    fill(app, "setting-commissionDepth", "3")
    app.locator("[data-testid=settings-save]").click()
    grid = app.locator("[data-testid=program-settings] .wd-form-grid").first
    # the server's refusal replaces the field's help, under the field
    grid.get_by_text("Commissions can be paid on one or two levels only", exact=False).wait_for()
    assert grid.get_by_text("1 or 2. Never more", exact=False).count() == 0
    assert "Article 7" in grid.inner_text()
    assert program_now().commission_depth == 2 and program_now().version == version
    screenshot(page, "console-program-refused-depth-en-1280")

    fill(app, "setting-commissionDepth", "2")
    app.locator("select[data-testid=setting-trigger]").select_option("FIRST_ORDER")
    fill(app, "setting-validityDays", "30")
    fill(app, "setting-protectionDays", "7")
    app.locator("select[data-testid=setting-override]").select_option("LAST_TOUCH")
    fill(app, "setting-withdrawalAutoApproveBelow", "50")
    app.locator("[data-testid=setting-autoApproveDistributors]").click()  # applications: no staff approval
    app.locator("[data-testid=settings-save]").click()
    app.locator("[data-testid=program-version]", has_text=f"version {version + 1}").wait_for()
    program = program_now()
    assert (program.binding_trigger, program.binding_validity_days, program.binding_protection_days) == (
        "first_order",
        30,
        7,
    )
    assert program.binding_override == "last_touch"
    assert program.withdrawal_auto_approve_below == Decimal("50")
    assert program.auto_approve_distributors is True
    applicant = distributor_apply(principal=customer(4242), display_name="新人", channel=DEMO_CHANNEL)
    assert applicant.status == "active", "approved at once"

    app.locator("[data-testid=setting-forever]").click()  # permanent bindings
    app.locator("[data-testid=settings-save]").click()
    app.locator("[data-testid=program-version]", has_text=f"version {version + 2}").wait_for()
    assert program_now().binding_validity_days is None


def test_a_new_channel_shows_the_defaults_and_no_rules(browser: Browser):
    page, app = open_program(browser)
    app.locator("[data-testid=rules-empty]").wait_for()
    assert "nothing is paid" in app.locator("[data-testid=rules-empty]").inner_text()
    assert "Never configured" in app.locator("[data-testid=program-updated]").inner_text()
    screenshot(page, "console-program-empty-en-1280")


def test_simplified_chinese_with_the_refusal_in_chinese(browser: Browser):
    seed_program()
    page, app = open_program(browser, locale="zh-Hans")
    app.locator("[data-testid=rules]").wait_for()
    assert app.locator("h1").inner_text() == "分销计划"
    assert "拉人头" in app.locator("[data-testid=no-recruiting]").inner_text()
    fill(app, "rule-level", "3", nth=1)
    app.locator("[data-testid=rules-save]").click()
    error = rule_error(app, 1)
    error.wait_for()
    assert error.inner_text().startswith("层级：佣金最多只能发放两级")
    assert "传销" in error.inner_text() and "两级" in error.inner_text()
    screenshot(page, "console-program-refused-level-zh-Hans-1280")


@pytest.mark.parametrize(("locale", "words"), [("en", "Manage plugins"), ("zh-Hans", "管理插件")])
def test_staff_without_manage_plugins_sees_a_refusal(browser: Browser, locale: str, words: str):
    seed_program()
    page, app = open_program(browser, user="support", locale=locale)
    refusal = app.locator("[data-testid=state-refusal]")
    refusal.wait_for()
    assert words in refusal.inner_text() and "MANAGE_PLUGINS" in refusal.inner_text()
    assert app.locator("[data-testid=rules]").count() == 0
    screenshot(page, f"console-program-refusal-{locale}-1280")


def test_dark_theme_from_the_dashboard(browser: Browser):
    seed_program()
    page = browser.page("/dashboard/?page=program&theme=dark")
    app = page.frame_locator("iframe#app")
    app.locator("[data-testid=rules]").wait_for()
    colours = app.locator("select[data-testid=rule-basis]").first.evaluate(
        "e => [getComputedStyle(e).backgroundColor, getComputedStyle(e).color]"
    )
    background, text = (sum(int(v) for v in re.findall(r"\d+", c)[:3]) for c in colours)
    assert background < 150 < text, colours  # the plain selects follow the theme too
    screenshot(page, "console-program-rules-dark-en-1280")


def test_tablet_width(browser: Browser):
    seed_program()
    page, app = open_program(browser, viewport=TABLET)
    app.locator("[data-testid=rules]").wait_for()
    overflow = app.locator("html").evaluate("e => e.scrollWidth - e.clientWidth")
    assert overflow <= 0, "no horizontal scrolling of the page on a tablet"
    assert app.locator("[data-testid=rules-save]").is_visible()
    assert app.locator("input[data-testid=rule-value]").first.is_visible()
    screenshot(page, "console-program-rules-en-820")


def test_loading_then_error_then_retry(browser: Browser):
    seed_program()
    _page, app, _ = loading_then_error_then_retry(browser, "/dashboard/?page=program", "console-program")
    app.locator("[data-testid=rules]").wait_for()


def test_the_channel_picker_switches_programs_and_remembers_the_pick(browser: Browser):
    """The sandbox's GraphQL serves every channel (as App mode's): staff pick the channel; a channel with
    a saved program only (not one of the shop's) is listed too."""
    seed_program()
    ChannelProgram.objects.create(channel="wholesale", currency="USD", freeze_days=3, version=1)
    page, app = open_program(browser)
    picker = app.locator("select[data-testid=program-channel]")
    picker.wait_for()
    options = [o.strip() for o in picker.locator("option").all_inner_texts()]
    assert options == ["Default channel (default-channel) · CNY", "wholesale · USD"], options
    assert picker.input_value() == DEMO_CHANNEL, "the first configured channel"
    app.locator("[data-testid=program-version]", has_text="Channel default-channel").wait_for()
    picker.select_option("wholesale")
    app.locator("[data-testid=program-version]", has_text="Channel wholesale").wait_for()
    freeze = app.locator("input[data-testid=setting-freezeDays], [data-testid=setting-freezeDays] input")
    assert freeze.first.input_value() == "3"
    screenshot(page, "console-program-channel-picker-en-1280")
    page.reload()  # type: ignore[attr-defined]
    app = page.frame_locator("iframe#app")  # type: ignore[attr-defined]
    app.locator("[data-testid=program-version]", has_text="Channel wholesale").wait_for()


def test_the_channel_picker_in_chinese_marks_a_channel_not_configured(browser: Browser):
    page, app = open_program(browser, locale="zh-Hans")
    picker = app.locator("select[data-testid=program-channel]")
    picker.wait_for()
    assert picker.locator("option").all_inner_texts() == [
        "Default channel (default-channel) · CNY · 尚未配置"
    ]
    assert picker.get_attribute("aria-label") == "渠道"
    screenshot(page, "console-program-channel-picker-zh-Hans-1280")


def test_a_rule_picks_its_product_from_the_catalog(browser: Browser):
    """The product cell searches the shop's catalog (the sandbox's demo range) by name; the rule keeps the
    product's id and, opened again, shows its name. A product the catalog does not list keeps its id."""
    seed_program()
    page, app = open_program(browser)
    app.locator("[data-testid=rules]").wait_for()
    app.get_by_role("button", name="Add rule").click()
    row = app.locator("[data-testid=rule-row]").last
    row.locator("input[data-testid=rule-level]").fill("1")
    row.locator("input[data-testid=rule-value]").fill("12")
    product = row.locator("input[data-testid=rule-product]")
    product.fill("冰箱")
    options = row.locator("[data-testid=product-option]")
    options.first.wait_for()
    assert options.all_inner_texts()[0].startswith("十字对开门冰箱 520L Refrigerator"), (
        options.all_inner_texts()
    )
    screenshot(page, "console-program-product-picker-en-1280")
    options.filter(has_text="三门冰箱").click()
    assert product.input_value() == "三门冰箱 310L Refrigerator"
    assert product.get_attribute("data-product-id") == "fridge-bcd-310"
    version = program_now().version
    app.locator("[data-testid=rules-save]").click()
    app.locator("[data-testid=program-version]", has_text=f"version {version + 1}").wait_for()
    assert (1, Decimal("12.0000"), None, "fridge-bcd-310") in {
        (r.level, r.rate, r.fixed_amount, r.product_id)
        for r in CommissionRule.objects.filter(channel=DEMO_CHANNEL)
    }

    page, app = open_program(browser)
    app.locator("[data-testid=rules]").wait_for()
    shown = app.locator("input[data-testid=rule-product]")
    app.locator('input[data-testid=rule-product][value="三门冰箱 310L Refrigerator"]').wait_for()
    values = shown.evaluate_all("els => els.map(e => [e.value, e.dataset.productId])")
    assert ["UHJvZHVjdDo3Mg==", "UHJvZHVjdDo3Mg=="] in values, "not in the catalog: its id, as saved"

    # nothing matches: the typed text can still be used as an id
    empty = app.locator("[data-testid=rule-row]").first.locator("input[data-testid=rule-product]")
    empty.fill("no such thing")
    app.locator("[data-testid=product-options-empty]").wait_for()
    app.locator("[data-testid=product-option-id]").click()
    assert empty.get_attribute("data-product-id") == "no such thing"


def test_a_rule_picks_its_category_from_the_shops_categories(browser: Browser):
    """The category cell searches the shop's categories (the sandbox's demo tree), each shown with its
    path; the rule keeps the category's id and, opened again, shows its path. A category the shop does
    not know keeps its id."""
    seed_program()
    page, app = open_program(browser)
    app.locator("[data-testid=rules]").wait_for()
    app.get_by_role("button", name="Add rule").click()
    row = app.locator("[data-testid=rule-row]").last
    row.locator("input[data-testid=rule-level]").fill("1")
    row.locator("input[data-testid=rule-value]").fill("12")
    category = row.locator("input[data-testid=rule-category]")
    assert category.get_attribute("placeholder") == "every category"
    category.fill("冰箱")
    options = row.locator("[data-testid=category-option]")
    options.first.wait_for()
    assert options.all_inner_texts() == ["家电 Appliances / 冰箱 Refrigerators"]
    assert "not in its subcategories" in row.locator("[data-testid=category-options-note]").inner_text()
    assert row.locator("[data-testid=product-options]").count() == 0, "only the cell being typed in"
    row.locator("[data-testid=category-options-note]").scroll_into_view_if_needed()
    screenshot(page, "console-program-category-picker-en-1280")
    options.first.click()
    assert category.input_value() == "家电 Appliances / 冰箱 Refrigerators"
    assert category.get_attribute("data-category-id") == "refrigerators"
    version = program_now().version
    app.locator("[data-testid=rules-save]").click()
    app.locator("[data-testid=program-version]", has_text=f"version {version + 1}").wait_for()
    assert (1, Decimal("12.0000"), None, None, "refrigerators") in rules_now()

    page, app = open_program(browser)
    app.locator("[data-testid=rules]").wait_for()
    app.locator('input[data-testid=rule-category][value="家电 Appliances / 冰箱 Refrigerators"]').wait_for()
    shown = app.locator("input[data-testid=rule-category]")
    values = shown.evaluate_all("els => els.map(e => [e.value, e.dataset.categoryId])")
    assert ["Q2F0ZWdvcnk6Mg==", "Q2F0ZWdvcnk6Mg=="] in values, "not a category of the shop: its id, as saved"
    assert ["家电 Appliances / 冰箱 Refrigerators", "refrigerators"] in values

    # the rule's category removed again ("every category"), and an id typed when nothing matches
    saved = app.locator('input[data-testid=rule-category][value="家电 Appliances / 冰箱 Refrigerators"]')
    saved.click()
    app.locator("[data-testid=category-option-any]").click()
    assert app.locator('input[data-testid=rule-category][data-category-id="refrigerators"]').count() == 0
    empty = app.locator("[data-testid=rule-row]").first.locator("input[data-testid=rule-category]")
    empty.fill("no such category")
    app.locator("[data-testid=category-options-empty]").wait_for()
    app.locator("[data-testid=category-option-id]").click()
    assert empty.get_attribute("data-category-id") == "no such category"


def test_the_category_picker_in_chinese(browser: Browser):
    seed_program()
    page, app = open_program(browser, locale="zh-Hans")
    app.locator("[data-testid=rules]").wait_for()
    assert "分类" in app.locator("[data-testid=rules] thead").inner_text()
    category = app.locator("[data-testid=rule-row]").first.locator("input[data-testid=rule-category]")
    assert (category.get_attribute("aria-label"), category.get_attribute("placeholder")) == (
        "分类",
        "全部分类",
    )
    category.fill("kitchen")
    option = app.locator("[data-testid=category-option]")
    option.first.wait_for()
    assert option.all_inner_texts() == [
        "家电 Appliances / 小家电 Small appliances / 厨房电器 Kitchen appliances"
    ]
    note = app.locator("[data-testid=category-options-note]").inner_text()
    assert note == "规则只适用于直接归属该分类的商品，不含其子分类中的商品。"
    assert app.locator("[data-testid=category-option-id]").inner_text() == "使用“kitchen”作为分类 ID"
    screenshot(page, "console-program-category-picker-zh-Hans-1280")
