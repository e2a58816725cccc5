"""WeChat sign-in to the center: the OAuth code (from the fake WeChat) becomes the sandbox's customer token,
linked to the right customer; the token then works on the API like any other."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

from saleor_wechat_distribution import host
from saleor_wechat_distribution.domain.referrals import user_customer_key
from saleor_wechat_distribution.models import CustomerBinding, OfficialAccount, WeChatIdentity
from saleor_wechat_distribution.sandbox.sessions import wechat_user_id
from saleor_wechat_distribution.sandbox.tokens import principal_from_token
from saleor_wechat_distribution.testing.factories import customer

from .conftest import CHANNEL, SHOP_APP

URL = """
query($slug: String!, $redirect: String!, $scope: OAuthScopeEnum) {
  centerOAuthUrl(storefront: $slug, redirectUri: $redirect, state: "c1", scope: $scope)
}"""
SIGN_IN = """
mutation($slug: String!, $code: String!) {
  centerSignIn(storefront: $slug, code: $code) {
    token expiresIn nickname avatarUrl bound errors { field code message }
  }
}"""
ME = """{ myDistributor { displayName }
  centerApplication(channel: "default-channel") { status suggestedInviter { referralCode } } }"""


def sign_in(gql, code: str, principal=None, slug: str = "xiaowang") -> dict:
    return gql(SIGN_IN, {"slug": slug, "code": code}, principal)["data"]["centerSignIn"]


@pytest.mark.parametrize(("scope", "expected"), [("BASE", "snsapi_base"), ("USERINFO", "snsapi_userinfo")])
def test_the_authorize_url_asks_for_the_scope(gql, shop, scope, expected):
    url = gql(URL, {"slug": "xiaowang", "redirect": "https://shop.example.com/center/", "scope": scope})
    query = parse_qs(urlsplit(url["data"]["centerOAuthUrl"]).query)
    assert query["appid"] == [SHOP_APP] and query["scope"] == [expected] and query["state"] == ["c1"]


def test_a_newcomer_gets_a_customer_token_and_the_same_customer_every_time(gql, shop, mp):
    answer = sign_in(gql, mp.web.oauth_code(SHOP_APP, "o-new"))
    assert answer["errors"] == [] and answer["bound"] is True and answer["nickname"] is None
    principal = principal_from_token(answer["token"])
    assert principal.user_id == wechat_user_id(SHOP_APP, "o-new") and answer["expiresIn"] > 0
    assert WeChatIdentity.objects.get(app_id=SHOP_APP, openid="o-new").user_id == principal.user_id
    # bound to the storefront's distributor, under the customer's own key
    binding = CustomerBinding.objects.get(customer_key=user_customer_key(principal.user_id), channel=CHANNEL)
    assert binding.distributor_id == shop.distributor.pk
    result = gql(ME, principal=principal)["data"]
    assert result["myDistributor"] is None and result["centerApplication"]["status"] is None
    assert result["centerApplication"]["suggestedInviter"]["referralCode"] == shop.distributor.referral_code
    again = sign_in(gql, mp.web.oauth_code(SHOP_APP, "o-new"))
    assert principal_from_token(again["token"]).user_id == principal.user_id


def test_userinfo_brings_the_nickname_and_avatar(gql, shop, mp):
    code = mp.web.oauth_code(
        SHOP_APP,
        "o-named",
        scope="snsapi_userinfo",
        nickname="小明",
        avatar="http://thirdwx.qlogo.cn/mmopen/a/132",
    )
    answer = sign_in(gql, code)
    assert (answer["nickname"], answer["avatarUrl"]) == ("小明", "https://thirdwx.qlogo.cn/mmopen/a/132")
    assert mp.calls["sns.userinfo"] == 1


def test_the_same_person_on_another_account_is_the_same_customer(gql, shop, mp):
    mp.follow(SHOP_APP, "o-shop", unionid="union-1")
    first = principal_from_token(sign_in(gql, mp.web.oauth_code(SHOP_APP, "o-shop"))["token"])
    mp.follow("wxbrand0000000001", "o-brand", unionid="union-1")
    second = principal_from_token(
        sign_in(gql, mp.web.oauth_code("wxbrand0000000001", "o-brand"), slug="brand-shop")["token"]
    )
    assert second.user_id == first.user_id


def test_a_signed_in_customer_keeps_their_account(gql, shop, mp):
    buyer = customer()
    answer = sign_in(gql, mp.web.oauth_code(SHOP_APP, "o-b"), buyer)
    assert principal_from_token(answer["token"]).user_id == buyer.user_id
    assert WeChatIdentity.objects.get(openid="o-b").user_id == buyer.user_id
    # someone else cannot take that WeChat account over
    taken = sign_in(gql, mp.web.oauth_code(SHOP_APP, "o-b"), customer())
    assert [e["code"] for e in taken["errors"]] == ["INVALID"] and taken["token"] is None


def test_refused_codes_and_missing_accounts_are_coded(gql, shop, mp, settings):
    code = mp.web.oauth_code(SHOP_APP, "o-x")
    assert sign_in(gql, code)["errors"] == []
    assert [e["code"] for e in sign_in(gql, code)["errors"]] == ["OAUTH_FAILED"]  # used
    assert [e["code"] for e in sign_in(gql, "not-a-code")["errors"]] == ["OAUTH_FAILED"]
    assert [e["code"] for e in sign_in(gql, "x" * 200)["errors"]] == ["INVALID"]
    assert [e["code"] for e in sign_in(gql, "c", slug="nope")["errors"]] == ["NOT_FOUND"]
    OfficialAccount.objects.update(status=OfficialAccount.Status.DETACHED)
    assert [e["code"] for e in sign_in(gql, mp.web.oauth_code(SHOP_APP, "o-y"))["errors"]] == [
        "ACCOUNT_NOT_BOUND"
    ]
    OfficialAccount.objects.update(status=OfficialAccount.Status.ACTIVE)
    mp.stop()
    assert [e["code"] for e in sign_in(gql, "any")["errors"]] == ["WECHAT_UNAVAILABLE"]


def test_a_host_without_customer_sessions_refuses_with_a_code(gql, shop, mp, settings):
    settings.WECHAT_DISTRIBUTION_CUSTOMER_SESSIONS = None
    host.update(customer_sessions=None)
    answer = sign_in(gql, mp.web.oauth_code(SHOP_APP, "o-z"))
    assert [e["code"] for e in answer["errors"]] == ["SIGN_IN_NOT_CONFIGURED"]
    assert not WeChatIdentity.objects.filter(openid="o-z").exists()
