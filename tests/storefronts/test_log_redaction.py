"""With DEBUG logging on, urllib3 logs every URL wechatpy requests; WeChat's secrets ride in those query
strings. None of them may reach a log record (the filter apps.ready installs)."""

# ruff: noqa: F811 - pytest fixtures imported by name
from __future__ import annotations

import logging

from saleor_wechat_distribution.log_redaction import REDACTED, RedactSecrets, redact
from saleor_wechat_distribution.models import OfficialAccount
from saleor_wechat_distribution.tasks import wechat_authorizer_tokens_refresh_task
from tests.graphql.conftest import gql  # noqa: F401 - fixture

from .test_component import AUTH_APP, COMPLETE, QR, URL, push_ticket
from .test_storefront_api import BIND

OAUTH = 'mutation($c: String!) { wechatOAuthComplete(storefront: "xiaowang", code: $c) { openid } }'


def test_no_secret_reaches_any_log_record(client, gql, shop, mp, caplog):
    caplog.set_level(logging.DEBUG)
    # credentials: the token URL carries the app secret; calls carry access_token
    bind = {"appId": shop.fake.app_id, "appSecret": shop.fake.secret, "token": shop.fake.token}
    assert gql(BIND, {"input": bind}, shop.owner)["data"]["storefrontAccountBind"]["errors"] == []
    prepared = gql(QR, principal=shop.owner)["data"]["storefrontQrCodeCreate"]
    assert prepared["qrCode"]["appId"] == shop.fake.app_id
    code = mp.oauth_code(shop.fake.app_id, "o-web")
    assert gql(OAUTH, {"c": code})["data"]["wechatOAuthComplete"]["openid"] == "o-web"
    # the Open Platform: component token, pre-auth code, api_query_auth, authorizer token refresh
    shop.account.delete()
    mp.add_account(AUTH_APP)
    push_ticket(client, mp)
    redirect = {"redirect": "https://shop.example.com/bound"}
    assert gql(URL, redirect, shop.owner)["data"]["storefrontAccountAuthorizationUrl"]["errors"] == []
    auth_code = mp.authorize(AUTH_APP)
    assert (
        gql(COMPLETE, {"code": auth_code}, shop.owner)["data"]["storefrontAccountAuthorizationComplete"][
            "errors"
        ]
        == []
    )
    OfficialAccount.objects.filter(app_id=AUTH_APP).update(access_token_expires_at=None)
    assert wechat_authorizer_tokens_refresh_task.apply().get()["refreshed"] == 1

    secrets = {shop.fake.secret, mp.component_secret, mp.verify_ticket, code, auth_code}
    secrets |= set(mp.tokens) | set(mp.refresh_tokens.values()) | mp.pre_auth_codes
    logged = [record.getMessage() for record in caplog.records]
    leaks = [(secret, line) for secret in secrets for line in logged if secret in line]
    assert leaks == []
    # the check is not vacuous: urllib3 did log those URLs, redacted
    urls = [
        line for r, line in zip(caplog.records, logged, strict=True) if r.name == "urllib3.connectionpool"
    ]
    assert any(f"/cgi-bin/token?grant_type=client_credential&appid={shop.fake.app_id}&secret={REDACTED}" in u
               for u in urls)  # fmt: skip
    assert any(f"api_authorizer_token?component_access_token={REDACTED}" in u for u in urls)
    assert any("/sns/oauth2/access_token?" in u and f"code={REDACTED}" in u for u in urls)


def test_the_filter_rewrites_messages_and_keeps_everything_else(caplog):
    logger = logging.getLogger("urllib3.connectionpool")
    assert any(isinstance(f, RedactSecrets) for f in logger.filters)  # installed by apps.ready
    caplog.set_level(logging.DEBUG)
    logger.debug('%s://%s:%s "%s %s %s" %s %s', "https", "api.weixin.qq.com", 443, "GET",
                 "/cgi-bin/user/info?access_token=T0KEN&openid=o1", "HTTP/1.1", 200, 42)  # fmt: skip
    record = caplog.records[-1]
    path = f"/cgi-bin/user/info?access_token={REDACTED}&openid=o1"
    assert record.getMessage() == f'https://api.weixin.qq.com:443 "GET {path} HTTP/1.1" 200 42'
    assert redact('{"component_appsecret": "s", "errcode": 40001}') == (
        f'{{"component_appsecret": "{REDACTED}", "errcode": 40001}}'
    )
    assert redact("errcode=40001&code=abc&ticket=t1") == f"errcode=40001&code={REDACTED}&ticket={REDACTED}"
