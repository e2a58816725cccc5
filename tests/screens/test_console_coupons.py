"""Card-pack coupons (NAVIGATION_DISCOUNTS), in real Chromium inside the sandbox's stand-in of the Saleor
dashboard: the vouchers with their WeChat stocks, a sync end to end against the fake WeChat Pay (商家券), a
legacy card linked, attaching a stock WeChat Pay did not name, paging, search, states and languages.

Screenshots: ``test-artifacts/screenshots/console-coupons-<state>-<locale>-<viewport>.png``.
"""

from __future__ import annotations

import itertools
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from saleor_wechat_distribution import host
from saleor_wechat_distribution.domain.coupons import CouponSyncStatus, CouponTemporaryError
from saleor_wechat_distribution.models import CouponStock, IssuedCoupon
from saleor_wechat_distribution.sandbox.vouchers.models import SandboxVoucher, SandboxVoucherCode
from saleor_wechat_distribution.services.coupons.stock_sync import coupon_sync_voucher
from saleor_wechat_distribution.wechat.coupons import WeChatPayCoupons, WeChatPayCouponSettings
from saleor_wechat_distribution.wechat.payouts_v3 import WeChatPayV3Settings

from .conftest import DESKTOP, TABLET, Browser, loading_then_error_then_retry, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

_ids = itertools.count(1)


def voucher(name: str, codes: int = 3, **fields) -> SandboxVoucher:
    n = next(_ids)
    made = SandboxVoucher.objects.create(
        voucher_id=f"VC{n:03d}",
        name=name,
        value=Decimal("10.00"),
        minimum_spend=Decimal("100.00"),
        end=timezone.now() + timedelta(days=30),
        **fields,
    )
    SandboxVoucherCode.objects.bulk_create(
        [SandboxVoucherCode(voucher=made, code=f"WD{n:03d}X{i:04d}") for i in range(codes)]
    )
    return made


def open_coupons(browser: Browser, *, user: str = "staff", locale: str = "en", viewport=DESKTOP):
    page = browser.page(f"/dashboard/?page=coupons&user={user}&locale={locale}", viewport=viewport)
    return page, page.frame_locator("iframe#app")


def row(app, made: SandboxVoucher):
    return app.locator(f'[data-testid=voucher-row][data-voucher="{made.voucher_id}"]')


def test_sync_a_voucher_and_see_its_stock(browser: Browser, wechat_world):
    spring = voucher("春季满100减10 Spring", codes=5)
    voucher("会员日 Member day", codes=2)
    page, app = open_coupons(browser)
    app.locator("[data-testid=vouchers]").wait_for()
    assert app.locator("[data-testid=voucher-count]").inner_text() == "2 vouchers"
    assert row(app, spring).get_attribute("data-status") == "NONE"
    assert "Not synced" in row(app, spring).inner_text() and "No stock yet" in row(app, spring).inner_text()
    screenshot(page, "console-coupons-list-en-1280")
    row(app, spring).locator("[data-testid=sync]").click()
    dialog = app.locator("[data-testid=confirm-dialog]")
    assert "Sync “春季满100减10 Spring” with WeChat Pay?" in dialog.inner_text()
    screenshot(page, "console-coupons-confirm-sync-en-1280")
    app.locator("[data-testid=confirm-ok]").click()
    # the page follows the sync (queued, then run by the sandbox's worker) until it settles
    synced = app.locator(f'[data-testid=voucher-row][data-voucher="{spring.voucher_id}"][data-status=SYNCED]')
    synced.wait_for(timeout=30_000)
    stock = CouponStock.objects.get(voucher_id=spring.voucher_id)
    assert stock.status == CouponSyncStatus.SYNCED and stock.stock_id
    assert stock.stock_id in wechat_world.pay.busifavor.stocks, "the stock exists in WeChat Pay"
    assert synced.locator("[data-testid=stock-id-text]").inner_text() == stock.stock_id
    assert "5 / 5 codes in WeChat" in synced.inner_text() and "Synced" in synced.inner_text()
    assert "Sync again" in synced.locator("[data-testid=sync]").inner_text()
    screenshot(page, "console-coupons-synced-en-1280")


def test_link_a_legacy_card(browser: Browser, wechat_world):
    old = voucher("老会员卡券 Legacy card", codes=3)
    wechat_world.mp.add_account("wxlegacycard00001")
    wechat_world.mp.add_card("wxlegacycard00001", "pCardLegacy0001", {"WD-HELD-1": "o-holder-1"})
    page, app = open_coupons(browser)
    row(app, old).locator("[data-testid=link]").click()
    ok = app.locator("[data-testid=confirm-ok]")
    assert ok.is_disabled(), "both ids are needed"
    app.locator("[data-testid=app-id] input, input[data-testid=app-id]").first.fill("wxlegacycard00001")
    app.locator("[data-testid=card-id] input, input[data-testid=card-id]").first.fill("pCardLegacy0001")
    screenshot(page, "console-coupons-confirm-link-en-1280")
    ok.click()
    linked = row(app, old).locator("[data-testid=stock]")
    linked.wait_for()
    assert "pCardLegacy0001" in linked.inner_text()
    assert "Legacy card · wxlegacycard00001" in linked.inner_text()
    stock = CouponStock.objects.get(voucher_id=old.voucher_id)
    assert (stock.kind, stock.stock_id, stock.app_id) == ("card", "pCardLegacy0001", "wxlegacycard00001")
    assert IssuedCoupon.objects.filter(stock=stock).count() == 3, "the voucher's codes are the card's"
    screenshot(page, "console-coupons-linked-en-1280")


def test_a_refused_link_stays_in_the_dialog(browser: Browser):
    old = voucher("无效 Bad link")
    page, app = open_coupons(browser)
    row(app, old).locator("[data-testid=link]").click()
    app.locator("input[data-testid=app-id], [data-testid=app-id] input").first.fill("wx" + "1" * 40)
    app.locator("input[data-testid=card-id], [data-testid=card-id] input").first.fill("pCard")
    app.locator("[data-testid=confirm-ok]").click()
    app.get_by_text("At most 32 characters").wait_for()
    assert app.locator("[data-testid=confirm-dialog]").is_visible()
    assert not CouponStock.objects.filter(voucher_id=old.voucher_id).exists()
    screenshot(page, "console-coupons-link-refused-en-1280")


def stock_exists(wechat_world, made: SandboxVoucher) -> str:
    """The voucher's stock as the attach finds it: WeChat Pay made it for the first 创建商家券, whose answer
    was lost; the repeat was answered RESOURCE_ALREADY_EXISTS without its id (``failed`` / STOCK_EXISTS).
    Played in this process with the same merchant as the sandbox's; returns the stock's real id."""
    pay = wechat_world.pay
    merchant = WeChatPayCoupons(
        WeChatPayCouponSettings(
            v3=WeChatPayV3Settings(**pay.v3_settings()), api_key_v2=pay.merchant.api_key_v2
        )
    )
    duplicate = pay.busifavor.duplicate_create
    try:
        with host.overridden(coupon_gateways=lambda channel, distributor_id: [merchant]):
            pay.busifavor.faults = ["SYSTEM_ERROR"]
            with pytest.raises(CouponTemporaryError):
                coupon_sync_voucher(voucher_id=made.voucher_id)
            row = CouponStock.objects.get(voucher_id=made.voucher_id)
            stock_id = merchant.stock_create(body=row.request)
            pay.busifavor.duplicate_create = "exists"
            coupon_sync_voucher(voucher_id=made.voucher_id)
    finally:
        pay.busifavor.duplicate_create = duplicate
    row.refresh_from_db()
    assert (row.status, row.error_code, row.stock_id) == ("failed", "STOCK_EXISTS", "")
    return stock_id


def test_attach_a_stock_wechat_pay_did_not_name(browser: Browser, wechat_world):
    """The action appears for a STOCK_EXISTS failure; a wrong id is refused in the dialog with its reason,
    the right one is checked against WeChat Pay, attached, and the codes upload."""
    lost = voucher("找回批次 Lost stock", codes=4)
    stock_id = stock_exists(wechat_world, lost)
    page, app = open_coupons(browser)
    failed = row(app, lost)
    failed.wait_for()
    assert failed.get_attribute("data-status") == "FAILED"
    assert failed.locator("[data-testid=sync-error]").inner_text().strip()  # WeChat's own words
    assert "did not say its id: attach it by its id" in failed.locator("[data-testid=sync-hint]").inner_text()
    screenshot(page, "console-coupons-stock-exists-en-1280")
    failed.locator("[data-testid=attach]").click()
    field = app.locator("input[data-testid=stock-id], [data-testid=stock-id] input").first
    field.fill("99999999")
    app.locator("[data-testid=confirm-ok]").click()
    app.locator("[data-testid=confirm-dialog]", has_text="WeChat Pay has no stock with this id.").wait_for()
    assert app.locator("[data-testid=confirm-dialog]").is_visible()
    assert CouponStock.objects.get(voucher_id=lost.voucher_id).stock_id == ""
    screenshot(page, "console-coupons-attach-refused-en-1280")
    field.fill(stock_id)
    app.locator("[data-testid=confirm-ok]").click()
    synced = app.locator(f'[data-testid=voucher-row][data-voucher="{lost.voucher_id}"][data-status=SYNCED]')
    synced.wait_for(timeout=30_000)
    assert synced.locator("[data-testid=stock-id-text]").inner_text() == stock_id
    assert "4 / 4 codes in WeChat" in synced.inner_text()
    assert synced.locator("[data-testid=attach]").count() == 0
    row_now = CouponStock.objects.get(voucher_id=lost.voucher_id)
    assert (row_now.stock_id, row_now.status) == (stock_id, CouponSyncStatus.SYNCED)
    screenshot(page, "console-coupons-attached-en-1280")


def test_notes_of_a_stock_and_of_its_coupons(browser: Browser, wechat_world):
    """What WeChat could not follow is shown beside the voucher: edits it cannot take, refused codes, and
    handed-out coupons it could not mark used (translated, counted per note)."""
    noted = voucher("备注 Notes", codes=2)
    stock = CouponStock.objects.create(
        voucher_id=noted.voucher_id,
        channel="default-channel",
        mchid=wechat_world.pay.merchant.mchid,
        app_id="wxnotes0000000001",
        out_request_no="WDS-notes-1",
        stock_id="1282000000009999",
        status=CouponSyncStatus.SYNCED,
        codes_total=2,
        codes_uploaded=2,
        rejected_count=1,
        notices=[{"code": "NAME_NOT_UPDATABLE", "message": "WeChat Pay keeps the first name."}],
    )
    for code in ("N-1", "N-2"):
        IssuedCoupon.objects.create(
            stock=stock, code=code, app_id=stock.app_id, openid="o-n", note="USE_FAILED: errcode 500"
        )
    page, app = open_coupons(browser, locale="zh-Hans")
    notes = row(app, noted).locator("[data-testid=notes-cell]")
    notes.wait_for()
    text = notes.inner_text()
    assert "WeChat Pay keeps the first name." in text and "微信拒绝了 1 个券码" in text
    assert text.count("2 × ") == 1, text
    screenshot(page, "console-coupons-notes-zh-Hans-1280")


def test_paging_and_search(browser: Browser):
    made = [voucher(f"券 Voucher {n:02d}", codes=1) for n in range(1, 24)]
    _page, app = open_coupons(browser)
    app.locator("[data-testid=vouchers]").wait_for()
    assert app.locator("[data-testid=voucher-row]").count() == 20
    assert app.locator("[data-testid=paging-range]").inner_text() == "1–20 of 23"
    app.locator("[data-testid=page-next]").click()
    app.locator("[data-testid=paging-range]", has_text="21–23 of 23").wait_for()
    assert row(app, made[0]).count() == 1, "the oldest is on the last page"
    app.locator("[data-testid=page-previous]").click()
    app.locator("[data-testid=paging-range]", has_text="1–20 of 23").wait_for()
    app.locator("input[data-testid=search], [data-testid=search] input").first.fill("Voucher 07")
    app.locator("[data-testid=voucher-count]", has_text="1 voucher").wait_for()
    assert app.locator("[data-testid=voucher-count]").inner_text() == "1 voucher"
    assert row(app, made[6]).count() == 1
    app.locator("input[data-testid=search], [data-testid=search] input").first.fill("WD999")
    app.locator("[data-testid=state-empty]").wait_for()
    assert "No voucher matches “WD999”." in app.locator("[data-testid=state-empty]").inner_text()


def test_empty(browser: Browser):
    page, app = open_coupons(browser)
    empty = app.locator("[data-testid=state-empty]")
    empty.wait_for()
    assert "No vouchers yet" in empty.inner_text()
    screenshot(page, "console-coupons-empty-en-1280")


def test_staff_without_manage_discounts_sees_a_refusal(browser: Browser):
    voucher("不可见 Hidden")
    page, app = open_coupons(browser, user="support")
    refusal = app.locator("[data-testid=state-refusal]")
    refusal.wait_for()
    assert "Manage discounts" in refusal.inner_text() and "MANAGE_DISCOUNTS" in refusal.inner_text()
    assert app.locator("[data-testid=vouchers]").count() == 0
    screenshot(page, "console-coupons-refusal-en-1280")


def test_simplified_chinese_and_tablet(browser: Browser):
    spring = voucher("春季满100减10")
    page, app = open_coupons(browser, locale="zh-Hans", viewport=TABLET)
    app.locator("[data-testid=vouchers]").wait_for()
    assert app.locator("h1").inner_text() == "卡包优惠券"
    assert "未同步" in row(app, spring).inner_text()
    width = app.locator("[data-testid=vouchers]").evaluate("t => t.getBoundingClientRect().width")
    assert width <= TABLET["width"], "no horizontal scrolling on a tablet"
    screenshot(page, "console-coupons-list-zh-Hans-820")
    row(app, spring).locator("[data-testid=link]").click()
    assert "为“春季满100减10”关联旧版卡券" in app.locator("[data-testid=confirm-dialog]").inner_text()
    screenshot(page, "console-coupons-confirm-link-zh-Hans-820")
    page2, app2 = open_coupons(browser, user="support", locale="zh-Hans")
    app2.locator("[data-testid=state-refusal]").wait_for()
    assert "管理折扣" in app2.locator("[data-testid=state-refusal]").inner_text()
    screenshot(page2, "console-coupons-refusal-zh-Hans-1280")


def test_loading_then_error_then_retry(browser: Browser):
    voucher("重试 Retry")
    _page, app, _ = loading_then_error_then_retry(browser, "/dashboard/?page=coupons", "console-coupons")
    app.locator("[data-testid=vouchers]").wait_for()
