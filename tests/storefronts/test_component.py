"""Open Platform (第三方平台): verify ticket intake, authorization URL, api_query_auth on return, authorizer
tokens refreshed from the sealed refresh token, notices, callbacks and OAuth for authorized accounts."""

from __future__ import annotations

import secrets
import time
from datetime import timedelta
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from django.core.cache import cache
from django.utils import timezone
from wechatpy.crypto import WeChatCrypto

from saleor_wechat_distribution.domain.referrals import identity_customer_key
from saleor_wechat_distribution.models import (
    ComponentTicket,
    CustomerBinding,
    InboundEvent,
    OfficialAccount,
    QrCode,
)
from saleor_wechat_distribution.sealing import unseal
from saleor_wechat_distribution.wechat.mp import CacheSessionStorage
from tests.graphql.conftest import gql  # noqa: F401 - fixture

from .messages import event_xml, sign

AUTH_APP = "wxauthorized00001"
URL = """
mutation($redirect: String!, $mobile: Boolean) {
  storefrontAccountAuthorizationUrl(redirectUri: $redirect, mobile: $mobile) { url errors { field code } }
}"""
COMPLETE = """
mutation($code: String!) {
  storefrontAccountAuthorizationComplete(authorizationCode: $code) {
    storefront { appId officialAccount { appId mode name isCertifiedServiceAccount appSecret } }
    errors { field code }
  }
}"""
QR = '{ storefront(slug: "xiaowang") { qrCode { appId url } } }'


def notice(mp, fields: dict[str, str], *, token: str | None = None) -> tuple[str, bytes]:
    inner = "".join(f"<{k}><![CDATA[{v}]]></{k}>" for k, v in fields.items())
    head = f"<AppId><![CDATA[{mp.component_app_id}]]></AppId><CreateTime>{int(time.time())}</CreateTime>"
    xml = f"<xml>{head}{inner}</xml>"
    return encrypted(mp, xml, token=token)


def encrypted(mp, xml: str, *, token: str | None = None) -> tuple[str, bytes]:
    ts, nonce = str(int(time.time())), secrets.token_hex(8)
    crypto = WeChatCrypto(token or mp.component_token, mp.component_aes_key, mp.component_app_id)
    envelope = crypto.encrypt_message(xml, nonce, ts)
    query = {
        "signature": sign(token or mp.component_token, ts, nonce),
        "timestamp": ts,
        "nonce": nonce,
        "encrypt_type": "aes",
        "msg_signature": envelope.split("<MsgSignature><![CDATA[")[1].split("]]>")[0],
    }
    return urlencode(query), envelope.encode()


def push_ticket(client, mp) -> None:
    ticket = mp.push_verify_ticket()
    query, body = notice(mp, {"InfoType": "component_verify_ticket", "ComponentVerifyTicket": ticket})
    answer = client.post(f"/wechat/component/?{query}", body, content_type="text/xml")
    assert (answer.status_code, answer.content) == (200, b"success")


@pytest.fixture
def authorized(client, gql, shop, mp):  # noqa: F811
    """The shop's owner binds a new account through the Open Platform instead of credentials."""
    shop.account.delete()
    mp.add_account(AUTH_APP, name="小王的服务号")
    push_ticket(client, mp)
    code = mp.authorize(AUTH_APP)
    answer = gql(COMPLETE, {"code": code}, shop.owner)["data"]["storefrontAccountAuthorizationComplete"]
    assert answer["errors"] == [], answer
    return answer


def test_ticket_intake_and_authorization_url(client, gql, shop, mp):  # noqa: F811
    answer = gql(URL, {"redirect": "https://shop.example.com/bound"}, shop.owner)
    refused = answer["data"]["storefrontAccountAuthorizationUrl"]["errors"]
    assert [e["code"] for e in refused] == ["WECHAT_ERROR"]  # no verify ticket yet
    push_ticket(client, mp)
    assert ComponentTicket.objects.get().ticket == mp.verify_ticket
    for mobile, host in ((False, "/cgi-bin/componentloginpage"), (True, "/safe/bindcomponent")):
        url = gql(URL, {"redirect": "https://shop.example.com/bound", "mobile": mobile}, shop.owner)
        url = url["data"]["storefrontAccountAuthorizationUrl"]["url"]
        parts = urlsplit(url)
        query = parse_qs(parts.query)
        assert parts.path == host and query["component_appid"] == [mp.component_app_id]
        assert query["pre_auth_code"][0] in mp.pre_auth_codes
        assert query["redirect_uri"] == ["https://shop.example.com/bound"]
    assert mp.token_fetches[f"component:{mp.component_app_id}"] == 1  # shared through the cache


def test_completion_binds_the_authorizer_and_its_tokens_refresh(gql, shop, mp, authorized):  # noqa: F811
    shown = authorized["storefront"]["officialAccount"]
    assert shown == {"appId": AUTH_APP, "mode": "COMPONENT", "name": "小王的服务号",
                     "isCertifiedServiceAccount": True, "appSecret": ""}  # fmt: skip
    account = OfficialAccount.objects.get(app_id=AUTH_APP)
    assert unseal(account.refresh_token_sealed) == mp.refresh_tokens[AUTH_APP]
    assert mp.refresh_tokens[AUTH_APP] not in account.refresh_token_sealed
    # nor in the cache (wechatpy's query_auth would keep it there in clear)
    assert CacheSessionStorage().get(f"{AUTH_APP}_refresh_token") is None
    assert cache.get(f"{CacheSessionStorage.prefix}{AUTH_APP}_refresh_token") is None
    # the authorizer token from api_query_auth is used as is
    assert gql(QR, principal=shop.owner)["data"]["storefront"]["qrCode"]["appId"] == AUTH_APP
    assert mp.calls["component.authorizer_token"] == 0
    # it expires: refreshed from the sealed refresh token, once
    mp.expire_tokens(AUTH_APP)
    QrCode.objects.all().delete()
    assert gql(QR, principal=shop.owner)["data"]["storefront"]["qrCode"]["appId"] == AUTH_APP
    assert mp.calls["component.authorizer_token"] == 1


def test_callbacks_of_an_authorized_account_use_the_components_keys(client, shop, mp, authorized):
    xml = event_xml("o-c1", "subscribe", event_key=f"qrscene_{shop.distributor.referral_code}")
    query, body = encrypted(mp, xml)
    answer = client.post(f"/wechat/{AUTH_APP}/?{query}", body, content_type="text/xml")
    assert answer.status_code == 200 and b"<Encrypt>" in answer.content
    assert (
        CustomerBinding.objects.get(customer_key=identity_customer_key(AUTH_APP, "o-c1")).distributor_id
        == shop.distributor.pk
    )


def test_oauth_for_an_authorized_account_is_the_component_variant(client, gql, shop, mp, authorized):  # noqa: F811
    url = gql('{ storefront(slug: "xiaowang") { oauthUrl(redirectUri: "https://shop.example.com/x") } }')
    query = parse_qs(urlsplit(url["data"]["storefront"]["oauthUrl"]).query)
    assert query["appid"] == [AUTH_APP] and query["component_appid"] == [mp.component_app_id]
    code = mp.oauth_code(AUTH_APP, "o-web")
    mutation = (
        'mutation($c: String!) { wechatOAuthComplete(storefront: "xiaowang", code: $c) '
        "{ openid errors { code } } }"
    )
    done = gql(mutation, {"c": code})
    assert done["data"]["wechatOAuthComplete"] == {"openid": "o-web", "errors": []}


def test_unauthorized_notice_stops_the_account(client, gql, shop, mp, authorized):  # noqa: F811
    query, body = notice(mp, {"InfoType": "unauthorized", "AuthorizerAppid": AUTH_APP})
    assert client.post(f"/wechat/component/?{query}", body, content_type="text/xml").content == b"success"
    account = OfficialAccount.objects.get(app_id=AUTH_APP)
    assert account.status == "unauthorized" and account.refresh_token_sealed == ""
    xml = event_xml("o-c2", "subscribe", event_key=f"qrscene_{shop.distributor.referral_code}")
    query, body = encrypted(mp, xml)
    assert client.post(f"/wechat/{AUTH_APP}/?{query}", body, content_type="text/xml").status_code == 404
    # the storefront falls back to the brand's account
    assert (
        gql('{ storefront(slug: "xiaowang") { appId } }')["data"]["storefront"]["appId"]
        == shop.brand_account.app_id
    )


def test_updateauthorized_notice_refreshes_the_account(
    client, shop, mp, authorized, django_capture_on_commit_callbacks
):
    mp.accounts[AUTH_APP].name = "新名字"
    code = mp.authorize(AUTH_APP)
    fields = {"InfoType": "updateauthorized", "AuthorizerAppid": AUTH_APP, "AuthorizationCode": code}
    query, body = notice(mp, fields)
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(f"/wechat/component/?{query}", body, content_type="text/xml").content == b"success"
    account = OfficialAccount.objects.get(app_id=AUTH_APP)
    assert account.name == "新名字"
    assert unseal(account.refresh_token_sealed) == mp.refresh_tokens[AUTH_APP]


def test_bad_notices_write_nothing(client, shop, mp):
    ticket = mp.push_verify_ticket()
    fields = {"InfoType": "component_verify_ticket", "ComponentVerifyTicket": ticket}
    query, body = notice(mp, fields, token="not-the-token")
    assert client.post(f"/wechat/component/?{query}", body, content_type="text/xml").status_code == 403
    query, body = notice(mp, fields)
    stale = query.replace("timestamp=", "timestamp=1")
    assert client.post(f"/wechat/component/?{stale}", body, content_type="text/xml").status_code in (400, 403)
    assert client.get(f"/wechat/component/?{query}").status_code == 405
    assert not ComponentTicket.objects.exists() and not InboundEvent.objects.exists()
    # a notice about an account we do not hold
    query, body = notice(mp, {"InfoType": "unauthorized", "AuthorizerAppid": "wxstranger0000001"})
    assert client.post(f"/wechat/component/?{query}", body, content_type="text/xml").content == b"success"
    assert not InboundEvent.objects.exists()


def test_bad_authorization_codes(client, gql, shop, mp, settings):  # noqa: F811
    push_ticket(client, mp)
    answer = gql(COMPLETE, {"code": "queryauthcode@@@forged"}, shop.owner)
    errors = answer["data"]["storefrontAccountAuthorizationComplete"]["errors"]
    assert [(e["field"], e["code"]) for e in errors] == [("authorizationCode", "AUTHORIZATION_FAILED")]
    assert OfficialAccount.objects.filter(mode="component").count() == 0
    settings.WECHAT_DISTRIBUTION_COMPONENT = None
    answer = gql(URL, {"redirect": "https://shop.example.com/bound"}, shop.owner)
    errors = answer["data"]["storefrontAccountAuthorizationUrl"]["errors"]
    assert [e["code"] for e in errors] == ["COMPONENT_NOT_CONFIGURED"]


def test_a_verify_ticket_older_than_12_hours_is_not_used(client, gql, shop, mp):  # noqa: F811
    push_ticket(client, mp)
    ComponentTicket.objects.update(received_at=timezone.now() - timedelta(hours=12, minutes=1))
    answer = gql(URL, {"redirect": "https://shop.example.com/bound"}, shop.owner)
    assert [e["code"] for e in answer["data"]["storefrontAccountAuthorizationUrl"]["errors"]] == [
        "WECHAT_ERROR"
    ]
    assert mp.calls["component.token"] == 1  # asked without a ticket: refused (61006)
    push_ticket(client, mp)  # the next push (every 10 minutes) replaces it
    answer = gql(URL, {"redirect": "https://shop.example.com/bound"}, shop.owner)
    assert answer["data"]["storefrontAccountAuthorizationUrl"]["errors"] == []
