"""Storefronts and Official Accounts (NAVIGATION_CUSTOMERS), in real Chromium inside the sandbox's stand-in
of the Saleor dashboard: which storefront has which account and its status (authorized, unauthorized,
none, detached), search and filters, and the Open Platform authorization link opened end to end (the fake
WeChat's authorization page, the return, the binding completed by the console with its token).

Screenshots: ``test-artifacts/screenshots/console-storefronts-<state>-<locale>-<viewport>.png``.
"""

from __future__ import annotations

import pytest
from django.utils import timezone

from saleor_wechat_distribution.models import ComponentTicket, OfficialAccount, Storefront
from saleor_wechat_distribution.testing.factories import make_distributor

from .conftest import DESKTOP, TABLET, Browser, loading_then_error_then_retry, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CHANNEL = "default-channel"


def account(storefront: Storefront | None, app_id: str, name: str, status="active", mode="credentials"):
    return OfficialAccount.objects.create(
        storefront=storefront, app_id=app_id, name=name, mode=mode, status=status, service_type=2,
        verify_type=0,
    )  # fmt: skip


def seed() -> dict[str, Storefront]:
    brand = Storefront.objects.create(slug="brand", title="品牌官方商城 Brand", channel=CHANNEL)
    wang = Storefront.objects.create(
        distributor=make_distributor(name="王芳 Wang Fang"), slug="wangfang", title="王芳的小店",
        channel=CHANNEL,
    )  # fmt: skip
    li = Storefront.objects.create(
        distributor=make_distributor(name="李雷 Li Lei"), slug="lilei", title="李雷好物", channel=CHANNEL
    )
    account(brand, "wxbrandaccount001", "品牌服务号")
    account(wang, "wxwangfang000001", "王芳服务号", status="unauthorized", mode="component")
    account(None, "wxoldaccount0001", "旧公众号", status="detached")
    return {"brand": brand, "wang": wang, "li": li}


def open_storefronts(browser: Browser, *, user: str = "staff", locale: str = "en", viewport=DESKTOP):
    page = browser.page(f"/dashboard/?page=storefronts&user={user}&locale={locale}", viewport=viewport)
    return page, page.frame_locator("iframe#app")


def row(app, slug: str):
    return app.locator(f'[data-testid=storefront-row][data-slug="{slug}"]')


def test_each_storefront_with_its_account_and_status(browser: Browser):
    seed()
    page, app = open_storefronts(browser)
    app.locator("[data-testid=storefronts]").wait_for()
    assert app.locator("[data-testid=storefront-count]").inner_text() == "3 storefronts"
    statuses = {
        slug: row(app, slug).locator("[data-testid=account-status]").get_attribute("data-status")
        for slug in ("brand", "wangfang", "lilei")
    }
    assert statuses == {"brand": "active", "wangfang": "unauthorized", "lilei": "none"}
    brand = row(app, "brand").inner_text()
    assert "wxbrandaccount001" in brand and "Authorized" in brand
    assert "uses the brand's account" in row(app, "lilei").inner_text()
    assert "Authorize again" in row(app, "wangfang").inner_text()
    screenshot(page, "console-storefronts-list-en-1280")
    app.locator("[data-testid=filter-UNAUTHORIZED]").click()
    app.locator("[data-testid=storefront-count]", has_text="1 storefront").wait_for()
    assert app.locator("[data-testid=storefront-count]").inner_text() == "1 storefront"
    assert row(app, "wangfang").count() == 1
    app.locator("[data-testid=filter-DETACHED]").click()
    detached = app.locator('[data-testid=detached-row][data-app-id="wxoldaccount0001"]')
    detached.wait_for()
    assert "Detached" in detached.inner_text()
    screenshot(page, "console-storefronts-detached-en-1280")


def test_search_by_slug_or_title(browser: Browser):
    seed()
    page, app = open_storefronts(browser)
    app.locator("[data-testid=storefronts]").wait_for()
    search = app.locator("input[data-testid=search], [data-testid=search] input").first
    search.fill("lilei")
    app.locator("[data-testid=storefront-count]", has_text="1 storefront").wait_for()
    assert row(app, "lilei").count() == 1
    search.fill("王芳")
    app.locator("[data-testid=storefront-row][data-slug=wangfang]").wait_for()
    assert app.locator("[data-testid=storefront-row]").count() == 1
    search.fill("nothing-like-it")
    app.locator("[data-testid=state-empty]").wait_for()
    screenshot(page, "console-storefronts-search-empty-en-1280")


def test_open_the_authorization_link_and_bind_the_account(browser: Browser, wechat_world):
    shops = seed()
    mp = wechat_world.mp
    mp.add_account("wxlileinew000001", name="李雷的服务号")
    ticket = mp.push_verify_ticket()
    ComponentTicket.objects.update_or_create(
        component_app_id=mp.component_app_id, defaults={"ticket": ticket, "received_at": timezone.now()}
    )
    page, app = open_storefronts(browser)
    row(app, "lilei").locator("[data-testid=authorize]").click()
    link = app.locator("input[data-testid=authorization-url], [data-testid=authorization-url] input").first
    link.wait_for()
    url = link.input_value()
    assert url.startswith(mp.base_url + "/cgi-bin/componentloginpage?")
    assert f"component_appid={mp.component_app_id}" in url and "pre_auth_code=" in url
    screenshot(page, "console-storefronts-authorization-link-en-1280")
    with page.context.expect_page() as opened:
        app.locator("[data-testid=confirm-ok]").click()
    wechat = opened.value
    wechat.locator('[data-account="wxlileinew000001"]').click()  # the administrator authorizes
    wechat.locator("[data-testid=return-handed]").wait_for()
    screenshot(wechat, "console-storefronts-authorization-return-en-1280")
    result = app.locator("[data-testid=authorization-result]")
    result.wait_for()
    assert "“李雷好物” is now served by 李雷的服务号" in result.inner_text()
    bound = OfficialAccount.objects.get(storefront=shops["li"])
    assert (bound.app_id, bound.mode, bound.status) == ("wxlileinew000001", "component", "active")
    row(app, "lilei").locator("[data-testid=account-status][data-status=active]").wait_for()
    screenshot(page, "console-storefronts-authorized-en-1280")


def test_a_refused_link_is_said_in_the_dialog(browser: Browser):
    shops = seed()
    page, app = open_storefronts(browser)
    row(app, "lilei").wait_for()
    shops["li"].delete()  # removed meanwhile (by a colleague): WeChat is not even asked
    row(app, "lilei").locator("[data-testid=authorize]").click()
    error = app.locator("[data-testid=link-error]")
    error.wait_for()
    assert "No such storefront." in error.inner_text()
    assert app.locator("[data-testid=confirm-ok]").is_disabled()
    screenshot(page, "console-storefronts-authorization-error-en-1280")


def test_empty(browser: Browser):
    page, app = open_storefronts(browser)
    app.locator("[data-testid=state-empty]").wait_for()
    assert "No storefronts yet" in app.locator("[data-testid=state-empty]").inner_text()
    app.locator("[data-testid=filter-DETACHED]").click()
    app.locator("[data-testid=state-empty]", has_text="No detached accounts").wait_for()
    screenshot(page, "console-storefronts-empty-en-1280")


def test_staff_without_manage_users_sees_a_refusal(browser: Browser):
    seed()
    page, app = open_storefronts(browser, user="support")
    refusal = app.locator("[data-testid=state-refusal]")
    refusal.wait_for()
    assert "MANAGE_USERS" in refusal.inner_text()
    assert app.locator("[data-testid=storefronts]").count() == 0
    screenshot(page, "console-storefronts-refusal-en-1280")


def test_simplified_chinese_and_tablet(browser: Browser):
    seed()
    page, app = open_storefronts(browser, locale="zh-Hans", viewport=TABLET)
    app.locator("[data-testid=storefronts]").wait_for()
    assert app.locator("h1").inner_text() == "店铺与公众号"
    assert "已取消授权" in row(app, "wangfang").inner_text()
    assert "使用品牌公众号" in row(app, "lilei").inner_text()
    width = app.locator("[data-testid=storefronts]").evaluate("t => t.getBoundingClientRect().width")
    assert width <= TABLET["width"]
    screenshot(page, "console-storefronts-list-zh-Hans-820")
    page2, app2 = open_storefronts(browser, user="support", locale="zh-Hans")
    app2.locator("[data-testid=state-refusal]").wait_for()
    assert "管理客户" in app2.locator("[data-testid=state-refusal]").inner_text()
    screenshot(page2, "console-storefronts-refusal-zh-Hans-1280")


def test_loading_then_error_then_retry(browser: Browser):
    seed()
    _page, app, _ = loading_then_error_then_retry(
        browser, "/dashboard/?page=storefronts", "console-storefronts"
    )
    app.locator("[data-testid=storefronts]").wait_for()


def test_the_return_page_opened_on_its_own_says_what_to_do(browser: Browser):
    """WeChat's redirect reaching a tab the console did not open: nothing to hand the code to; it says so."""
    page = browser.page("/console/storefronts/?authorizedStorefront=U3RvcmVmcm9udDox&auth_code=queryauthcode")
    page.locator("[data-testid=return-lost]").wait_for()
    assert "was not opened from the console" in page.locator("[data-testid=return-lost]").inner_text()
    assert not OfficialAccount.objects.exists()


def test_paging(browser: Browser):
    for n in range(23):
        Storefront.objects.create(
            distributor=make_distributor(name=f"店主 {n:02d}"), slug=f"shop-{n:02d}", title=f"店 {n:02d}",
            channel=CHANNEL,
        )  # fmt: skip
    page, app = open_storefronts(browser)
    app.locator("[data-testid=storefronts]").wait_for()
    assert app.locator("[data-testid=storefront-row]").count() == 20
    assert app.locator("[data-testid=paging-range]").inner_text() == "1–20 of 23"
    app.locator("[data-testid=page-next]").click()
    app.locator("[data-testid=paging-range]", has_text="21–23 of 23").wait_for()
    assert row(app, "shop-00").count() == 1, "the oldest is on the last page"
    screenshot(page, "console-storefronts-page2-en-1280")
    app.locator("[data-testid=filter-NONE]").click()  # another view starts again from its first page
    app.locator("[data-testid=paging-range]", has_text="1–20 of 23").wait_for()
