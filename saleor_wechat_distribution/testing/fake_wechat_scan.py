"""Scanning a follow QR code in the simulated WeChat (the sandbox's way to try QR referrals without a
phone): what WeChat's servers and app do between a code and the Official Account's callback.

- ``GET /cgi-bin/showqrcode?ticket=…`` answers the code's picture (a PNG of the code's ``url``), as
  ``mp.weixin.qq.com`` does; our ``qr_image_url`` points here through
  ``WECHAT_DISTRIBUTION_QR_IMAGE_BASE_URL``.
- A code's ``url`` is ``<fake>/q/<id>`` (``FakeWeChatMp.qr_url_base``): opened (what scanning does), it
  asks who holds the phone (the personas of ``fake_wechat_app``), makes that persona follow the account
  with the code's scene, and posts the signed, encrypted ``subscribe`` event (``EventKey``
  ``qrscene_<scene>``, ``Ticket``) to the account's callback ``<callback_base>/wechat/<app id>/``, then
  shows the account's reply (the welcome) as the chat would.
"""

from __future__ import annotations

import html
import io
import secrets
import time
import urllib.error
import urllib.request
from typing import TYPE_CHECKING
from urllib.parse import urlencode

import qrcode
from wechatpy.crypto import WeChatCrypto
from wechatpy.utils import WeChatSigner

from .fake_http import FakeRequest, FakeResponse
from .fake_wechat_app import _again, _cookie, _page

if TYPE_CHECKING:
    from .fake_wechat_mp import FakeAccount, FakeWeChatMp


def qr_png(text: str) -> bytes:
    image = qrcode.make(text, border=2, box_size=8)
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def install_scan(world: FakeWeChatMp, *, callback_base: str) -> None:
    """Serve code pictures and the scan page on ``world`` (see the module's docstring)."""
    world.qr_url_base = world.base_url + "/q/"
    callback_base = callback_base.rstrip("/")

    def picture(request: FakeRequest) -> FakeResponse:
        ticket = (request.query.get("ticket") or [""])[0]
        url = world.qr_ticket_urls.get(ticket)
        if url is None:
            return FakeResponse(404, b"invalid ticket", "text/plain")
        return FakeResponse(200, qr_png(url), "image/png")

    def scan(request: FakeRequest) -> FakeResponse:
        url = world.qr_url_base + request.params["code"]
        ticket = next((t for t, u in world.qr_ticket_urls.items() if u == url), None)
        if ticket is None or ticket not in world.qr_tickets:
            return _page("二维码", "<p>二维码已失效 (this code is not valid)</p>", status=404)
        app_id, scene, _permanent, expires_at = world.qr_tickets[ticket]
        if expires_at is not None and expires_at < time.time():
            return _page("二维码", "<p>二维码已过期 (this code has expired)</p>", status=410)
        app = world.web.app
        assert app is not None
        chosen = (request.query.get("as") or [""])[0] or _cookie(request)
        if chosen == "new":
            chosen = "new-" + secrets.token_hex(4)
            app.add_persona(chosen, "新朋友 " + chosen[-4:])
        persona = app.personas.get(chosen or "")
        if persona is None:
            links = "".join(
                f'<a class="button" data-persona="{html.escape(p.key)}" '
                f'href="{_again(request, **{"as": p.key})}">{html.escape(p.nickname)}</a>'
                for p in app.personas.values()
            )
            body = (
                "<p>谁在扫码？ Who is scanning this code?</p>" + links
                + f'<a class="button primary" data-persona="new" href="{_again(request, **{"as": "new"})}">'
                "新朋友 Someone new</a>"
            )  # fmt: skip
            return _page("扫码关注", body)
        openid = persona.openid(app_id)
        account = world.accounts[app_id]
        world.follow(app_id, openid, scene=scene, unionid=persona.unionid)
        reply = _push_subscribe(account, f"{callback_base}/wechat/{app_id}/", openid, scene, ticket)
        body = (
            f"<p data-testid='followed'>{html.escape(persona.nickname)} 已关注 followed "
            f"<b>{html.escape(account.name)}</b> (场景 scene {html.escape(scene)})</p>"
            "<p class='note'>公众号回复 The account replied:</p>"
            f"<p data-testid='reply'>{html.escape(reply)}</p>"
        )
        headers = {"Set-Cookie": f"fake_wechat_user={persona.key}; Path=/; SameSite=Lax"}
        return _page("扫码关注", body, headers=headers)

    world.add_route("GET", r"/cgi-bin/showqrcode", "showqrcode", picture)
    world.add_route("GET", r"/q/(?P<code>[A-Za-z0-9_-]+)", "fake.scan", scan)


def _push_subscribe(account: FakeAccount, url: str, openid: str, scene: str, ticket: str) -> str:
    """Post the ``subscribe`` event as WeChat does (safe mode: encrypted, signed); the reply's text."""
    fields = {
        "ToUserName": "gh_" + account.app_id[-12:],
        "FromUserName": openid,
        "CreateTime": str(int(time.time())),
        "MsgType": "event",
        "Event": "subscribe",
        "EventKey": f"qrscene_{scene}",
        "Ticket": ticket,
    }
    xml = "<xml>" + "".join(f"<{k}><![CDATA[{v}]]></{k}>" for k, v in fields.items()) + "</xml>"
    timestamp, nonce = str(int(time.time())), secrets.token_hex(8)
    crypto = WeChatCrypto(account.token, account.aes_key, account.app_id)
    envelope = crypto.encrypt_message(xml, nonce, timestamp)
    signer = WeChatSigner()
    signer.add_data(account.token, timestamp, nonce)
    signature = envelope.split("<MsgSignature><![CDATA[")[1].split("]]>")[0]
    query = urlencode({"signature": signer.signature, "timestamp": timestamp, "nonce": nonce,
                       "openid": openid, "encrypt_type": "aes", "msg_signature": signature})  # fmt: skip
    request = urllib.request.Request(  # noqa: S310 - the sandbox's own address
        f"{url}?{query}", data=envelope.encode(), headers={"Content-Type": "text/xml"}, method="POST"
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:  # noqa: S310
            text = answer.read().decode()
    except urllib.error.HTTPError as refused:
        return f"(the callback answered HTTP {refused.code})"
    if "<Encrypt>" not in text:
        return text
    try:
        values = text.split("<MsgSignature><![CDATA[")[1].split("]]>")[0], _tag(text, "TimeStamp"), _tag(
            text, "Nonce"
        )
        plain = crypto.decrypt_message(text, *values)
    except Exception:  # the reply is shown as a convenience only
        return "(encrypted reply)"
    return _tag(plain, "Content") or plain


def _tag(xml: str, name: str) -> str:
    start = xml.find(f"<{name}>")
    if start < 0:
        return ""
    value = xml[start + len(name) + 2 : xml.find(f"</{name}>", start)]
    return value.removeprefix("<![CDATA[").removesuffix("]]>")
