"""An Official Account's message encryption mode (WeChat's 明文 / 兼容 / 安全模式) decides which callback
messages it acts on: a safe-mode account refuses plaintext, a plain-mode one encrypted messages, and a
refused message writes nothing (no event log row, no identity, no binding, no QR count)."""

from __future__ import annotations

import time

import pytest

from saleor_wechat_distribution.domain.referrals import identity_customer_key
from saleor_wechat_distribution.models import CustomerBinding, OfficialAccount
from saleor_wechat_distribution.services.wechat_links import qr_code_for
from tests.graphql.conftest import gql  # noqa: F401 - fixture

from .conftest import SHOP_APP
from .messages import callback, decrypt_reply, event_xml
from .test_callbacks import post, state
from .test_component import encrypted

OPENID = "o-follower-mode"


def follow(client, shop, *, encrypted: bool):
    qr_code_for(storefront=shop.storefront, distributor=shop.distributor)
    xml = event_xml(OPENID, "subscribe", event_key=f"qrscene_{shop.distributor.referral_code}")
    query, body = callback(shop.fake, xml, safe=encrypted)
    return post(client, SHOP_APP, query, body)


def set_mode(shop, mode: str) -> None:
    OfficialAccount.objects.filter(pk=shop.account.pk).update(message_encryption=mode)


@pytest.mark.parametrize(
    ("mode", "encrypted", "accepted"),
    [
        ("safe", False, False),
        ("safe", True, True),
        ("compatible", False, True),
        ("compatible", True, True),
        ("plain", False, True),
        ("plain", True, False),
    ],
)
def test_the_mode_decides_which_messages_are_accepted(client, shop, mode, encrypted, accepted):
    set_mode(shop, mode)
    qr_code_for(storefront=shop.storefront, distributor=shop.distributor)
    before = state()
    answer = follow(client, shop, encrypted=encrypted)
    if not accepted:
        assert answer.status_code == 403
        assert state() == before
        assert f"in {mode} mode" in answer.content.decode()
        return
    assert answer.status_code == 200
    reply = decrypt_reply(shop.fake, answer.content) if encrypted else answer.content.decode()
    assert "小王精选" in reply  # answered the way it was asked
    assert CustomerBinding.objects.filter(customer_key=identity_customer_key(SHOP_APP, OPENID)).exists()


def test_a_refused_plaintext_message_leaves_its_nonce_unused(client, shop):
    """Nothing is remembered of a refused message: WeChat's genuine (encrypted) delivery with the same
    nonce still goes through."""
    set_mode(shop, "safe")
    qr_code_for(storefront=shop.storefront, distributor=shop.distributor)
    xml = event_xml(OPENID, "subscribe", event_key=f"qrscene_{shop.distributor.referral_code}")
    now = int(time.time())
    plain_query, plain_body = callback(shop.fake, xml, nonce="one-nonce", timestamp=now)
    assert post(client, SHOP_APP, plain_query, plain_body).status_code == 403
    query, body = callback(shop.fake, xml, safe=True, nonce="one-nonce", timestamp=now)
    assert post(client, SHOP_APP, query, body).status_code == 200


BIND = """
mutation($input: StorefrontAccountBindInput!) {
  storefrontAccountBind(input: $input) {
    storefront { officialAccount { appId messageEncryption } }
    errors { field code }
  }
}"""


@pytest.mark.parametrize(
    ("given", "with_key", "expected"),
    [
        (None, True, "SAFE"),
        (None, False, "PLAIN"),
        ("COMPATIBLE", True, "COMPATIBLE"),
        ("PLAIN", True, "PLAIN"),
        ("SAFE", False, ("encodingAesKey", "REQUIRED")),
        ("COMPATIBLE", False, ("encodingAesKey", "REQUIRED")),
    ],
)
def test_the_mode_is_set_where_the_account_is_bound(gql, shop, mp, given, with_key, expected):  # noqa: F811
    shop.account.delete()
    remote = mp.add_account("wxmodes0000000001")
    values = {"appId": remote.app_id, "appSecret": remote.secret, "token": remote.token}
    if with_key:
        values["encodingAesKey"] = remote.aes_key
    if given:
        values["messageEncryption"] = given
    answer = gql(BIND, {"input": values}, shop.owner)["data"]["storefrontAccountBind"]
    if isinstance(expected, tuple):
        assert [(e["field"], e["code"]) for e in answer["errors"]] == [expected]
        assert not OfficialAccount.objects.filter(app_id=remote.app_id).exists()
        assert mp.token_fetches.get(remote.app_id, 0) == 0
        return
    assert answer["errors"] == []
    assert answer["storefront"]["officialAccount"]["messageEncryption"] == expected
    assert OfficialAccount.objects.get(app_id=remote.app_id).message_encryption == expected.lower()


def test_open_platform_accounts_are_safe_whatever_the_row_says(client, shop, mp):
    """Authorized accounts' messages come through the component, always encrypted."""
    OfficialAccount.objects.filter(pk=shop.account.pk).update(
        mode=OfficialAccount.Mode.COMPONENT, message_encryption="plain", token_sealed="", aes_key_sealed=""
    )
    xml = event_xml(OPENID, "subscribe", event_key=f"qrscene_{shop.distributor.referral_code}")
    before = state()
    query, body = callback(shop.fake, xml, token=mp.component_token)
    assert post(client, SHOP_APP, query, body).status_code == 403
    assert state() == before
    query, body = encrypted(mp, xml)
    assert post(client, SHOP_APP, query, body).status_code == 200
