"""CUSTOMER_DETAILS_WIDGETS: the customer widget in real Chromium, framed by the sandbox's stand-in of the
dashboard with the customer's Saleor id (``customerId``), as the dashboard's AppWidgets passes it.

Screenshots: ``test-artifacts/screenshots/console-customer-widget-<state>-<locale>-<width>.png``.
"""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from graphql_relay import to_global_id

from saleor_wechat_distribution.domain.distributors import DistributorStatus
from saleor_wechat_distribution.models import CustomerBinding, WeChatIdentity
from saleor_wechat_distribution.testing.factories import make_distributor

from .conftest import TABLET, Browser, loading_then_error_then_retry, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

BUYER = 424242


def open_widget(
    browser: Browser, user_id: int | None, *, user: str = "staff", locale: str = "en", viewport=None
):
    customer = f"&customerId={to_global_id('User', user_id)}" if user_id is not None else ""
    path = f"/dashboard/?page=customer-distribution&user={user}&locale={locale}{customer}"
    page = browser.page(path, **({"viewport": viewport} if viewport else {}))
    return page, page.frame_locator("iframe#app")


def test_the_widget_is_in_the_manifest_for_saleor_3_22(client):
    manifest = client.get("/app/manifest.json").json()
    widget = next(e for e in manifest["extensions"] if e["mount"] == "CUSTOMER_DETAILS_WIDGETS")
    assert widget["target"] == "WIDGET" and widget["permissions"] == ["MANAGE_USERS"]
    assert widget["url"].endswith("/customer-distribution/")


def test_a_bound_customer_and_since_when(browser: Browser):
    wang = make_distributor(name="王芳 Wang Fang")
    west = make_distributor(name="华西区域经销商 West China")
    now = timezone.now()
    WeChatIdentity.objects.create(app_id="wxshop", openid="o-buyer", user_id=BUYER)
    CustomerBinding.objects.create(
        channel="default-channel", customer_key=f"user:{BUYER}", distributor=wang, source="qr",
        code=wang.referral_code, bound_at=now - timedelta(days=12), expires_at=now + timedelta(days=18),
        protected_until=now,
    )  # fmt: skip
    CustomerBinding.objects.create(
        channel="wechat-channel", customer_key="wx:wxshop:o-buyer", distributor=west, source="link",
        bound_at=now - timedelta(days=40), expires_at=now - timedelta(days=10), protected_until=now,
    )  # fmt: skip
    page, app = open_widget(browser, BUYER)
    bindings = app.locator("[data-testid=widget-binding]")
    bindings.first.wait_for()
    assert bindings.count() == 2
    older, newer = bindings.nth(0), bindings.nth(1)
    assert "华西区域经销商 West China" in older.inner_text() and "expired" in older.inner_text()
    assert (
        older.get_attribute("data-active") == "false"
        and "through their WeChat identity" in older.inner_text()
    )
    assert "王芳 Wang Fang" in newer.inner_text() and "How: QR code" in newer.inner_text()
    zone = app.locator("body").evaluate("() => Intl.DateTimeFormat().resolvedOptions().timeZone")
    since = (now - timedelta(days=12)).astimezone(ZoneInfo(zone)).strftime("%-d %b %Y")
    assert since in newer.locator("[data-testid=widget-bound-since]").inner_text()
    assert app.locator("[data-testid=widget-distributor]").count() == 0
    screenshot(page, "console-customer-widget-bound-en-1280")


def test_a_customer_who_is_a_distributor(browser: Browser):
    from saleor_wechat_distribution.testing.factories import customer

    node = make_distributor(principal=customer(user_id=BUYER), name="李娜 Li Na")
    page, app = open_widget(browser, BUYER, locale="zh-Hans")
    card = app.locator("[data-testid=widget-distributor]")
    card.wait_for()
    assert "该客户是分销商" in card.inner_text() and "正常" in card.inner_text()
    assert node.referral_code in card.inner_text()
    assert "起" in app.locator("[data-testid=widget-since]").inner_text()
    screenshot(page, "console-customer-widget-distributor-zh-Hans-1280")


def test_a_pending_applicant_shows_when_they_applied(browser: Browser):
    from saleor_wechat_distribution.testing.factories import customer

    make_distributor(
        principal=customer(user_id=BUYER), name="陈静 Chen Jing", status=DistributorStatus.PENDING
    )
    _page, app = open_widget(browser, BUYER)
    app.locator("[data-testid=widget-status]", has_text="Pending").wait_for()
    assert app.locator("[data-testid=widget-since]").inner_text().startswith("Applied ")


def test_not_part_of_the_program(browser: Browser):
    page, app = open_widget(browser, BUYER, viewport=TABLET)
    empty = app.locator("[data-testid=state-empty]")
    empty.wait_for()
    assert "Not part of the program" in empty.inner_text()
    screenshot(page, "console-customer-widget-empty-en-820")
    page, app = open_widget(browser, BUYER, locale="zh-Hans")
    app.locator("[data-testid=state-empty]", has_text="未参与分销").wait_for()
    screenshot(page, "console-customer-widget-empty-zh-Hans-1280")


def test_opened_without_a_customer(browser: Browser):
    _page, app = open_widget(browser, None)
    app.locator("[data-testid=state-empty]", has_text="Open this from a customer's page.").wait_for()


def test_staff_without_manage_users_sees_a_refusal(browser: Browser):
    page, app = open_widget(browser, BUYER, user="support")
    refusal = app.locator("[data-testid=state-refusal]")
    refusal.wait_for()
    assert "MANAGE_USERS" in refusal.inner_text()
    screenshot(page, "console-customer-widget-refusal-en-1280")


def test_loading_then_error_then_retry(browser: Browser):
    _page, app, _ = loading_then_error_then_retry(
        browser,
        f"/dashboard/?page=customer-distribution&customerId={to_global_id('User', BUYER)}",
        "console-customer-widget",
    )
    app.locator("[data-testid=state-empty]").wait_for()
