"""The sandbox's simulated WeChat (``sandbox/simulated_wechat.py``): the fakes started in-process, the
brand's storefront bound to the simulated account, payouts through the simulated merchant, the demo
people as personas linked to their accounts; and the simulated WeChat's own pages (authorization,
确认收款) answer as WeChat would."""

from __future__ import annotations

import urllib.error
import urllib.request
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from django.conf import settings

from saleor_wechat_distribution.models import ChannelProgram, OfficialAccount, WeChatIdentity
from saleor_wechat_distribution.sandbox import simulated_wechat
from saleor_wechat_distribution.sandbox.seed import seed_demo_network, seed_demo_storefronts


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def fetch(url: str, cookie: str = "") -> tuple[int, str, dict]:
    opener = urllib.request.build_opener(_NoRedirect)
    request = urllib.request.Request(url, headers={"Cookie": cookie} if cookie else {})
    try:
        with opener.open(request, timeout=10) as answer:
            return answer.status, answer.read().decode(), dict(answer.headers)
    except urllib.error.HTTPError as answer:
        return answer.code, answer.read().decode(), dict(answer.headers)


@pytest.fixture
def simulated(db, settings):
    # start() writes these settings; set through the fixture first, they are restored afterwards
    for name in (
        "WECHAT_DISTRIBUTION_API_BASE_URL",
        "WECHAT_DISTRIBUTION_OAUTH_BASE_URL",
        "WECHAT_DISTRIBUTION_PAYOUTS",
        "WECHAT_DISTRIBUTION_QR_IMAGE_BASE_URL",
        "WECHAT_DISTRIBUTION_COUPONS",
    ):
        setattr(settings, name, None)
    seed_demo_network()
    seed_demo_storefronts()
    wechat = simulated_wechat.start(public_url="http://127.0.0.1:8163/")
    yield wechat
    wechat.mp.stop()
    wechat.pay.stop()
    simulated_wechat._running = None


def test_the_demo_world_is_bound_to_the_simulated_wechat(simulated):
    account = OfficialAccount.objects.get(app_id=simulated_wechat.BRAND_APP)
    assert account.storefront.slug == "brand-store" and account.status == "active"
    program = ChannelProgram.objects.get(channel="default-channel")
    assert program.payout_app_id == simulated_wechat.BRAND_APP
    assert simulated.mp.base_url + "/" == settings.WECHAT_DISTRIBUTION_API_BASE_URL
    assert settings.WECHAT_DISTRIBUTION_PAYOUTS["*"]["v3"]["notify_url"].endswith(
        "/wechatpay/default-channel/notify/"
    )
    wang = simulated.mp.web.app.personas["user201"]
    identity = WeChatIdentity.objects.get(
        app_id=simulated_wechat.BRAND_APP, openid=wang.openid(simulated_wechat.BRAND_APP)
    )
    assert identity.user_id == 201 and identity.unionid == wang.unionid
    assert simulated_wechat.running() is simulated and "transferPage" in simulated.page_config
    # a second start (the sandbox started again) binds the same account again, nothing doubled
    again = simulated_wechat.start(public_url="http://127.0.0.1:8163/")
    assert OfficialAccount.objects.filter(app_id=simulated_wechat.BRAND_APP).count() == 1
    again.mp.stop()
    again.pay.stop()


def test_authorization_asks_who_holds_the_phone_then_redirects_with_a_code(simulated):
    authorize = simulated.mp.base_url + "/connect/oauth2/authorize?" + urlencode({
        "appid": simulated_wechat.BRAND_APP, "redirect_uri": "http://127.0.0.1:8163/center/?s=brand-store",
        "response_type": "code", "scope": "snsapi_base", "state": "s1",
    })  # fmt: skip
    status, page, _ = fetch(authorize)
    assert status == 200 and 'data-persona="user201"' in page and 'data-persona="new"' in page
    status, _, headers = fetch(authorize + "&as=user201")
    assert status == 302 and "fake_wechat_user=user201" in headers["Set-Cookie"]
    query = parse_qs(urlsplit(headers["Location"]).query)
    assert query["s"] == ["brand-store"] and query["state"] == ["s1"] and query["code"]
    # remembered: silent next time; userinfo asks once
    assert fetch(authorize, cookie="fake_wechat_user=user201")[0] == 302
    userinfo = authorize.replace("snsapi_base", "snsapi_userinfo")
    status, page, _ = fetch(userinfo, cookie="fake_wechat_user=user201")
    assert status == 200 and 'data-testid="allow"' in page
    assert fetch(userinfo + "&allow=1", cookie="fake_wechat_user=user201")[0] == 302
    assert fetch(userinfo, cookie="fake_wechat_user=user201")[0] == 302
    # WeChat's own refusals
    assert fetch(authorize.replace(simulated_wechat.BRAND_APP, "wxunknown"))[0] == 400
    assert fetch(authorize.replace("snsapi_base", "snsapi_all"))[0] == 400


def test_the_transfer_page_refuses_unknown_packages(simulated):
    status, page, _ = fetch(simulated.pay.base_url + "/fake/merchant-transfer?package=nope")
    assert status == 404 and "nothing to confirm" in page
