"""The distributor center end to end in Chromium on a phone (390x844, WeChat's user agent) against the
sandbox on gunicorn and the fake WeChat: sign-in through the (fake) WeChat authorization, applying,
home, sharing (the JS-SDK calls recorded by a stand-in ``wx``, the signature checked with WeChat's
algorithm against the fake's ticket), curating the store, orders and commissions, the team, and a
withdrawal through to WeChat Pay's confirmation call; both languages; loading, empty and error states.

Screenshots: ``test-artifacts/screenshots/center-<page>-<state>-<locale>-390.png``.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from playwright.sync_api import expect

from saleor_wechat_distribution.models import Distributor, Storefront, WeChatIdentity, Withdrawal
from saleor_wechat_distribution.ports import SYSTEM
from saleor_wechat_distribution.services.distributors import distributor_approve, distributor_reject

from .center_world import WX_STUB, CenterShop, build_shop, js_sdk_signature
from .conftest import PHONE, WECHAT_UA, Browser, screenshot
from .wechat_world import CENTER_APP

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def shop(browser: Browser, wechat_world, sandbox_server) -> CenterShop:
    return build_shop(wechat_world, sandbox_server)


def open_center(browser: Browser, path: str, persona: str, *, locale: str = "zh-CN", shot: str = ""):
    """Open the center in WeChat: WeChat's authorization asks who holds the phone, then comes back."""
    page = browser.page(path, viewport=PHONE, user_agent=WECHAT_UA, locale=locale, init_script=WX_STUB)
    page.locator("[data-testid=fake-wechat]").wait_for()
    if shot:
        screenshot(page, shot)
    page.locator(f"[data-persona={persona}]").click()
    page.locator("#app[data-signed-in=yes]").wait_for(state="attached")
    return page


def calls(page, name: str) -> list[dict]:
    return [options for called, options in page.evaluate("window.__wxCalls") if called == name]


def fits(page) -> None:
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, "fits the phone's width"


def test_a_newcomer_signs_in_with_wechat_and_applies(browser: Browser, shop: CenterShop):
    page = open_center(
        browser, shop.url(f"&ref={shop.wang.referral_code}"), "new", shot="center-signin-wechat-zh-Hans-390"
    )
    page.locator("[data-testid=screen-apply]").wait_for()
    assert page.locator("#apply-inviter").input_value() == shop.wang.referral_code
    terms = page.locator("[data-testid=terms]").inner_text()
    assert "10%" in terms and "3%" in terms and "加入免费" in terms
    fits(page)
    screenshot(page, "center-apply-form-zh-Hans-390")
    page.locator("#apply-name").fill("小明的店")
    page.locator("[data-action=apply]").click()
    page.locator("[data-testid=application-pending]").wait_for()
    screenshot(page, "center-apply-pending-zh-Hans-390")
    applicant = Distributor.objects.get(display_name="小明的店")
    assert applicant.status == "pending" and applicant.parent_path == shop.wang.path
    identity = WeChatIdentity.objects.get(app_id=CENTER_APP, user_id=applicant.user_id)
    assert identity.openid.startswith("o")
    distributor_reject(actor=SYSTEM, distributor_id=applicant.pk, reason="请补充营业执照")
    page.reload()
    page.locator("[data-testid=application-rejected]").wait_for()
    assert "请补充营业执照" in page.locator("[data-testid=application-rejected]").inner_text()
    screenshot(page, "center-apply-rejected-zh-Hans-390")
    # applying again, approved: an empty home (no commissions yet)
    page.locator("[data-action=again]").click()
    page.locator("[data-action=apply]").click()
    page.locator("[data-testid=application-pending]").wait_for()
    distributor_approve(actor=SYSTEM, distributor_id=applicant.pk)
    page.reload()
    page.locator("[data-testid=screen-home] [data-testid=state-empty]").wait_for()
    screenshot(page, "center-home-empty-zh-Hans-390")


def test_home_share_store_orders_and_team(browser: Browser, shop: CenterShop):
    page = open_center(browser, shop.url(), "wang")
    page.locator("[data-testid=screen-home]").wait_for()
    assert page.locator("[data-testid=available]").inner_text() == "¥280.00"  # 80.00 settled + 200.00
    assert page.locator("[data-testid=frozen]").inner_text() == "¥42.00"
    assert "待订单送达" in page.locator("[data-testid=releases]").inner_text()
    assert page.locator("[data-testid=team-size]").inner_text() == "2"
    reasons = page.locator("[data-testid=commission]").evaluate_all("els => els.map(e => e.dataset.reason)")
    assert sorted(set(reasons)) == ["AVAILABLE", "AWAITING_FULFILMENT", "FROZEN_UNTIL"]
    fits(page)
    screenshot(page, "center-home-zh-Hans-390")

    # share: the JS-SDK signed for this page by the account's ticket, share data carrying my code
    page.locator("[data-testid=tab-share]").click()
    page.locator("[data-testid=share-product]").first.wait_for()
    page.locator("[data-testid=share-product] [data-action=share]").first.click()
    page.locator("[data-testid=share-status][data-state=ready]").wait_for()
    (config,) = calls(page, "config")
    url = page.url.split("#")[0]
    assert config["appId"] == CENTER_APP and "updateTimelineShareData" in config["jsApiList"]
    assert config["signature"] == js_sdk_signature(shop.world.mp.web.current_ticket(CENTER_APP), config, url)
    (timeline,) = calls(page, "updateTimelineShareData")
    (friend,) = calls(page, "updateAppMessageShareData")
    assert f"ref={shop.wang.referral_code}" in timeline["link"] and timeline["link"] == friend["link"]
    assert timeline["title"] == friend["title"] and friend["desc"] and friend["imgUrl"].endswith(".png")
    assert shop.wang.referral_code in page.locator("[data-testid=my-link]").inner_text()
    screenshot(page, "center-share-zh-Hans-390")
    page.locator("[data-testid=share-product] [data-action=poster]").first.click()
    poster = page.locator("[data-testid=poster] img")
    poster.wait_for()
    expect(poster).to_have_js_property("complete", True)
    assert poster.evaluate("img => img.naturalWidth") > 0
    screenshot(page, "center-share-poster-zh-Hans-390")
    page.locator("[data-testid=poster] [data-action=close]").click()

    # my store: search the catalog, add, move, remove; the preview shows the order
    page.locator("[data-testid=tab-store]").click()
    page.locator("[data-testid=pick]").first.wait_for()
    page.locator("[data-testid=search]").fill("电饭煲")
    page.locator("[data-testid=search]").press("Enter")
    page.locator("[data-testid=result] [data-action=add]").click()
    expect(page.locator("[data-testid=pick]")).to_have_count(3)
    assert Storefront.objects.get(slug="wangfang").product_ids == [
        "fridge-bcd-520",
        "kettle-sw-15",
        "rice-cooker-40",
    ]
    page.locator("[data-testid=pick][data-product=rice-cooker-40] [data-action=up]").click()
    expect(page.locator("[data-testid=pick]").nth(1)).to_have_attribute("data-product", "rice-cooker-40")
    page.locator("[data-testid=pick][data-product=kettle-sw-15] [data-action=remove]").click()
    expect(page.locator("[data-testid=pick]")).to_have_count(2)
    assert Storefront.objects.get(slug="wangfang").product_ids == ["fridge-bcd-520", "rice-cooker-40"]
    page.locator("[data-action=preview]").click()
    screenshot(page, "center-store-zh-Hans-390")

    page.goto(shop.base + shop.url(route="orders"))
    page.locator("[data-testid=screen-orders] [data-testid=commission]").first.wait_for()
    assert "冻结至" in page.locator("[data-testid=screen-orders]").inner_text()
    screenshot(page, "center-orders-commissions-zh-Hans-390")
    page.locator("[data-testid=tab-orders]").click()
    page.locator("[data-testid=order]").first.wait_for()
    assert page.locator("[data-testid=order]").count() == 3
    screenshot(page, "center-orders-orders-zh-Hans-390")

    page.locator("[data-back], .wd-back").first.click()
    page.locator("[data-testid=tab-team]").click()
    page.locator("[data-testid=member]").first.wait_for()
    assert page.locator("[data-testid=member]").all_inner_texts()[0].startswith("李**")
    assert "Li Na" not in page.content()
    screenshot(page, "center-team-zh-Hans-390")
    page.locator("[data-testid=level-2]").click()
    expect(page.locator("[data-testid=member]").first).to_contain_text("陈**")

    # the same screens in English
    for route, ready in (("home", "available"), ("share", "share-product"), ("store", "pick"),
                         ("orders", "commission"), ("team", "member"), ("withdraw", "rules")):  # fmt: skip
        page.goto(shop.base + shop.url("&lang=en", route))
        page.locator(f"[data-testid=screen-{route}] [data-testid={ready}]").first.wait_for()
        assert page.locator("html").get_attribute("lang") == "en"
        screenshot(page, f"center-{route}-en-390")
    assert "Available" in page.locator("[data-testid=rules]").inner_text()


def test_withdraw_through_wechat_pays_confirmation(browser: Browser, shop: CenterShop):
    page = open_center(browser, shop.url(route="withdraw"), "wang")
    rules = page.locator("[data-testid=rules]")
    rules.wait_for()
    assert "¥280.00" in rules.inner_text() and "¥0.00" in rules.inner_text()  # available, fee
    screenshot(page, "center-withdraw-zh-Hans-390")
    page.locator("[data-testid=amount]").fill("100.00")
    page.locator("[data-action=withdraw]").click()
    page.locator("[data-testid=transfer-status][data-outcome=ok]").wait_for()
    withdrawal = Withdrawal.objects.get(distributor=shop.wang)
    assert withdrawal.status == Withdrawal.Status.WAIT_USER_CONFIRM and withdrawal.amount == Decimal("100.00")
    (transfer,) = calls(page, "requestMerchantTransfer")
    assert transfer == {
        "mchId": shop.world.pay.merchant.mchid, "appId": CENTER_APP, "package": withdrawal.package_info,
    }  # fmt: skip
    (config,) = calls(page, "config")
    assert config["signature"] == js_sdk_signature(
        shop.world.mp.web.current_ticket(CENTER_APP), config, page.url.split("#")[0]
    )
    screenshot(page, "center-withdraw-confirming-zh-Hans-390")
    # WeChat Pay tells us the user confirmed: paid; the page shows it
    shop.world.pay.user_confirms(withdrawal.out_bill_no)
    headers, body = shop.world.pay.transfer_notification(withdrawal.out_bill_no)
    answer = page.request.post(f"{shop.base}/wechatpay/default-channel/notify/", data=body, headers=headers)
    assert answer.ok
    withdrawal.refresh_from_db()
    assert withdrawal.status == Withdrawal.Status.PAID
    page.reload()
    page.locator("[data-testid=withdrawal][data-status=PAID]").wait_for()
    screenshot(page, "center-withdraw-paid-zh-Hans-390")


def test_loading_and_error_states(browser: Browser, shop: CenterShop):
    page = open_center(browser, shop.url(), "wang")
    page.locator("[data-testid=screen-home]").wait_for()
    page.route("**/graphql/", lambda route: None)  # held: never answered
    page.locator("[data-testid=tab-team]").click()
    page.locator("[data-testid=state-loading]").wait_for()
    screenshot(page, "center-team-loading-zh-Hans-390")
    page.unroute("**/graphql/")
    page.route("**/graphql/", lambda route: route.abort())
    page.locator("[data-testid=tab-share]").click()
    page.locator("[data-testid=state-error]").wait_for()
    assert "网络" in page.locator("[data-testid=state-error]").inner_text()
    screenshot(page, "center-share-error-zh-Hans-390")
    page.unroute("**/graphql/")
    page.locator("[data-testid=state-error] [data-action=retry]").click()
    page.locator("[data-testid=share-product]").first.wait_for()
