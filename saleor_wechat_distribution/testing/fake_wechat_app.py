"""What the WeChat app does in front of its user, simulated on the fakes' own origins (the sandbox and the
browser tests send people there as WeChat would): web authorization and the 确认收款 page of a transfer.

- ``GET /connect/oauth2/authorize?appid&redirect_uri&response_type=code&scope&state[&component_appid]``
  on ``FakeWeChatMp`` (our ``WECHAT_DISTRIBUTION_OAUTH_BASE_URL`` points at ``<fake>/connect/``): who is
  holding the phone is a *persona* remembered in a cookie (chosen on a page listing ``personas`` and
  "someone new"); ``snsapi_base`` then redirects at once with a one-time ``code`` (as WeChat does),
  ``snsapi_userinfo`` asks once per account (允许). Unknown app ids and missing redirects answer as WeChat's
  error page does. A persona has one openid per account and one unionid, like a real person.
- ``GET /fake/merchant-transfer?package&redirect`` on ``FakeWeChatPay`` (``install_transfer``): the
  user's confirmation of a v3 transfer waiting for it (``wx.requestMerchantTransfer`` outside WeChat):
  shows the amount, and on 确认收款 pays the bill, posts the signed ``MCHTRANSFER.BILL.FINISHED``
  notification to the bill's ``notify_url`` and redirects back.
"""

from __future__ import annotations

import hashlib
import html
import secrets
import urllib.request
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from typing import TYPE_CHECKING
from urllib.parse import urlencode, urlsplit, urlunsplit

from .fake_http import FakeRequest, FakeResponse

if TYPE_CHECKING:
    from .fake_wechat_mp import FakeWeChatMp
    from .fake_wechatpay import FakeWeChatPay

COOKIE = "fake_wechat_user"
PAGE = """<!doctype html><html lang="zh-Hans"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>{title}</title>
<style>body{{font:17px -apple-system,sans-serif;margin:0;background:#ededed;color:#111}}
header{{background:#07c160;color:#fff;padding:14px 16px;font-size:15px}}
main{{padding:16px}} a.button{{display:block;margin:12px 0;padding:14px;border-radius:8px;background:#fff;
color:#111;text-decoration:none;text-align:center}} a.primary{{background:#07c160;color:#fff}}
p.note{{color:#888;font-size:14px}}</style></head>
<body><header>模拟微信 Simulated WeChat</header><main data-testid="fake-wechat">{body}</main></body></html>"""


@dataclass
class Persona:
    key: str
    nickname: str
    avatar: str = ""

    def openid(self, app_id: str) -> str:
        return "o" + hashlib.sha256(f"{self.key}:{app_id}".encode()).hexdigest()[:27]

    @property
    def unionid(self) -> str:
        return "u" + hashlib.sha256(f"union:{self.key}".encode()).hexdigest()[:27]


@dataclass
class FakeWeChatApp:
    world: FakeWeChatMp
    #: who may be holding the phone (the sandbox names its demo people; "someone new" is always offered)
    personas: dict[str, Persona] = field(default_factory=dict)
    #: (persona key, app id) pairs that allowed snsapi_userinfo
    consents: set[tuple[str, str]] = field(default_factory=set)

    def add_persona(self, key: str, nickname: str, avatar: str = "") -> Persona:
        persona = self.personas[key] = Persona(key, nickname, avatar)
        return persona

    def authorize(self, request: FakeRequest) -> FakeResponse:
        q = self.world._q
        app_id, redirect_uri, scope, state = (
            q(request, "appid"),
            q(request, "redirect_uri"),
            q(request, "scope"),
            q(request, "state"),
        )
        if app_id not in self.world.accounts:
            return _page("错误", "<p>appid 参数错误 (invalid appid)</p>", status=400)
        if not redirect_uri.startswith(("http://", "https://")) or scope not in (
            "snsapi_base",
            "snsapi_userinfo",
        ):
            return _page("错误", "<p>redirect_uri 或 scope 参数错误</p>", status=400)
        chosen = q(request, "as")
        if chosen == "new":
            chosen = "new-" + secrets.token_hex(4)
            self.add_persona(chosen, "新朋友 " + chosen[-4:])
        key = chosen or _cookie(request)
        persona = self.personas.get(key or "")
        if persona is None:
            return self._chooser(request)
        headers = {"Set-Cookie": f"{COOKIE}={persona.key}; Path=/; SameSite=Lax"}
        if scope == "snsapi_userinfo" and (persona.key, app_id) not in self.consents:
            if q(request, "allow") != "1":
                return self._consent(request, persona, headers)
            self.consents.add((persona.key, app_id))
        openid = persona.openid(app_id)
        self.world.follow(app_id, openid, unionid=persona.unionid)
        code = self.world.web.oauth_code(
            app_id, openid, scope=scope, nickname=persona.nickname, avatar=persona.avatar
        )
        return _redirect(_with_query(redirect_uri, {"code": code, "state": state}), headers)

    def _chooser(self, request: FakeRequest) -> FakeResponse:
        links = "".join(
            f'<a class="button" data-persona="{html.escape(p.key)}" '
            f'href="{_again(request, **{"as": p.key})}">{html.escape(p.nickname)}</a>'
            for p in self.personas.values()
        )
        body = (
            "<p>谁在用这部手机？ Who is holding the phone?</p>" + links
            + f'<a class="button primary" data-persona="new" href="{_again(request, **{"as": "new"})}">'
            "新朋友 Someone new</a><p class='note'>微信会自动识别用户；这里由你选择。WeChat knows its user; "
            "here you choose.</p>"
        )  # fmt: skip
        return _page("微信授权", body)

    def _consent(self, request: FakeRequest, persona: Persona, headers: dict[str, str]) -> FakeResponse:
        body = (
            f"<p>{html.escape(persona.nickname)}</p><p>申请获取你的昵称、头像 — the page asks for your "
            'nickname and avatar.</p><a class="button primary" data-testid="allow" '
            f'href="{_again(request, allow="1")}">允许 Allow</a>'
        )
        return _page("微信授权", body, headers=headers)


def install_transfer(pay: FakeWeChatPay) -> None:
    """The 确认收款 page on the fake WeChat Pay (see the module's docstring)."""

    def confirm(request: FakeRequest) -> FakeResponse:
        package = (request.query.get("package") or [""])[0]
        back = (request.query.get("redirect") or [""])[0]
        bill = next(
            (
                b
                for b in pay.bills.values()
                if package and b.package_info == package and b.state == "WAIT_USER_CONFIRM"
            ),
            None,
        )
        if bill is None:
            return _page("转账", "<p>这笔转账无需确认或已失效 (nothing to confirm)</p>", status=404)
        if (request.query.get("confirm") or [""])[0] != "1":
            amount = f"{bill.amount_fen // 100}.{bill.amount_fen % 100:02d}"
            body = (
                f'<p>商家转账 Merchant transfer</p><p style="font-size:32px">¥{amount}</p>'
                '<a class="button primary" data-testid="confirm-transfer" '
                f'href="{_again(request, confirm="1")}">确认收款 Confirm</a>'
            )
            return _page("确认收款", body)
        pay.user_confirms(bill.out_bill_no)
        if bill.notify_url:
            headers, body = pay.transfer_notification(bill.out_bill_no)
            notify = urllib.request.Request(bill.notify_url, data=body, headers=headers, method="POST")  # noqa: S310
            with urllib.request.urlopen(notify, timeout=10):  # noqa: S310 - the sandbox's own address
                pass
        if back.startswith(("http://", "https://")):
            return _redirect(_with_query(back, {"transfer": "confirmed"}, keep_fragment=True), {})
        return _page("确认收款", "<p>已收款 Received</p>")

    pay.add_route("GET", r"/fake/merchant-transfer", "fake.merchant_transfer", confirm, api="plain")


def component_login_page(world: FakeWeChatMp, request: FakeRequest) -> FakeResponse:
    """The Open Platform's authorization page (``componentloginpage``: in tests
    ``WECHAT_DISTRIBUTION_COMPONENT_LOGIN_URL`` points here): the account's administrator picks the account
    (WeChat: scans with the phone) and confirms; WeChat then redirects with ``auth_code`` (also sent in
    the ``authorized`` notice)."""
    q = world._q
    redirect_uri, pre_auth_code = q(request, "redirect_uri"), q(request, "pre_auth_code")
    if q(request, "component_appid") != world.component_app_id or pre_auth_code not in world.pre_auth_codes:
        return _page("授权", "<p>该链接已失效 (invalid or expired pre_auth_code)</p>", status=400)
    if not redirect_uri.startswith(("http://", "https://")):
        return _page("授权", "<p>redirect_uri 参数错误</p>", status=400)
    chosen = q(request, "account")
    if chosen in world.accounts:
        world.pre_auth_codes.discard(pre_auth_code)  # a link works once
        code = world.authorize(chosen)
        return _redirect(_with_query(redirect_uri, {"auth_code": code, "expires_in": "3600"}), {})
    links = "".join(
        f'<a class="button primary" data-account="{html.escape(a.app_id)}" '
        f'href="{_again(request, account=a.app_id)}">授权 {html.escape(a.name)} ({html.escape(a.app_id)})</a>'
        for a in world.accounts.values()
    )
    body = "<p>公众号管理员扫码授权 — the account's administrator authorizes the platform:</p>" + links
    return _page("公众号授权", body)


def install(world: FakeWeChatMp) -> FakeWeChatApp:
    app = FakeWeChatApp(world)
    world.add_route("GET", r"/connect/oauth2/authorize", "oauth.authorize", app.authorize)
    world.add_route(
        "GET",
        r"/cgi-bin/componentloginpage",
        "component.loginpage",
        lambda request: component_login_page(world, request),
    )
    return app


def _cookie(request: FakeRequest) -> str:
    jar = SimpleCookie()
    jar.load(request.headers.get("Cookie") or "")
    return jar[COOKIE].value if COOKIE in jar else ""


def _with_query(url: str, values: dict[str, str], *, keep_fragment: bool = False) -> str:
    """``url`` with ``values`` added to its query; the fragment dropped, as WeChat's redirects drop it,
    unless ``keep_fragment`` (a page going back to the screen it came from)."""
    parts = urlsplit(url)
    query = "&".join(filter(None, [parts.query, urlencode({k: v for k, v in values.items() if v})]))
    fragment = parts.fragment if keep_fragment else ""
    return urlunsplit((parts.scheme, parts.netloc, parts.path, query, fragment))


def _again(request: FakeRequest, **values: str) -> str:
    query = {k: v[0] for k, v in request.query.items()} | values
    return html.escape(request.path + "?" + urlencode(query))


def _redirect(location: str, headers: dict[str, str]) -> FakeResponse:
    return FakeResponse(302, b"", "text/plain", {"Location": location, **headers})


def _page(title: str, body: str, *, status: int = 200, headers: dict[str, str] | None = None) -> FakeResponse:
    text = PAGE.format(title=html.escape(title), body=body)
    return FakeResponse(status, text.encode(), "text/html; charset=utf-8", dict(headers or {}))
