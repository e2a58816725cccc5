"""Money (withdrawals, commissions, disputes) in real Chromium inside the sandbox's stand-in of the Saleor
dashboard, each action end to end against the database; the payouts reach the fake WeChat Pay.

Screenshots: ``test-artifacts/screenshots/console-money-<view>-<locale>-<viewport>.png``.
"""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta
from decimal import Decimal

import pytest

from saleor_wechat_distribution.models import Commission, LedgerEntry, OrderDispute, Withdrawal

from .conftest import DESKTOP, TABLET, Browser, loading_then_error_then_retry, screenshot
from .money_world import build_money, payouts  # noqa: F401 - the fixture

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("payouts"),
]


def open_money(browser: Browser, *, user: str = "staff", locale: str = "en", tab: str = "", viewport=DESKTOP):
    page = browser.page(f"/dashboard/?page=money&user={user}&locale={locale}", viewport=viewport)
    app = page.frame_locator("iframe#app")
    if tab:
        app.locator(f"[data-testid=tab-{tab}]").click()
    return page, app


def row(app, testid: str, name: str):
    return app.locator(f'[data-testid={testid}-row][data-name="{name}"]')


def status_of(withdrawal: Withdrawal) -> Withdrawal:
    return Withdrawal.objects.get(pk=withdrawal.pk)


# --------------------------------------------------------------------------------------------------
# withdrawals
# --------------------------------------------------------------------------------------------------


def test_withdrawals_to_approve_with_totals(browser: Browser):
    build_money()
    page, app = open_money(browser)
    app.locator("[data-testid=withdrawals]").wait_for()
    assert app.locator("[data-testid=requested-total]").inner_text() == "Waiting for approval: 2, ¥70.00"
    names = app.locator("[data-testid=withdrawal-row]").evaluate_all("rows => rows.map(r => r.dataset.name)")
    assert names == ["李娜 Li Na", "王芳 Wang Fang"], "newest first"
    assert "¥50.00" in row(app, "withdrawal", "王芳 Wang Fang").inner_text()
    statuses = app.locator("[data-testid=withdrawal-statuses]").inner_text()
    assert "Approved, not sent · 1 · ¥35.50" in statuses and "Failed · 1 · ¥12.00" in statuses
    screenshot(page, "console-money-withdrawals-en-1280")


def test_approve_a_withdrawal_end_to_end(browser: Browser, wechat_world):
    shop = build_money()
    page, app = open_money(browser)
    row(app, "withdrawal", "王芳 Wang Fang").locator("[data-testid=approve]").click()
    dialog = app.locator("[data-testid=confirm-dialog]")
    assert "Approve ¥50.00 for 王芳 Wang Fang?" in dialog.inner_text()
    screenshot(page, "console-money-confirm-approve-en-1280")
    app.locator("[data-testid=confirm-ok]").click()
    banner = app.locator("[data-testid=result-banner]")
    banner.wait_for()
    assert banner.inner_text().startswith("Approve: 王芳 Wang Fang")
    row(app, "withdrawal", "王芳 Wang Fang").wait_for(state="detached")
    withdrawal = status_of(shop.withdrawals["wang"])
    # approved by the dashboard's user, and the payout went to WeChat Pay (商家转账 waits for the user)
    assert withdrawal.decided_by == "staff:1"
    assert withdrawal.status == Withdrawal.Status.WAIT_USER_CONFIRM, withdrawal.status
    assert app.locator("[data-testid=requested-total]").inner_text() == "Waiting for approval: 1, ¥20.00"
    screenshot(page, "console-money-approved-en-1280")


def test_paging_withdrawals(browser: Browser):
    shop = build_money()
    Withdrawal.objects.bulk_create(
        Withdrawal(distributor=shop.li, channel="default-channel", currency="CNY", amount=Decimal("1.00"),
                   out_bill_no=f"WDPAGING{n:04d}")
        for n in range(21)
    )  # fmt: skip
    page, app = open_money(browser)
    app.locator("[data-testid=paging-range]", has_text="1–20 of 23").wait_for()
    assert app.locator("[data-testid=withdrawal-row]").count() == 20
    app.locator("[data-testid=page-next]").click()
    app.locator("[data-testid=paging-range]", has_text="21–23 of 23").wait_for()
    assert app.locator("[data-testid=page-next]").is_disabled()
    screenshot(page, "console-money-withdrawals-page2-en-1280")
    app.locator("[data-testid=page-previous]").click()
    app.locator("[data-testid=paging-range]", has_text="1–20 of 23").wait_for()


def test_reject_needs_a_reason_and_returns_the_money(browser: Browser):
    shop = build_money()
    _page, app = open_money(browser)
    row(app, "withdrawal", "李娜 Li Na").locator("[data-testid=reject]").click()
    ok = app.locator("[data-testid=confirm-ok]")
    assert ok.is_disabled()
    app.locator("textarea").fill("银行卡信息不完整 incomplete details")
    ok.click()
    app.locator("[data-testid=result-banner]").wait_for()
    withdrawal = status_of(shop.withdrawals["li"])
    assert withdrawal.status == Withdrawal.Status.REJECTED
    assert withdrawal.reject_reason == "银行卡信息不完整 incomplete details"


def test_an_approved_payout_never_sent_is_moved_on(browser: Browser):
    shop = build_money()
    page, app = open_money(browser)
    app.locator("[data-testid=wstatus-APPROVED]").click()
    stuck = row(app, "withdrawal", "华东区域经销商 East China")
    stuck.wait_for()
    screenshot(page, "console-money-stuck-en-1280")
    stuck.locator("[data-testid=retry-payout]").click()
    assert shop.withdrawals["stuck"].out_bill_no in app.locator("[data-testid=confirm-dialog]").inner_text()
    app.locator("[data-testid=confirm-ok]").click()
    app.locator("[data-testid=result-banner]").wait_for()
    assert status_of(shop.withdrawals["stuck"]).status == Withdrawal.Status.WAIT_USER_CONFIRM
    app.locator("[data-testid=state-empty]").wait_for()  # nothing approved and unsent any more
    app.locator("[data-testid=wstatus-WAIT_USER_CONFIRM]").click()
    app.locator("[data-testid=withdrawal-row]").first.wait_for()
    assert app.locator("[data-testid=fail-payout]").count() == 1, "a payout waiting for the user can be ended"


def test_end_a_payout_returns_the_money_once(browser: Browser):
    shop = build_money()
    _page, app = open_money(browser)
    app.locator("[data-testid=wstatus-APPROVED]").click()
    row(app, "withdrawal", "华东区域经销商 East China").locator("[data-testid=fail-payout]").click()
    app.locator("textarea").fill("收款人要求取消 cancelled on request")
    app.locator("[data-testid=confirm-ok]").click()
    app.locator("[data-testid=result-banner]").wait_for()
    withdrawal = status_of(shop.withdrawals["stuck"])
    assert withdrawal.status == Withdrawal.Status.FAILED
    credits = LedgerEntry.objects.filter(withdrawal=withdrawal, amount__gt=0)
    assert [str(e.amount) for e in credits] == ["35.5000"]


def test_failed_withdrawals_say_why(browser: Browser):
    build_money()
    page, app = open_money(browser)
    app.locator("[data-testid=wstatus-FAILED]").click()
    failed = row(app, "withdrawal", "华东区域经销商 East China")
    failed.wait_for()
    assert "收款人实名校验未通过 NAME_MISMATCH" in failed.inner_text()
    assert "went back to the distributor's balance" in failed.inner_text()
    screenshot(page, "console-money-failed-en-1280")


# --------------------------------------------------------------------------------------------------
# commissions and the CSV export
# --------------------------------------------------------------------------------------------------


def test_commissions_filters_and_csv_export(browser: Browser):
    shop = build_money()
    page, app = open_money(browser, tab="commissions")
    app.locator("[data-testid=commissions]").wait_for()
    assert app.locator("[data-testid=commission-row]").count() == Commission.objects.count() == 8
    assert app.locator("[data-testid=hold-reason]").count() == 2, "the disputed order's two commissions"
    screenshot(page, "console-money-commissions-en-1280")
    app.locator("[data-testid=filter-code] input, input[data-testid=filter-code]").first.fill(
        shop.wang.referral_code
    )
    app.locator("[data-testid=paging-range]", has_text="of 4").wait_for()
    app.locator("[data-testid=filter-status]").click()
    app.get_by_role("option", name="Frozen (after-sales window)").click()
    app.locator("[data-testid=paging-range]", has_text="1–2 of 2").wait_for()
    screenshot(page, "console-money-commissions-filtered-en-1280")
    with page.expect_download() as download:
        app.locator("[data-testid=export-csv]").click()
    content = open(download.value.path(), encoding="utf-8-sig").read()  # noqa: SIM115
    rows = list(csv.DictReader(io.StringIO(content)))
    assert download.value.suggested_filename.startswith("wechat-distribution-commissions-")
    assert sorted((r["order_id"], r["level"], r["amount"], r["status"]) for r in rows) == sorted([
        (shop.orders["frozen"], "2", "9.00", "frozen"),
        (shop.orders["disputed"], "1", "50.00", "frozen"),
    ])  # fmt: skip
    assert {r["referral_code"] for r in rows} == {shop.wang.referral_code}
    app.locator("[data-testid=result-banner]", has_text="Exported").wait_for()
    exports = [r for r in browser.requests if "/export/commissions.csv" in r.url]
    assert exports and exports[0].headers["authorization"].startswith("Bearer ")
    assert "status=FROZEN" in exports[0].url and f"referralCode={shop.wang.referral_code}" in exports[0].url


def test_no_commission_matches(browser: Browser):
    build_money()
    page, app = open_money(browser, tab="commissions")
    app.locator("[data-testid=filter-order] input, input[data-testid=filter-order]").first.fill(
        "no-such-order"
    )
    app.locator("[data-testid=state-empty]").wait_for()
    screenshot(page, "console-money-commissions-empty-en-1280")


def test_commissions_by_creation_days(browser: Browser):
    build_money()
    _page, app = open_money(browser, tab="commissions")
    app.locator("[data-testid=commissions]").wait_for()
    today = date.today()  # the browser's calendar day (the same machine)
    until = app.locator("[data-testid=filter-to] input, input[data-testid=filter-to]").first
    until.fill((today - timedelta(days=2)).isoformat())
    app.locator("[data-testid=state-empty]").wait_for()
    until.fill(today.isoformat())  # the day is included
    app.locator("[data-testid=paging-range]", has_text="1–8 of 8").wait_for()
    since = app.locator("[data-testid=filter-from] input, input[data-testid=filter-from]").first
    since.fill((today + timedelta(days=1)).isoformat())
    app.locator("[data-testid=state-empty]", has_text="day is after").wait_for()
    app.locator("[data-testid=filter-clear]").click()
    app.locator("[data-testid=paging-range]", has_text="1–8 of 8").wait_for()


# --------------------------------------------------------------------------------------------------
# disputes
# --------------------------------------------------------------------------------------------------


def test_resolve_a_dispute_end_to_end(browser: Browser):
    shop = build_money()
    page, app = open_money(browser, tab="disputes")
    dispute_row = app.locator("[data-testid=dispute-row]")
    dispute_row.wait_for()
    text = dispute_row.inner_text()
    assert "王芳 Wang Fang" in text and "¥50.00" in text and "goods not received" in text
    screenshot(page, "console-money-disputes-en-1280")
    dispute_row.locator("[data-testid=release]").click()
    app.locator("textarea").fill("顾客已确认收货 delivered")
    screenshot(page, "console-money-confirm-release-en-1280")
    app.locator("[data-testid=confirm-ok]").click()
    app.locator("[data-testid=result-banner]").wait_for()
    dispute = OrderDispute.objects.get(order_id=shop.orders["disputed"])
    assert dispute.status == OrderDispute.Status.RELEASED
    assert dispute.events.order_by("-pk").first().note == "顾客已确认收货 delivered"
    app.locator("[data-testid=state-empty]").wait_for()
    app.locator("[data-testid=dstatus-RELEASED]").click()
    app.locator("[data-testid=dispute-row]").wait_for()


def test_reverse_a_dispute_takes_the_commissions_back(browser: Browser):
    shop = build_money()
    _page, app = open_money(browser, tab="disputes")
    app.locator("[data-testid=dispute-row]").locator("[data-testid=reverse]").click()
    app.locator("[data-testid=confirm-ok]").click()  # the note is optional
    app.locator("[data-testid=result-banner]").wait_for()
    order_id = shop.orders["disputed"]
    assert OrderDispute.objects.get(order_id=order_id).status == OrderDispute.Status.REVERSED
    commissions = Commission.objects.filter(order_id=order_id)
    assert commissions.count() == 2 and all(c.reversed_amount == c.amount for c in commissions)


# --------------------------------------------------------------------------------------------------
# states, languages, widths
# --------------------------------------------------------------------------------------------------


def test_empty_states(browser: Browser):
    build_money(withdrawals=False, disputes=False)
    page, app = open_money(browser)
    empty = app.locator("[data-testid=state-empty]")
    empty.wait_for()
    assert "No withdrawal waits for approval" in empty.inner_text()
    screenshot(page, "console-money-withdrawals-empty-en-1280")
    app.locator("[data-testid=tab-disputes]").click()
    app.locator("[data-testid=state-empty]", has_text="No open disputes").wait_for()
    screenshot(page, "console-money-disputes-empty-en-1280")


@pytest.mark.parametrize("locale", ["en", "zh-Hans"])
def test_staff_without_manage_orders_sees_a_refusal(browser: Browser, locale: str):
    build_money()
    page, app = open_money(browser, user="crm", locale=locale)
    refusal = app.locator("[data-testid=state-refusal]")
    refusal.wait_for()
    assert "MANAGE_ORDERS" in refusal.inner_text()
    assert ("Manage orders" if locale == "en" else "管理订单") in refusal.inner_text()
    assert app.locator("[data-testid=withdrawals]").count() == 0
    screenshot(page, f"console-money-refusal-{locale}-1280")
    app.locator("[data-testid=tab-commissions]").click()
    app.locator("[data-testid=state-refusal]").wait_for()
    assert app.locator("[data-testid=export-csv]").count() == 0


def test_simplified_chinese(browser: Browser):
    build_money()
    page, app = open_money(browser, locale="zh-Hans")
    app.locator("[data-testid=withdrawals]").wait_for()
    assert app.locator("h1").inner_text() == "资金"
    assert app.locator("[data-testid=requested-total]").inner_text() == "待审核：2 笔，¥70.00"
    screenshot(page, "console-money-withdrawals-zh-Hans-1280")
    app.locator("[data-testid=tab-commissions]").click()
    app.locator("[data-testid=commissions]").wait_for()
    assert "冻结：纠纷中" in app.locator("[data-testid=commissions]").inner_text()
    screenshot(page, "console-money-commissions-zh-Hans-1280")
    app.locator("[data-testid=tab-disputes]").click()
    app.locator("[data-testid=dispute-row]").locator("[data-testid=reverse]").click()
    assert "扣回订单" in app.locator("[data-testid=confirm-dialog]").inner_text()
    screenshot(page, "console-money-confirm-reverse-zh-Hans-1280")


@pytest.mark.parametrize("tab", ["withdrawals", "commissions", "disputes"])
def test_tablet_width(browser: Browser, tab: str):
    build_money()
    page, app = open_money(browser, tab=tab, viewport=TABLET)
    app.locator(f"[data-testid={tab}]").wait_for()
    overflow = app.locator("html").evaluate("e => e.scrollWidth - e.clientWidth")
    assert overflow <= 0, "no horizontal scrolling on a tablet"
    screenshot(page, f"console-money-{tab}-en-820")


def test_loading_then_error_then_retry(browser: Browser):
    build_money()
    _page, app, _ = loading_then_error_then_retry(browser, "/dashboard/?page=money", "console-money")
    app.locator("[data-testid=withdrawals]").wait_for()
