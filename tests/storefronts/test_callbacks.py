"""wechat/<app id>/ callbacks: messages built with wechatpy's crypto, valid and tampered."""

from __future__ import annotations

import time

import pytest
from wechatpy.crypto import WeChatCrypto

from saleor_wechat_distribution.domain.referrals import identity_customer_key
from saleor_wechat_distribution.models import CustomerBinding, InboundEvent, QrCode, WeChatIdentity
from saleor_wechat_distribution.services.wechat_links import qr_code_for
from saleor_wechat_distribution.testing.factories import make_distributor
from saleor_wechat_distribution.wechat.callbacks import parse_xml
from saleor_wechat_distribution.wechat.event_hooks import register_event_handler, unregister_event_handler

from .conftest import SHOP_APP
from .messages import callback, decrypt_reply, event_xml, sign

OPENID = "o-follower-0001"


def post(client, app_id, query, body, **extra):
    return client.generic("POST", f"/wechat/{app_id}/?{query}", body, content_type="text/xml", **extra)


def state():
    return (
        InboundEvent.objects.count(),
        list(WeChatIdentity.objects.values_list("app_id", "openid", "subscribed")),
        list(CustomerBinding.objects.values_list("customer_key", "distributor_id")),
        list(QrCode.objects.values_list("scans", "follows", "bindings")),
    )


def test_get_echostr(client, shop):
    ts, nonce = str(int(time.time())), "n1"
    query = f"signature={sign(shop.fake.token, ts, nonce)}&timestamp={ts}&nonce={nonce}&echostr=hello123"
    answer = client.get(f"/wechat/{SHOP_APP}/?{query}")
    assert (answer.status_code, answer.content) == (200, b"hello123")
    bad = f"signature=0000&timestamp={ts}&nonce=n2&echostr=hello123"
    assert client.get(f"/wechat/{SHOP_APP}/?{bad}").status_code == 403


@pytest.mark.parametrize("safe", [False, True])
def test_follow_through_a_distributor_code_binds_the_identity_and_welcomes(client, shop, safe):
    qr = qr_code_for(storefront=shop.storefront, distributor=shop.distributor)
    xml = event_xml(OPENID, "subscribe", event_key=f"qrscene_{shop.distributor.referral_code}")
    query, body = callback(shop.fake, xml, safe=safe)
    answer = post(client, SHOP_APP, query, body)
    assert answer.status_code == 200
    reply = decrypt_reply(shop.fake, answer.content) if safe else answer.content.decode()
    assert "小王精选" in reply and "欢迎光临" in reply and OPENID in reply
    identity = WeChatIdentity.objects.get(app_id=SHOP_APP, openid=OPENID)
    assert identity.subscribed and identity.subscribe_scene == shop.distributor.referral_code
    binding = CustomerBinding.objects.get(customer_key=identity_customer_key(SHOP_APP, OPENID))
    assert (binding.distributor_id, binding.source, binding.channel) == (
        shop.distributor.pk,
        "qr",
        shop.storefront.channel,
    )
    qr.refresh_from_db()
    assert (qr.scans, qr.follows, qr.bindings) == (1, 1, 1)
    before = state()
    # WeChat retries the same event (new nonce): logged once, processed once
    query, body = callback(shop.fake, xml, safe=safe)
    assert post(client, SHOP_APP, query, body).content == b"success"
    assert state() == before
    # a SCAN later by the same follower counts a scan, binds nothing new
    query, body = callback(shop.fake, event_xml(OPENID, "SCAN", event_key=shop.distributor.referral_code))
    assert post(client, SHOP_APP, query, body).status_code == 200
    qr.refresh_from_db()
    assert (qr.scans, qr.follows, qr.bindings) == (2, 1, 1)


def test_scan_on_the_brand_account_names_the_distributors_storefront(client, shop):
    other = make_distributor(name="No shop")
    query, body = callback(
        shop.brand_fake, event_xml(OPENID, "SCAN", event_key=shop.distributor.referral_code)
    )
    reply = post(client, shop.brand_account.app_id, query, body).content.decode()
    assert "小王精选" in reply
    query, body = callback(shop.brand_fake, event_xml("o-2", "SCAN", event_key=other.referral_code))
    reply = post(client, shop.brand_account.app_id, query, body).content.decode()
    assert "Brand" in reply  # no storefront of their own: the account's
    assert CustomerBinding.objects.filter(distributor=other, source="qr").count() == 1


def test_unsubscribe(client, shop):
    query, body = callback(shop.fake, event_xml(OPENID, "subscribe", event_key=""))
    post(client, SHOP_APP, query, body)
    assert WeChatIdentity.objects.get(openid=OPENID).subscribed
    query, body = callback(shop.fake, event_xml(OPENID, "unsubscribe", create_time=int(time.time()) + 1))
    assert post(client, SHOP_APP, query, body).content == b"success"
    identity = WeChatIdentity.objects.get(openid=OPENID)
    assert not identity.subscribed and identity.unsubscribed_at is not None


def test_a_lost_scene_is_recovered_from_user_info(client, shop, mp, django_capture_on_commit_callbacks):
    mp.follow(SHOP_APP, OPENID, scene=shop.distributor.referral_code, unionid="union-1")
    query, body = callback(shop.fake, event_xml(OPENID, "subscribe"))  # the EventKey was lost
    with django_capture_on_commit_callbacks(execute=True):
        answer = post(client, SHOP_APP, query, body)
    assert "小王精选" in answer.content.decode()
    identity = WeChatIdentity.objects.get(openid=OPENID)
    assert identity.unionid == "union-1" and identity.subscribe_scene == shop.distributor.referral_code
    assert (
        CustomerBinding.objects.get(customer_key=identity_customer_key(SHOP_APP, OPENID)).distributor_id
        == shop.distributor.pk
    )
    assert mp.calls["user.info"] == 1


def test_card_events_go_to_the_registered_handler_once(client, shop):
    seen = []

    def on_card(event):
        seen.append((event.app_id, event.openid, event.event, event.fields.get("UserCardCode")))
        return "卡券已领取"

    register_event_handler("user_get_card", on_card)
    try:
        now = int(time.time())
        card = {"CardId": "pFS7Fjg8kV1IdDz01r4SQwMkuCKc", "create_time": now}
        xml = event_xml(OPENID, "user_get_card", UserCardCode="12312312", **card)
        query, body = callback(shop.fake, xml, safe=True)
        answer = post(client, SHOP_APP, query, body)
        assert "卡券已领取" in decrypt_reply(shop.fake, answer.content)
        query, body = callback(shop.fake, xml, safe=True)  # WeChat's retry
        assert post(client, SHOP_APP, query, body).content == b"success"
        # another card taken by the same user in the same second is another event
        query, body = callback(shop.fake, event_xml(OPENID, "user_get_card", UserCardCode="99999999", **card))
        assert "卡券已领取" in post(client, SHOP_APP, query, body).content.decode()
        assert seen == [
            (SHOP_APP, OPENID, "user_get_card", "12312312"),
            (SHOP_APP, OPENID, "user_get_card", "99999999"),
        ]
        assert InboundEvent.objects.filter(source="wechat.mp").count() == 2
    finally:
        unregister_event_handler("user_get_card")
    # nobody handles it any more: success, nothing written
    query, body = callback(shop.fake, event_xml("o-3", "user_get_card", CardId="x"))
    assert post(client, SHOP_APP, query, body).content == b"success"
    assert InboundEvent.objects.count() == 2


BOMB = (
    '<?xml version="1.0"?><!DOCTYPE xml [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
    '<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]>'
    "<xml><ToUserName>gh</ToUserName><FromUserName>&c;</FromUserName>"
    "<CreateTime>1</CreateTime><MsgType>event</MsgType><Event>subscribe</Event></xml>"
)
EXTERNAL = (
    '<?xml version="1.0"?><!DOCTYPE xml [<!ENTITY x SYSTEM "file:///etc/passwd">]><xml><ToUserName>gh</ToUserName>'
    "<FromUserName>&x;</FromUserName><CreateTime>1</CreateTime><MsgType>event</MsgType><Event>subscribe</Event></xml>"
)


def _tamper_encrypt(body: bytes) -> bytes:
    text = body.decode()
    start = text.index("<Encrypt><![CDATA[") + len("<Encrypt><![CDATA[")
    flipped = "A" if text[start + 10] != "A" else "B"
    return (text[: start + 10] + flipped + text[start + 11 :]).encode()


@pytest.mark.parametrize(
    ("case", "statuses"),
    [
        ("wrong signature", {403}),
        ("stale timestamp", {403}),
        ("future timestamp", {403}),
        ("malformed xml", {400}),
        ("not a message", {400}),
        ("oversized", {413}),
        ("entity expansion", {400}),
        ("external entity", {400}),
        ("unknown app id", {404}),
        ("unknown openid unsubscribes", {200}),
        ("scene names no distributor", {200}),
        ("tampered ciphertext", {403}),
        ("wrong aes key", {400, 403}),
        ("envelope for another app", {403}),
        ("aes without msg_signature", {403}),
        ("bad timestamp", {400}),
        ("PUT", {405}),
    ],
)
def test_bad_input_is_refused_and_writes_nothing(client, shop, case, statuses):
    code = shop.distributor.referral_code
    qr_code_for(storefront=shop.storefront, distributor=shop.distributor)
    good = event_xml(OPENID, "subscribe", event_key=f"qrscene_{code}")
    app_id, extra = SHOP_APP, {}
    query, body = callback(shop.fake, good)
    if case == "wrong signature":
        query, body = callback(shop.fake, good, token="another-token")
    elif case == "stale timestamp":
        query, body = callback(shop.fake, good, timestamp=int(time.time()) - 301)
    elif case == "future timestamp":
        query, body = callback(shop.fake, good, timestamp=int(time.time()) + 3600)
    elif case == "malformed xml":
        query, body = callback(shop.fake, "<xml><MsgType>event</MsgType><xml")
    elif case == "not a message":
        query, body = callback(shop.fake, "<html><MsgType>event</MsgType></html>")
    elif case == "oversized":
        query, body = callback(shop.fake, good.replace("</xml>", "<Pad>" + "x" * 40_000 + "</Pad></xml>"))
    elif case == "entity expansion":
        query, body = callback(shop.fake, BOMB)
    elif case == "external entity":
        query, body = callback(shop.fake, EXTERNAL)
    elif case == "unknown app id":
        app_id = "wxunknown00000001"
    elif case == "unknown openid unsubscribes":
        query, body = callback(shop.fake, event_xml("o-nobody", "unsubscribe"))
    elif case == "scene names no distributor":
        query, body = callback(shop.fake, event_xml(OPENID, "subscribe", event_key="qrscene_NOSUCHCODE"))
    elif case == "tampered ciphertext":
        query, body = callback(shop.fake, good, safe=True)
        body = _tamper_encrypt(body)
    elif case == "wrong aes key":
        query, body = callback(shop.fake, good, safe=True, aes_key="b" * 43)
    elif case == "envelope for another app":
        query, body = callback(shop.fake, good, safe=True, envelope_app_id="wxsomeoneelse0001")
    elif case == "aes without msg_signature":
        query, body = callback(shop.fake, good, safe=True)
        query = "&".join(p for p in query.split("&") if not p.startswith("msg_signature="))
    elif case == "bad timestamp":
        query = query.replace("timestamp=", "timestamp=x")
    before = state()
    if case == "PUT":
        answer = client.generic("PUT", f"/wechat/{app_id}/?{query}", body, content_type="text/xml")
    else:
        answer = post(client, app_id, query, body, **extra)
    assert answer.status_code in statuses, answer.content
    if answer.status_code == 200:
        assert answer.content == b"success"
    assert state() == before


def test_a_replayed_nonce_is_refused(client, shop):
    xml = event_xml(OPENID, "subscribe", event_key=f"qrscene_{shop.distributor.referral_code}")
    query, body = callback(shop.fake, xml, nonce="same-nonce")
    assert post(client, SHOP_APP, query, body).status_code == 200
    before = state()
    other = event_xml("o-other", "subscribe", event_key=f"qrscene_{shop.distributor.referral_code}")
    query2, body2 = callback(
        shop.fake, other, nonce="same-nonce", timestamp=int(query.split("timestamp=")[1].split("&")[0])
    )
    assert post(client, SHOP_APP, query2, body2).status_code == 403
    assert state() == before


def test_reply_in_safe_mode_is_verifiable_by_wechat(client, shop):
    xml = event_xml(OPENID, "subscribe", event_key=f"qrscene_{shop.distributor.referral_code}")
    query, body = callback(shop.fake, xml, safe=True)
    answer = post(client, SHOP_APP, query, body)
    text = answer.content.decode()
    assert "<Encrypt>" in text and "欢迎光临" not in text
    crypto = WeChatCrypto(shop.fake.token, shop.fake.aes_key, SHOP_APP)
    signature = text.split("<MsgSignature><![CDATA[")[1].split("]]>")[0]
    ts = text.split("<TimeStamp>")[1].split("</TimeStamp>")[0]
    nonce = text.split("<Nonce><![CDATA[")[1].split("]]>")[0]
    assert "欢迎光临" in crypto.decrypt_message(text, signature, ts, nonce)


def test_a_title_cannot_break_out_of_the_reply(client, shop):
    shop.storefront.title = "Shop]]></Content><MsgType>news</MsgType><x><![CDATA["
    shop.storefront.welcome_text = ""
    shop.storefront.save()
    xml = event_xml(OPENID, "subscribe", event_key=f"qrscene_{shop.distributor.referral_code}")
    query, body = callback(shop.fake, xml)
    reply = parse_xml(post(client, SHOP_APP, query, body).content)
    assert reply["MsgType"] == "text"
    assert shop.storefront.title in reply["Content"]
