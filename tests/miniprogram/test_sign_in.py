"""Signing in from the Mini Program: wx.login's code -> jscode2session (wechatpy's WeChatWxa over HTTP to
the fake WeChat) -> identity -> customer token; unionid merges; documented errors; the session key stays
on the server and out of the logs."""

from __future__ import annotations

import logging

import pytest

from saleor_wechat_distribution.models import CustomerBinding, MiniProgramSession, WeChatIdentity
from saleor_wechat_distribution.sandbox.sessions import wechat_user_id
from saleor_wechat_distribution.sandbox.tokens import principal_from_token
from saleor_wechat_distribution.sealing import unseal
from saleor_wechat_distribution.services.identities import identity_qr_scan
from saleor_wechat_distribution.testing.factories import customer

from .conftest import CHANNEL, MINI_APP, SHOP_APP

SIGN_IN = """
mutation($channel: String!, $code: String!) {
  miniProgramSignIn(channel: $channel, code: $code) {
    token expiresIn openid hasUnionId errors { field code message }
  }
}"""


def sign_in(gql, code: str, principal=None, channel: str = CHANNEL) -> dict:
    return gql(SIGN_IN, {"channel": channel, "code": code}, principal)["data"]["miniProgramSignIn"]


def test_a_newcomer_signs_in_and_gets_the_same_customer_every_time(gql, shop, mp, mini):
    answer = sign_in(gql, mp.wx_login(MINI_APP, "mini-o1"))
    assert answer["errors"] == [] and answer["openid"] == "mini-o1" and answer["hasUnionId"] is False
    principal = principal_from_token(answer["token"])
    assert principal.user_id == wechat_user_id(MINI_APP, "mini-o1")
    identity = WeChatIdentity.objects.get(app_id=MINI_APP, openid="mini-o1")
    assert identity.user_id == principal.user_id
    again = sign_in(gql, mp.wx_login(MINI_APP, "mini-o1"))
    assert principal_from_token(again["token"]).user_id == principal.user_id
    assert mp.calls["wxa.jscode2session"] == 2


def test_the_session_key_is_kept_sealed_never_answered_never_logged(gql, shop, mp, mini, caplog):
    caplog.set_level(logging.DEBUG)
    answer = sign_in(gql, mp.wx_login(MINI_APP, "mini-o2"))
    assert answer["errors"] == []
    stored = MiniProgramSession.objects.get(identity__openid="mini-o2")
    session_key = unseal(stored.session_key_sealed)
    assert len(session_key) >= 16 and session_key not in stored.session_key_sealed
    assert session_key not in str(answer)
    assert session_key not in caplog.text
    assert all(session_key not in str(record.args) for record in caplog.records)
    # nor in the SDL: no field can carry it
    from saleor_wechat_distribution.graphql.print_schema import printed_schema

    assert "sessionKey" not in printed_schema() and "session_key" not in printed_schema()


def test_unionid_merges_the_official_account_identity_and_its_binding(gql, shop, mp, mini):
    """The person followed the shop's Official Account through the distributor's QR code (bound as
    wx:<oa>:<openid>), WeChat later told us their unionid; signing in from the Mini Program with the same
    unionid links the OA identity to the customer and the binding follows the person."""
    identity_qr_scan(account=shop.account, openid="oa-o3", scene=shop.distributor.referral_code, follow=True)
    WeChatIdentity.objects.filter(app_id=SHOP_APP, openid="oa-o3").update(unionid="u-3")
    answer = sign_in(gql, mp.wx_login(MINI_APP, "mini-o3", unionid="u-3"))
    assert answer["errors"] == [] and answer["hasUnionId"] is True
    user_id = principal_from_token(answer["token"]).user_id
    assert WeChatIdentity.objects.get(app_id=SHOP_APP, openid="oa-o3").user_id == user_id
    binding = CustomerBinding.objects.get(customer_key=f"user:{user_id}", channel=CHANNEL)
    assert binding.distributor_id == shop.distributor.pk


def test_unionid_finds_the_customer_of_the_official_account_identity(gql, shop, mp, mini):
    owner = customer()
    WeChatIdentity.objects.create(app_id=SHOP_APP, openid="oa-o4", unionid="u-4", user_id=owner.user_id)
    answer = sign_in(gql, mp.wx_login(MINI_APP, "mini-o4", unionid="u-4"))
    assert principal_from_token(answer["token"]).user_id == owner.user_id
    assert WeChatIdentity.objects.get(app_id=MINI_APP, openid="mini-o4").user_id == owner.user_id


def test_the_customers_own_valid_binding_stands(gql, shop, mp, mini):
    from saleor_wechat_distribution.services.referrals import referral_touch_by_code
    from saleor_wechat_distribution.testing.factories import make_distributor

    owner = customer()
    other = make_distributor(principal=customer(), name="other")
    assert referral_touch_by_code(channel=CHANNEL, user_id=owner.user_id, code=other.referral_code)
    identity_qr_scan(account=shop.account, openid="oa-o5", scene=shop.distributor.referral_code, follow=True)
    WeChatIdentity.objects.filter(app_id=SHOP_APP, openid="oa-o5").update(unionid="u-5")
    answer = sign_in(gql, mp.wx_login(MINI_APP, "mini-o5", unionid="u-5"), principal=owner)
    assert principal_from_token(answer["token"]).user_id == owner.user_id
    binding = CustomerBinding.objects.get(customer_key=f"user:{owner.user_id}", channel=CHANNEL)
    assert binding.distributor_id == other.pk


@pytest.mark.parametrize(
    ("setup", "code"),
    [
        ("unknown", "CODE_INVALID"),
        ("used", "CODE_INVALID"),
        ("risky", "RISKY_USER"),
        ("rate", "RATE_LIMITED"),
    ],
)
def test_documented_errors_become_coded_translated_errors(gql, shop, mp, mini, setup, code):
    login = mp.wx_login(MINI_APP, "mini-o6")
    if setup == "unknown":
        login = "not-a-code"
    elif setup == "used":
        assert sign_in(gql, login)["errors"] == []
    elif setup == "risky":
        mp.risky_openids.add("mini-o6")
    elif setup == "rate":
        mp.login_rate_limited = 1
    answer = sign_in(gql, login)
    assert answer["token"] is None
    (error,) = answer["errors"]
    assert error["code"] == code and error["field"] == "code" and error["message"]
    if setup == "risky":  # the same refusal in Chinese
        chinese = gql(SIGN_IN, {"channel": CHANNEL, "code": mp.wx_login(MINI_APP, "mini-o6")},
                      HTTP_ACCEPT_LANGUAGE="zh-hans")  # fmt: skip
        (zh,) = chinese["data"]["miniProgramSignIn"]["errors"]
        assert zh["code"] == "RISKY_USER" and zh["message"] == "微信拒绝了此次登录（风险账号）。"


def test_a_channel_without_mini_program_is_refused(gql, shop, mp, mini):
    answer = sign_in(gql, mp.wx_login(MINI_APP, "mini-o7"), channel="other-channel")
    assert answer["errors"][0]["code"] == "NOT_CONFIGURED"
    assert mp.calls["wxa.jscode2session"] == 0


def test_wechat_unreachable_is_its_own_code(gql, shop, mp, mini, settings):
    settings.WECHAT_DISTRIBUTION_API_BASE_URL = "http://127.0.0.1:9/"
    answer = sign_in(gql, "abc")
    assert answer["errors"][0]["code"] == "WECHAT_UNAVAILABLE"


def test_an_official_account_follow_after_mini_program_sign_in_joins_the_customer(
    client, gql, shop, mp, mini, django_capture_on_commit_callbacks
):
    """The other order: the person signed in from the Mini Program first (unionid u-9), then follows the
    Official Account through the distributor's QR code. When user/info brings the unionid, the follower
    identity joins the customer and the QR binding follows the person."""
    from tests.storefronts.messages import callback, event_xml

    answer = sign_in(gql, mp.wx_login(MINI_APP, "mini-o9", unionid="u-9"))
    user_id = principal_from_token(answer["token"]).user_id
    mp.follow(SHOP_APP, "oa-o9", scene=shop.distributor.referral_code, unionid="u-9")
    scene = "qrscene_" + shop.distributor.referral_code
    query, body = callback(shop.fake, event_xml("oa-o9", "subscribe", EventKey=scene))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/wechat/{SHOP_APP}/?{query}", body, content_type="text/xml")
    assert response.status_code == 200 and mp.calls["user.info"] == 1
    assert WeChatIdentity.objects.get(app_id=SHOP_APP, openid="oa-o9").user_id == user_id
    binding = CustomerBinding.objects.get(customer_key=f"user:{user_id}", channel=CHANNEL)
    assert binding.distributor_id == shop.distributor.pk


def test_a_session_key_in_a_wechat_log_line_is_redacted():
    """Defence in depth: should wechatpy or urllib3 ever log jscode2session's answer or URL."""
    from saleor_wechat_distribution.log_redaction import redact

    line = 'GET /sns/jscode2session?appid=wx1&secret=s3&js_code=abc {"openid": "o", "session_key": "K3Y=="}'
    cleaned = redact(line)
    assert (
        "K3Y==" not in cleaned
        and "s3&" not in cleaned
        and "abc" not in cleaned
        and '"openid": "o"' in cleaned
    )


def test_a_secret_that_no_longer_opens_is_no_mini_program_not_a_crash(gql, shop, mp, mini, settings):
    """A sealed secret the key cannot open (the key was changed) reads as "not configured", never a 500."""
    settings.WECHAT_DISTRIBUTION_MINI_PROGRAMS[CHANNEL]["app_secret_sealed"] = "gAAAAAB-sealed-elsewhere"
    answer = sign_in(gql, mp.wx_login(MINI_APP, "mini-o9"))
    assert [(e["field"], e["code"]) for e in answer["errors"]] == [("channel", "NOT_CONFIGURED")]
    assert answer["token"] is None and mp.calls["wxa.jscode2session"] == 0
