"""The distributor center's skeleton on a phone: WeChat's browser (its user agent), WeUI, zh-Hans first
with an English switch, WeChat's JS-SDK bundled (loaded from our origin inside WeChat only), and a first
load within the issue's budget of 150 KB of JS and CSS, gzipped.

Screenshots: ``test-artifacts/screenshots/center-<page>-<locale>-390.png``.
"""

from __future__ import annotations

import gzip
import re

import pytest

from saleor_wechat_distribution.center.http import STATIC

from .conftest import PHONE, WECHAT_UA, Browser, screenshot

FIRST_LOAD_BUDGET = 150 * 1024


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_center_in_wechat_on_a_phone(browser: Browser):
    page = browser.page("/center/", viewport=PHONE, user_agent=WECHAT_UA, locale="zh-CN")
    signin = page.locator("[data-testid=center-signin]")
    signin.wait_for()
    assert page.locator("html").get_attribute("lang") == "zh-Hans"
    assert "请从店铺进入分销中心" in signin.inner_text()
    assert page.title() == "分销中心"
    # WeUI's look: its stylesheet is applied (the message page's title style)
    weight = page.locator(".weui-msg__title").evaluate("e => getComputedStyle(e).fontWeight")
    assert int(weight) >= 500
    page.wait_for_function("document.documentElement.dataset.wechatSdk === 'loaded'")
    sdk = [r.url for r in browser.requests if "weixin-js-sdk" in r.url]
    assert sdk and all(url.startswith(browser.base + "/center/assets/") for url in sdk)
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, "fits the phone's width"
    screenshot(page, "center-signin-zh-Hans-390")

    page.locator("[data-testid=language-switch] label[for=lang-en]").click()
    page.locator("text=Open the distributor center from your storefront").wait_for()
    assert page.locator("html").get_attribute("lang") == "en"
    screenshot(page, "center-signin-en-390")
    page.reload()  # the choice is remembered
    page.locator("text=Open the distributor center from your storefront").wait_for()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_center_outside_wechat_does_not_load_the_sdk(browser: Browser):
    page = browser.page("/center/?lang=en", viewport=PHONE)
    page.locator("[data-testid=center-signin]").wait_for()
    assert page.locator("html").get_attribute("lang") == "en"
    page.wait_for_timeout(300)
    assert not [r for r in browser.requests if "weixin-js-sdk" in r.url]


def test_first_load_fits_the_budget():
    """What WeChat's browser loads first: the page, its stylesheet and scripts, and the JS-SDK chunk."""
    html = (STATIC / "index.html").read_text()
    referenced = re.findall(r'(?:src|href)="\./(assets/[^"]+\.(?:js|css))"', html)
    assert referenced, html
    files = {STATIC / name for name in referenced} | set((STATIC / "assets").glob("weixin-js-sdk-*.js"))
    total = sum(len(gzip.compress(path.read_bytes(), 9)) for path in files)
    total += len(gzip.compress(html.encode(), 9))
    assert total < FIRST_LOAD_BUDGET, f"{total} bytes gzipped"
