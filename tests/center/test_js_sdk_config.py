"""``jsSdkConfig``: the JS-SDK signature of a page with the account's ticket, fetched through wechatpy from
the fake WeChat, kept in the cache like access tokens and fetched once under the token lock."""

from __future__ import annotations

import hashlib

import pytest
from django.core.cache import cache

from saleor_wechat_distribution.conf import get_official_account_gateway
from saleor_wechat_distribution.models import OfficialAccount
from saleor_wechat_distribution.services.center_jssdk import js_sdk_config
from saleor_wechat_distribution.services.official_accounts import account_credentials
from saleor_wechat_distribution.testing.concurrency import run_concurrently
from saleor_wechat_distribution.wechat.mp import CacheSessionStorage

from .conftest import BRAND_APP, SHOP_APP

CONFIG = """
query($url: String!, $s: String, $app: String) {
  jsSdkConfig(url: $url, storefront: $s, appId: $app) { appId timestamp nonceStr signature url }
}"""
PAGE = "https://shop.example.com/products/p1/?ref=ABC#share"


def wechat_signature(ticket: str, answer: dict) -> str:
    """WeChat's documented algorithm, written out again here."""
    fields = f"noncestr={answer['nonceStr']}&timestamp={answer['timestamp']}&url={answer['url']}"
    text = f"jsapi_ticket={ticket}&{fields}"
    return hashlib.sha1(text.encode()).hexdigest()


def config(gql, url: str = PAGE, **variables) -> dict:
    return gql(CONFIG, {"url": url, **variables})


def test_the_signature_follows_wechats_algorithm_with_the_accounts_ticket(gql, shop, mp):
    answer = config(gql, s="xiaowang")["data"]["jsSdkConfig"]
    assert answer["appId"] == SHOP_APP and answer["url"] == "https://shop.example.com/products/p1/?ref=ABC"
    assert answer["signature"] == wechat_signature(mp.web.current_ticket(SHOP_APP), answer)
    assert len(answer["nonceStr"]) == 16 and answer["nonceStr"].isalnum()
    # the center's own pages (the host serving the request) and the brand's account by app id
    own = config(gql, "http://testserver/center/?s=xiaowang", app=BRAND_APP)["data"]["jsSdkConfig"]
    assert own["appId"] == BRAND_APP and own["signature"] == wechat_signature(
        mp.web.current_ticket(BRAND_APP), own
    )


def test_the_ticket_is_fetched_once_and_shared_through_the_cache(gql, shop, mp):
    for _ in range(3):
        assert config(gql, s="xiaowang")["data"]["jsSdkConfig"]["appId"] == SHOP_APP
    assert mp.web.ticket_fetches[SHOP_APP] == 1 and mp.token_fetches[SHOP_APP] == 1
    key = CacheSessionStorage.prefix + f"{SHOP_APP}_jsapi_ticket"
    assert cache.get(key) == mp.web.current_ticket(SHOP_APP)
    # the ticket leaves the cache with the account's tokens (detached, unauthorized)
    get_official_account_gateway().forget_tokens(SHOP_APP)
    config(gql, s="xiaowang")
    assert mp.web.ticket_fetches[SHOP_APP] == 2


@pytest.mark.parametrize("break_tokens", ["expire_tokens", "revoke_tokens"])  # 42001, 40001
def test_a_refused_access_token_is_refreshed_once_and_the_ticket_call_retried(gql, shop, mp, break_tokens):
    config(gql, s="xiaowang")  # a token in the cache
    get_official_account_gateway().forget_tokens(SHOP_APP)
    CacheSessionStorage().set(
        f"{SHOP_APP}_access_token", next(iter(t for t, (a, _) in mp.tokens.items() if a == SHOP_APP))
    )
    getattr(mp, break_tokens)(SHOP_APP)
    answer = config(gql, s="xiaowang")["data"]["jsSdkConfig"]
    assert answer["signature"] == wechat_signature(mp.web.current_ticket(SHOP_APP), answer)
    assert mp.calls["ticket.getticket"] == 3  # first; refused; retried once
    assert mp.token_fetches[SHOP_APP] == 2


@pytest.mark.parametrize(
    ("setup", "code"),
    [
        (lambda mp: mp.web.quota.__setitem__(SHOP_APP, 0), "WECHAT_ERROR"),  # 45009
        (lambda mp: setattr(mp.web, "busy_ticket_fetches", 1), "WECHAT_ERROR"),  # -1
        (lambda mp: mp.refuse_every_token.add(SHOP_APP), "WECHAT_ERROR"),  # 40001 after the refresh too
        (lambda mp: mp.stop(), "WECHAT_UNAVAILABLE"),
    ],
    ids=["quota", "busy", "broken-account", "unreachable"],
)
def test_wechats_refusals_are_coded_errors(gql, shop, mp, setup, code):
    setup(mp)
    result = config(gql, s="xiaowang")
    assert result["data"]["jsSdkConfig"] is None
    assert result["errors"][0]["extensions"]["exception"]["code"] == code
    assert cache.get(CacheSessionStorage.prefix + f"{SHOP_APP}_jsapi_ticket") is None


def test_only_pages_on_the_storefronts_domains_are_signed(gql, shop, mp):
    cases = {
        "https://evil.example.net/steal": "URL_NOT_ALLOWED",
        "https://shop.example.com.evil.net/": "URL_NOT_ALLOWED",
        "javascript:alert(1)": "INVALID",
        "https://shop.example.com/中文": "INVALID",
    }
    for url, code in cases.items():
        result = config(gql, url, s="xiaowang")
        assert result["errors"][0]["extensions"]["exception"]["code"] == code, url
    assert mp.calls["ticket.getticket"] == 0  # refused before WeChat is asked
    assert config(gql, s="no-such-shop")["errors"][0]["extensions"]["exception"]["code"] == "NOT_FOUND"
    unknown = config(gql, app="wxunknown00000001")["errors"][0]["extensions"]["exception"]["code"]
    assert unknown == "ACCOUNT_NOT_BOUND"
    assert config(gql)["errors"][0]["extensions"]["exception"]["code"] == "REQUIRED"


def test_more_domains_from_the_hosts_settings(gql, shop, mp, settings):
    url = "https://m.brand.example.org/p/1"
    assert config(gql, url, s="xiaowang")["errors"][0]["extensions"]["exception"]["code"] == "URL_NOT_ALLOWED"
    settings.WECHAT_DISTRIBUTION_WEB_DOMAINS = ["m.brand.example.org"]
    assert config(gql, url, s="xiaowang")["data"]["jsSdkConfig"]["url"] == url


def test_a_storefront_without_its_own_account_signs_with_the_brands(gql, shop, mp):
    OfficialAccount.objects.filter(app_id=SHOP_APP).update(status=OfficialAccount.Status.DETACHED)
    assert config(gql, s="xiaowang")["data"]["jsSdkConfig"]["appId"] == BRAND_APP


def test_many_processes_fetch_a_missing_ticket_once(transactional_db, mp, shop):
    account = OfficialAccount.objects.get(app_id=SHOP_APP)

    def call() -> str:
        return js_sdk_config(url=PAGE, storefront=shop.storefront, request_host="testserver").app_id

    assert run_concurrently([call] * 8) == [SHOP_APP] * 8
    assert mp.web.ticket_fetches[SHOP_APP] == 1 and mp.token_fetches[SHOP_APP] == 1
    assert get_official_account_gateway().jsapi_ticket(account_credentials(account)) == mp.web.current_ticket(
        SHOP_APP
    )
