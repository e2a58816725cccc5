"""Callback messages as WeChat sends them, built with wechatpy's own signer and crypto."""

from __future__ import annotations

import secrets
import time
from urllib.parse import urlencode

from wechatpy.crypto import WeChatCrypto
from wechatpy.utils import WeChatSigner

from saleor_wechat_distribution.testing.fake_wechat_mp import FakeAccount


def event_xml(openid: str, event: str, *, event_key: str | None = None, create_time: int | None = None,
              to: str = "gh_0123456789ab", **extra: str) -> str:  # fmt: skip
    fields = {
        "ToUserName": to,
        "FromUserName": openid,
        "CreateTime": str(create_time or int(time.time())),
        "MsgType": "event",
        "Event": event,
        **({"EventKey": event_key} if event_key is not None else {}),
        **extra,
    }
    inner = "".join(f"<{k}><![CDATA[{v}]]></{k}>" for k, v in fields.items())
    return f"<xml>{inner}</xml>"


def sign(token: str, timestamp: str, nonce: str) -> str:
    signer = WeChatSigner()
    signer.add_data(token, timestamp, nonce)
    return signer.signature


def callback(account: FakeAccount, xml: str, *, safe: bool = False, timestamp: int | None = None,
             nonce: str | None = None, token: str | None = None, aes_key: str | None = None,
             envelope_app_id: str | None = None) -> tuple[str, bytes]:  # fmt: skip
    """(query string, body) of a POST to ``wechat/<app id>/``."""
    ts = str(timestamp or int(time.time()))
    nonce = nonce or secrets.token_hex(8)
    token = token or account.token
    query = {"signature": sign(token, ts, nonce), "timestamp": ts, "nonce": nonce, "openid": "x"}
    body = xml.encode()
    if safe:
        crypto = WeChatCrypto(token, aes_key or account.aes_key, envelope_app_id or account.app_id)
        envelope = crypto.encrypt_message(xml, nonce, ts)
        signature = envelope.split("<MsgSignature><![CDATA[")[1].split("]]>")[0]
        query |= {"encrypt_type": "aes", "msg_signature": signature}
        body = envelope.encode()
    return urlencode(query), body


def decrypt_reply(account: FakeAccount, reply: bytes, *, token: str | None = None, aes_key: str | None = None,
                  envelope_app_id: str | None = None) -> str:  # fmt: skip
    crypto = WeChatCrypto(
        token or account.token, aes_key or account.aes_key, envelope_app_id or account.app_id
    )
    text = reply.decode()
    signature = text.split("<MsgSignature><![CDATA[")[1].split("]]>")[0]
    timestamp = text.split("<TimeStamp>")[1].split("</TimeStamp>")[0]
    nonce = text.split("<Nonce><![CDATA[")[1].split("]]>")[0]
    return crypto.decrypt_message(text, signature, timestamp, nonce)
