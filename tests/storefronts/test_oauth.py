"""Web OAuth (snsapi_base) learns a visitor's openid; at login the identity is linked to the customer and
its bindings merge into the customer's."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from saleor_wechat_distribution.domain.referrals import (
    AttributionSource,
    identity_customer_key,
    user_customer_key,
)
from saleor_wechat_distribution.models import BindingChange, CustomerBinding, WeChatIdentity
from saleor_wechat_distribution.services.referrals import referral_touch
from saleor_wechat_distribution.testing.factories import customer, make_distributor
from tests.graphql.conftest import gql  # noqa: F401 - fixture

from .conftest import CHANNEL, SHOP_APP

URL = """
query($slug: String!, $redirect: String!, $state: String) {
  storefront(slug: $slug) { oauthUrl(redirectUri: $redirect, state: $state) }
}"""
COMPLETE = """
mutation($slug: String!, $code: String!) {
  wechatOAuthComplete(storefront: $slug, code: $code) {
    appId openid identityToken linked errors { field code }
  }
}"""
LINK = """
mutation($token: String!) {
  wechatIdentityLink(identityToken: $token) { appId openid errors { field code } }
}"""


def test_authorize_url_is_silent_snsapi_base_on_the_storefronts_account(gql, shop):  # noqa: F811
    url = gql(URL, {"slug": "xiaowang", "redirect": "https://shop.example.com/back?x=1", "state": "s-1"})
    parts = urlsplit(url["data"]["storefront"]["oauthUrl"])
    query = parse_qs(parts.query)
    assert parts.netloc == "open.weixin.qq.com" and parts.fragment == "wechat_redirect"
    assert query["appid"] == [SHOP_APP] and query["scope"] == ["snsapi_base"] and query["state"] == ["s-1"]
    assert query["redirect_uri"] == ["https://shop.example.com/back?x=1"]
    bad = gql(URL, {"slug": "xiaowang", "redirect": "javascript:alert(1)"})
    assert bad["errors"][0]["extensions"]["exception"]["code"] == "INVALID"
    bad = gql(URL, {"slug": "xiaowang", "redirect": "https://x.example.com/", "state": "<script>"})
    assert bad["errors"][0]["extensions"]["exception"]["code"] == "INVALID"


def test_visitor_then_login_merges_bindings(gql, shop, mp):  # noqa: F811
    code = mp.oauth_code(SHOP_APP, "o-visitor")
    mp.follow(SHOP_APP, "o-visitor", unionid="union-v")
    answer = gql(COMPLETE, {"slug": "xiaowang", "code": code})["data"]["wechatOAuthComplete"]
    assert answer["errors"] == [] and answer["openid"] == "o-visitor" and answer["linked"] is False
    identity = WeChatIdentity.objects.get(app_id=SHOP_APP, openid="o-visitor")
    assert identity.unionid == "union-v" and identity.user_id is None
    wx_key = identity_customer_key(SHOP_APP, "o-visitor")
    assert CustomerBinding.objects.get(customer_key=wx_key).distributor_id == shop.distributor.pk
    # the code is single-use
    again = gql(COMPLETE, {"slug": "xiaowang", "code": code})["data"]["wechatOAuthComplete"]
    assert [e["code"] for e in again["errors"]] == ["OAUTH_FAILED"]

    buyer = customer()
    linked = gql(LINK, {"token": answer["identityToken"]}, buyer)["data"]["wechatIdentityLink"]
    assert linked["errors"] == [] and linked["openid"] == "o-visitor"
    assert WeChatIdentity.objects.get(openid="o-visitor").user_id == buyer.user_id
    merged = CustomerBinding.objects.get(customer_key=user_customer_key(buyer.user_id), channel=CHANNEL)
    assert (merged.distributor_id, merged.source) == (shop.distributor.pk, "link")
    assert BindingChange.objects.filter(binding=merged).count() == 1
    # another customer cannot take the identity
    thief = gql(LINK, {"token": answer["identityToken"]}, customer())["data"]["wechatIdentityLink"]
    assert [e["code"] for e in thief["errors"]] == ["INVALID"]
    forged = gql(LINK, {"token": answer["identityToken"][:-2] + "xx"}, buyer)["data"]["wechatIdentityLink"]
    assert [e["code"] for e in forged["errors"]] == ["INVALID"]


def test_the_customers_own_binding_stands_at_merge(gql, shop, mp):  # noqa: F811
    buyer = customer()
    rival = make_distributor(name="rival")
    referral_touch(
        channel=CHANNEL,
        keys=[user_customer_key(buyer.user_id)],
        distributor=rival,
        source=AttributionSource.LINK,
    )
    code = mp.oauth_code(SHOP_APP, "o-b")
    answer = gql(COMPLETE, {"slug": "xiaowang", "code": code}, buyer)["data"]["wechatOAuthComplete"]
    assert answer["linked"] is True
    assert (
        CustomerBinding.objects.get(customer_key=user_customer_key(buyer.user_id)).distributor_id == rival.pk
    )
    assert (
        CustomerBinding.objects.get(customer_key=identity_customer_key(SHOP_APP, "o-b")).distributor_id
        == shop.distributor.pk
    )


def test_the_distributor_is_never_bound_to_themself_at_merge(gql, shop, mp):  # noqa: F811
    code = mp.oauth_code(SHOP_APP, "o-owner")
    answer = gql(COMPLETE, {"slug": "xiaowang", "code": code}, shop.owner)["data"]["wechatOAuthComplete"]
    assert answer["linked"] is True
    assert not CustomerBinding.objects.filter(customer_key=user_customer_key(shop.owner.user_id)).exists()


def test_bad_codes_and_storefronts(gql, shop, mp):  # noqa: F811
    for slug, code, expected in [
        ("nope", "c", ("storefront", "NOT_FOUND")),
        ("xiaowang", "", ("code", "INVALID")),
        ("xiaowang", "x" * 200, ("code", "INVALID")),
        ("xiaowang", "never-issued", ("code", "OAUTH_FAILED")),
    ]:
        answer = gql(COMPLETE, {"slug": slug, "code": code})["data"]["wechatOAuthComplete"]
        assert [(e["field"], e["code"]) for e in answer["errors"]] == [expected]
    other_app_code = mp.oauth_code(shop.brand_account.app_id, "o-x")
    answer = gql(COMPLETE, {"slug": "xiaowang", "code": other_app_code})["data"]["wechatOAuthComplete"]
    assert [e["code"] for e in answer["errors"]] == ["OAUTH_FAILED"]
    assert not WeChatIdentity.objects.exists() and not CustomerBinding.objects.exists()
    denied = gql(LINK, {"token": "x"})
    assert denied["errors"][0]["extensions"]["exception"]["code"] == "PermissionDenied"
