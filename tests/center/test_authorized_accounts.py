"""Accounts bound through the Open Platform (第三方平台): their JS-SDK ticket comes through the authorizer's
token (refreshed from the sealed refresh token when it expires), and sign-in uses the component variant
of web OAuth, userinfo included."""

# ruff: noqa: F811 - pytest fixtures imported by name
from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from saleor_wechat_distribution.conf import get_official_account_gateway
from saleor_wechat_distribution.models import WeChatIdentity
from saleor_wechat_distribution.sandbox.tokens import principal_from_token
from tests.storefronts.test_component import AUTH_APP, authorized  # noqa: F401 - fixture

from .test_js_sdk_config import wechat_signature

CONFIG = """{ jsSdkConfig(url: "https://shop.example.com/p/1", storefront: "xiaowang") {
  appId timestamp nonceStr signature url } }"""
URL = """{ centerOAuthUrl(storefront: "xiaowang", redirectUri: "https://shop.example.com/center/",
  scope: USERINFO) }"""
SIGN_IN = """mutation($code: String!) { centerSignIn(storefront: "xiaowang", code: $code) {
  token nickname errors { code } } }"""


def test_the_ticket_of_an_authorized_account(gql, shop, mp, authorized):
    answer = gql(CONFIG)["data"]["jsSdkConfig"]
    assert answer["appId"] == AUTH_APP
    assert answer["signature"] == wechat_signature(mp.web.current_ticket(AUTH_APP), answer)
    assert mp.calls["component.authorizer_token"] == 0  # the token from the authorization itself
    # the authorizer token expires and the ticket is gone: refreshed once, ticket fetched again
    mp.expire_tokens(AUTH_APP)
    mp.web.expire_tickets(AUTH_APP)
    get_official_account_gateway().forget_tokens(AUTH_APP)
    assert gql(CONFIG)["data"]["jsSdkConfig"]["appId"] == AUTH_APP
    assert mp.calls["component.authorizer_token"] == 1 and mp.web.ticket_fetches[AUTH_APP] == 2


def test_sign_in_through_an_authorized_account(gql, shop, mp, authorized):
    query = parse_qs(urlsplit(gql(URL)["data"]["centerOAuthUrl"]).query)
    assert query["appid"] == [AUTH_APP] and query["component_appid"] == [mp.component_app_id]
    assert query["scope"] == ["snsapi_userinfo"]
    code = mp.web.oauth_code(AUTH_APP, "o-auth", scope="snsapi_userinfo", nickname="阿强")
    answer = gql(SIGN_IN, {"code": code})["data"]["centerSignIn"]
    assert answer["errors"] == [] and answer["nickname"] == "阿强"
    user_id = principal_from_token(answer["token"]).user_id
    assert WeChatIdentity.objects.get(app_id=AUTH_APP, openid="o-auth").user_id == user_id
    assert mp.calls["oauth.component_access_token"] == 1 and mp.calls["sns.userinfo"] == 1
