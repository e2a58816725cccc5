"""The order page's widget (ORDER_DETAILS_WIDGETS) in real Chromium: the sandbox's dashboard passes the
order as Saleor's does (``?orderId=<the Order's global id>`` on the iframe's URL).

Screenshots: ``test-artifacts/screenshots/console-order-widget-<state>-<locale>-<viewport>.png``.
"""

from __future__ import annotations

from urllib.parse import urlencode

import pytest

from saleor_wechat_distribution.models import AttributionChange, Commission, OrderAttribution

from .conftest import DESKTOP, TABLET, Browser, screenshot
from .money_world import build_money, payouts, saleor_order_id  # noqa: F401 - the fixture

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("payouts"),
]


def open_widget(
    browser: Browser, order_id: str, *, user: str = "staff", locale: str = "en", viewport=DESKTOP
):
    query = urlencode({"page": "order-distribution", "user": user, "locale": locale, "orderId": order_id})
    page = browser.page(f"/dashboard/?{query}", viewport=viewport)
    return page, page.frame_locator("iframe#app")


def test_the_orders_attribution_commissions_and_dispute(browser: Browser):
    shop = build_money(withdrawals=False)
    page, app = open_widget(browser, shop.orders["disputed"])
    widget = app.locator("[data-testid=order-widget]")
    widget.wait_for()
    distributor = app.locator("[data-testid=widget-distributor]").inner_text()
    assert "王芳 Wang Fang" in distributor and shop.wang.referral_code in distributor
    evidence = app.locator("[data-testid=widget-evidence]").inner_text()
    assert "Share link" in evidence and f"Code {shop.wang.referral_code}" in evidence
    assert "2 paid level(s)" in app.locator("[data-testid=widget-policy]").inner_text()
    commissions = app.locator("[data-testid=widget-commission]").all_inner_texts()
    assert len(commissions) == 2
    assert "L1" in commissions[0] and "¥50.00" in commissions[0] and "held: dispute" in commissions[0]
    assert "华东区域经销商 East China" in commissions[1] and "¥15.00" in commissions[1]
    assert (
        "Open: 顾客投诉未收到货 goods not received"
        in app.locator("[data-testid=widget-dispute]").inner_text()
    )
    graphql = [r for r in browser.requests if r.url.endswith("/graphql/") and r.post_data]
    assert any(shop.orders["disputed"] in (r.post_data or "") for r in graphql), "the dashboard's orderId"
    screenshot(page, "console-order-widget-en-1280")


def test_reassign_end_to_end(browser: Browser):
    shop = build_money(withdrawals=False)
    order_id = shop.orders["settled"]
    page, app = open_widget(browser, order_id)
    app.locator("[data-testid=reassign]").click()
    ok = app.locator("[data-testid=confirm-ok]")
    assert ok.is_disabled(), "a code and a reason first"
    app.locator("[data-testid=reassign-code] input, input[data-testid=reassign-code]").first.fill(
        "NO-SUCH-CODE"
    )
    app.locator("textarea").fill("顾客说明是李娜推荐的 the customer says Li Na referred them")
    ok.click()
    error = app.locator("[data-testid=reassign-error]")
    error.wait_for()
    assert "No distributor has this referral code." in error.inner_text()
    assert OrderAttribution.objects.get(order_id=order_id).distributor_id == shop.wang.pk
    app.locator("[data-testid=reassign-code] input, input[data-testid=reassign-code]").first.fill(
        shop.li.referral_code
    )
    screenshot(page, "console-order-widget-reassign-en-1280")
    ok.click()
    app.locator("[data-testid=widget-message]", has_text="Order reassigned").wait_for()
    app.locator("[data-testid=widget-history]").wait_for()
    attribution = OrderAttribution.objects.get(order_id=order_id)
    assert attribution.distributor_id == shop.li.pk and attribution.source == "manual"
    change = AttributionChange.objects.get(attribution=attribution)
    assert (change.from_distributor_id, change.to_distributor_id) == (shop.wang.pk, shop.li.pk)
    assert change.actor == "staff:1", "the dashboard's user did it"
    # the settled ones were clawed back (their amount taken back), the new upline earns instead
    live = [c for c in Commission.objects.filter(order_id=order_id) if c.amount > c.reversed_amount]
    assert sorted((c.distributor_id, c.level) for c in live) == [(shop.wang.pk, 2), (shop.li.pk, 1)]
    assert "李娜 Li Na" in app.locator("[data-testid=widget-distributor]").inner_text()
    assert "王芳 Wang Fang → 李娜 Li Na" in app.locator("[data-testid=widget-history]").inner_text()
    screenshot(page, "console-order-widget-reassigned-en-1280")


def test_simplified_chinese_and_tablet(browser: Browser):
    shop = build_money(withdrawals=False)
    page, app = open_widget(browser, shop.orders["disputed"], locale="zh-Hans", viewport=TABLET)
    app.locator("[data-testid=order-widget]").wait_for()
    assert "分享链接" in app.locator("[data-testid=widget-evidence]").inner_text()
    assert "处理中：" in app.locator("[data-testid=widget-dispute]").inner_text()
    overflow = app.locator("html").evaluate("e => e.scrollWidth - e.clientWidth")
    assert overflow <= 0
    screenshot(page, "console-order-widget-zh-Hans-820")


def test_an_order_nobody_referred_and_no_order(browser: Browser):
    build_money(withdrawals=False, disputes=False)
    page, app = open_widget(browser, saleor_order_id())
    empty = app.locator("[data-testid=state-empty]")
    empty.wait_for()
    assert "Not a referred order" in empty.inner_text()
    screenshot(page, "console-order-widget-empty-en-1280")
    page, app = open_widget(browser, "")
    app.locator("[data-testid=state-empty]", has_text="Open this widget from an order's page").wait_for()


@pytest.mark.parametrize("locale", ["en", "zh-Hans"])
def test_staff_without_manage_orders_sees_a_refusal(browser: Browser, locale: str):
    shop = build_money(withdrawals=False)
    page, app = open_widget(browser, shop.orders["settled"], user="crm", locale=locale)
    refusal = app.locator("[data-testid=state-refusal]")
    refusal.wait_for()
    assert "MANAGE_ORDERS" in refusal.inner_text()
    assert app.locator("[data-testid=reassign]").count() == 0
    screenshot(page, f"console-order-widget-refusal-{locale}-1280")


def test_loading_then_error(browser: Browser):
    shop = build_money(withdrawals=False)
    held = []
    page = browser.page("/console/logo.png")
    page.route("**/graphql/", lambda route: held.append(route))
    page.goto(
        f"{browser.base}/dashboard/?"
        + urlencode({"page": "order-distribution", "orderId": shop.orders["settled"]})
    )
    app = page.frame_locator("iframe#app")
    app.locator("[data-testid=state-loading]").wait_for()
    screenshot(page, "console-order-widget-loading-en-1280")
    for route in held:
        route.fulfill(status=500, body="oops")
    app.locator("[data-testid=state-error]").wait_for()
    screenshot(page, "console-order-widget-error-en-1280")
