"""The fake WeChat's web side (installed into every ``FakeWeChatMp``): JS-SDK tickets and web OAuth scopes.

From WeChat's documentation (JS-SDK 附录1, 网页授权), errcodes included:

- ``GET /cgi-bin/ticket/getticket?access_token=…&type=jsapi`` -> ``{"errcode": 0, "errmsg": "ok",
  "ticket": …, "expires_in": 7200}``; 41001 without a token, 40001 / 42001 for an invalid / expired one
  (the world's token rules), 40097 for a ``type`` other than ``jsapi`` / ``wx_card``, 45009 when the
  account's daily quota is spent (``quota``), -1 while told to be busy (``busy_ticket_fetches``). Every
  fetch issues a new ticket; earlier ones stay valid until they expire (``expire_tickets``).
- web OAuth: ``oauth_code(app_id, openid, scope=…)`` says which scope the visitor granted; the code
  exchange answers that scope and remembers the user's OAuth token; ``GET /sns/userinfo`` answers the
  profile (``profiles``) for an ``snsapi_userinfo`` token: 41001 without a token, 40001 for an unknown
  one, 40003 for another openid, 48001 (api unauthorized) for an ``snsapi_base`` token.
"""

from __future__ import annotations

import json
import secrets
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from . import fake_wechat_app
from .fake_http import FakeRequest, FakeResponse

if TYPE_CHECKING:
    from .fake_wechat_app import FakeWeChatApp
    from .fake_wechat_mp import FakeWeChatMp

TICKET_SECONDS = 7200
ERRMSG = {
    -1: "system error",
    40001: "invalid credential, access_token is invalid or not latest",
    40003: "invalid openid",
    40097: "invalid args",
    41001: "access_token missing",
    45009: "reach max api daily quota limit",
    48001: "api unauthorized",
}


def _answer(payload: dict[str, Any]) -> FakeResponse:
    return FakeResponse(200, json.dumps(payload, ensure_ascii=False).encode())


def _error(errcode: int) -> FakeResponse:
    return _answer({"errcode": errcode, "errmsg": ERRMSG.get(errcode, "error")})


@dataclass
class FakeWeb:
    world: FakeWeChatMp
    #: ticket -> (app id, expires at)
    tickets: dict[str, tuple[str, float]] = field(default_factory=dict)
    ticket_fetches: Counter[str] = field(default_factory=Counter)
    #: app id -> ticket fetches left today (absent: no limit); 0 answers 45009
    quota: dict[str, int] = field(default_factory=dict)
    busy_ticket_fetches: int = 0
    #: OAuth code -> scope the visitor granted
    code_scopes: dict[str, str] = field(default_factory=dict)
    #: the user's OAuth access token -> (app id, openid, scope)
    user_tokens: dict[str, tuple[str, str, str]] = field(default_factory=dict)
    #: (app id, openid) -> (nickname, avatar url)
    profiles: dict[tuple[str, str], tuple[str, str]] = field(default_factory=dict)
    #: the simulated WeChat app's pages (authorization): ``fake_wechat_app``
    app: FakeWeChatApp | None = None

    # --- test controls -------------------------------------------------------------------------------

    def oauth_code(
        self, app_id: str, openid: str, *, scope: str = "snsapi_base", nickname: str = "", avatar: str = ""
    ) -> str:
        """The code WeChat appends to the redirect once the visitor granted ``scope``."""
        code = self.world.oauth_code(app_id, openid)
        self.code_scopes[code] = scope
        if nickname or avatar:
            self.profiles[(app_id, openid)] = (nickname, avatar)
        return code

    def current_ticket(self, app_id: str) -> str:
        """The newest valid ticket of the account ("" when none)."""
        now = time.time()
        valid = [(exp, t) for t, (owner, exp) in self.tickets.items() if owner == app_id and exp > now]
        return max(valid)[1] if valid else ""

    def expire_tickets(self, app_id: str) -> None:
        for ticket, (owner, _) in list(self.tickets.items()):
            if owner == app_id:
                self.tickets[ticket] = (owner, time.time() - 1)

    # --- routes --------------------------------------------------------------------------------------

    def getticket(self, request: FakeRequest) -> FakeResponse:
        account = self.world._account_of(request)
        if isinstance(account, FakeResponse):
            return account
        if self.world._q(request, "type") not in ("jsapi", "wx_card"):
            return _error(40097)
        if self.busy_ticket_fetches > 0:
            self.busy_ticket_fetches -= 1
            return _error(-1)
        left = self.quota.get(account.app_id)
        if left is not None:
            if left <= 0:
                return _error(45009)
            self.quota[account.app_id] = left - 1
        ticket = "kgt8ON7yVITDhtdwci0qe" + secrets.token_urlsafe(40)
        self.tickets[ticket] = (account.app_id, time.time() + TICKET_SECONDS)
        self.ticket_fetches[account.app_id] += 1
        return _answer({"errcode": 0, "errmsg": "ok", "ticket": ticket, "expires_in": TICKET_SECONDS})

    def userinfo(self, request: FakeRequest) -> FakeResponse:
        token = self.world._q(request, "access_token")
        if not token:
            return _error(41001)
        grant = self.user_tokens.get(token)
        if grant is None:
            return _error(40001)
        app_id, openid, scope = grant
        if self.world._q(request, "openid") != openid:
            return _error(40003)
        if scope != "snsapi_userinfo":
            return _error(48001)
        nickname, avatar = self.profiles.get((app_id, openid), ("微信用户", ""))
        follower = self.world.accounts[app_id].followers.get(openid)
        answer = {
            "openid": openid, "nickname": nickname, "sex": 0, "province": "", "city": "", "country": "",
            "headimgurl": avatar, "privilege": [],
        }  # fmt: skip
        if follower is not None and follower.unionid:
            answer["unionid"] = follower.unionid
        return _answer(answer)

    def wrap_code_exchange(self, handler: Any) -> Any:
        """The world's code exchange, answering the granted scope and remembering the user's token."""

        def exchange(request: FakeRequest) -> FakeResponse:
            scope = self.code_scopes.pop(self.world._q(request, "code"), "snsapi_base")
            response = handler(request)
            answer = json.loads(response.body)
            if "access_token" not in answer:
                return response
            answer["scope"] = scope
            self.user_tokens[answer["access_token"]] = (
                self.world._q(request, "appid"),
                answer["openid"],
                scope,
            )
            return _answer(answer)

        return exchange


def install(world: FakeWeChatMp) -> FakeWeb:
    """Add the web routes to ``world`` (called by ``FakeWeChatMp`` itself)."""
    web = FakeWeb(world)
    world.routes[:] = [
        route.__class__(route.method, route.pattern, route.name, web.wrap_code_exchange(route.handler))
        if route.name in ("oauth.access_token", "oauth.component_access_token")
        else route
        for route in world.routes
    ]
    world.add_route("GET", r"/cgi-bin/ticket/getticket", "ticket.getticket", web.getticket)
    world.add_route("GET", r"/sns/userinfo", "sns.userinfo", web.userinfo)
    web.app = fake_wechat_app.install(world)
    return web
