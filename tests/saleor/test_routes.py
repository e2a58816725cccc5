"""Which Saleor route serves which of our callbacks (README: "Point WeChat at the callbacks").

The Open Platform component's notices are one per deployment: every active channel's route serves them
alike, and Saleor's channel-less ``/plugins/<plugin id>/`` route serves them while the plugin is active in
some channel; channel-bound routes (our GraphQL, payout notifications) answer 404 there, since that route
hands the plugin an arbitrary channel's instance, active or not.
"""

from __future__ import annotations

import base64
import secrets
import time
from urllib.parse import urlencode

import pytest
from django.test import Client, TestCase
from saleor.channel.models import Channel
from wechatpy.crypto import WeChatCrypto
from wechatpy.utils import WeChatSigner

from saleor_wechat_distribution.models import ComponentTicket
from saleor_wechat_distribution.saleor_adapter.plugin import WeChatDistributionPlugin

from .test_in_saleor import plugin_update, shop  # noqa: F401 - the shared fixture

pytestmark = [pytest.mark.saleor, pytest.mark.django_db]

COMPONENT = {
    "app_id": "wx00000000c0mp0nen",
    "app_secret": "s" * 32,
    "token": "componenttoken",
    "encoding_aes_key": base64.b64encode(b"k" * 32).decode().rstrip("="),
}


def _notice(ticket: str) -> tuple[str, bytes]:
    ts, nonce = str(int(time.time())), secrets.token_hex(8)
    xml = (
        f"<xml><AppId><![CDATA[{COMPONENT['app_id']}]]></AppId><CreateTime>{ts}</CreateTime>"
        "<InfoType><![CDATA[component_verify_ticket]]></InfoType>"
        f"<ComponentVerifyTicket><![CDATA[{ticket}]]></ComponentVerifyTicket></xml>"
    )
    crypto = WeChatCrypto(COMPONENT["token"], COMPONENT["encoding_aes_key"], COMPONENT["app_id"])
    envelope = crypto.encrypt_message(xml, nonce, ts)
    signer = WeChatSigner()
    signer.add_data(COMPONENT["token"], ts, nonce)
    query = {
        "signature": signer.signature, "timestamp": ts, "nonce": nonce, "encrypt_type": "aes",
        "msg_signature": envelope.split("<MsgSignature><![CDATA[")[1].split("]]>")[0],
    }  # fmt: skip
    return urlencode(query), envelope.encode()


def _post(url: str, body: bytes = b"", content_type: str = "text/xml"):
    with TestCase.captureOnCommitCallbacks(execute=True):
        return Client().post(url, body, content_type=content_type)


@pytest.fixture
def two_channels(shop, e2e_staff_api_client, settings):  # noqa: F811
    settings.WECHAT_DISTRIBUTION_COMPONENT = COMPONENT
    second = Channel.objects.create(
        name="Second", slug="second-channel", currency_code="USD", default_country="US"
    )
    from graphql_relay import to_global_id

    return shop["channel"], {"id": to_global_id("Channel", second.pk), "slug": second.slug}


def test_component_notices_on_any_active_channels_route_and_on_saleors_channel_less_route(
    two_channels, e2e_staff_api_client
):
    first, second = two_channels
    plugin_id = WeChatDistributionPlugin.PLUGIN_ID
    global_url = f"/plugins/{plugin_id}/wechat/component/"

    # inactive everywhere: no route serves it
    query, body = _notice("ticket-0")
    assert _post(f"{global_url}?{query}", body).status_code == 404
    assert (
        _post(f"/plugins/channel/{first['slug']}/{plugin_id}/wechat/component/?{query}", body).status_code
        == 404
    )

    for channel in (first, second):
        assert plugin_update(e2e_staff_api_client, channel["id"])["errors"] == []
    for number, channel in enumerate((first, second), start=1):
        query, body = _notice(f"ticket-{number}")
        answer = _post(f"/plugins/channel/{channel['slug']}/{plugin_id}/wechat/component/?{query}", body)
        assert (answer.status_code, answer.content) == (200, b"success")
        assert ComponentTicket.objects.get(component_app_id=COMPONENT["app_id"]).ticket == f"ticket-{number}"

    query, body = _notice("ticket-global")
    answer = _post(f"{global_url}?{query}", body)
    assert (answer.status_code, answer.content) == (200, b"success")
    assert ComponentTicket.objects.get(component_app_id=COMPONENT["app_id"]).ticket == "ticket-global"

    # a forged notice (signature not the component's) is refused, and nothing is written
    query, body = _notice("forged")
    forged = query.replace("signature=", "signature=0", 1)
    assert 400 <= _post(f"{global_url}?{forged}", body).status_code < 500
    assert ComponentTicket.objects.get(component_app_id=COMPONENT["app_id"]).ticket == "ticket-global"


def test_channel_bound_routes_are_not_served_on_the_channel_less_route(two_channels, e2e_staff_api_client):
    first, second = two_channels
    plugin_id = WeChatDistributionPlugin.PLUGIN_ID
    assert plugin_update(e2e_staff_api_client, second["id"])["errors"] == []  # active in one channel only
    graphql = b'{"query": "{ __typename }"}'
    assert _post(f"/plugins/{plugin_id}/graphql/", graphql, "application/json").status_code == 404
    assert _post(f"/plugins/{plugin_id}/wechatpay/notify/", b"{}", "application/json").status_code == 404
    assert _post(f"/plugins/{plugin_id}/export/ledger.csv").status_code == 404
    # the channel's own route serves its API; the inactive channel's answers 404
    ok = _post(f"/plugins/channel/{second['slug']}/{plugin_id}/graphql/", graphql, "application/json")
    assert ok.status_code == 200 and ok.json()["data"] == {"__typename": "Query"}
    off = _post(f"/plugins/channel/{first['slug']}/{plugin_id}/graphql/", graphql, "application/json")
    assert off.status_code == 404
