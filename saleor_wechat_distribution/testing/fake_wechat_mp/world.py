"""A fake of WeChat's Official Account and Open Platform APIs, served over real HTTP on 127.0.0.1.

Built like ``fake_wechatpay``: one in-process world, a dispatch table of routes, a ThreadingHTTPServer in
a daemon thread. Written from WeChat's documentation (errcodes included), never importing wechatpy, so the
client code under test runs for real against it. Point clients at ``world.base_url + "/"`` (settings
``WECHAT_DISTRIBUTION_API_BASE_URL``).

What it keeps: accounts (app secret, followers with openid / unionid / QR scene), access tokens with
their expiry (tests expire or revoke them), QR tickets, one-time OAuth codes, template messages sent,
legacy 卡券 cards with custom codes (``card/code/consume``), and the Open Platform's side (verify
ticket, component token, pre-auth codes, authorization codes, authorizer refresh tokens).
``calls`` counts requests per route.

    with FakeWeChatMp() as world:
        account = world.add_account("wx1234567890abcdef")
        world.follow(account.app_id, "openid-1", scene="ABCD2345")
"""

from __future__ import annotations

import json
import re
import secrets
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import ThreadingHTTPServer
from typing import Any, Self

from .fake_wechatpay import FakeRequest, FakeResponse, _RequestHandler

__all__ = ["FakeAccount", "FakeCard", "FakeFollower", "FakeWeChatMp", "SentTemplate"]

TOKEN_SECONDS = 7200
QR_MAX_EXPIRE = 2_592_000
QR_PERMANENT_LIMIT = 100_000
#: documented errcodes the fake answers with
ERRMSG = {
    -1: "system error",
    40001: "invalid credential, access_token is invalid or not latest",
    40003: "invalid openid",
    40013: "invalid appid",
    40029: "invalid code",
    40037: "invalid template_id",
    40056: "invalid serial code",
    40078: "invalid card status",
    40099: "invalid code, this code has consumed.",
    40127: "invalid user-card status! the card may be deleted or set unavailable",
    40097: "invalid args",
    40125: "invalid appsecret",
    40163: "code been used",
    41001: "access_token missing",
    41011: "missing required fields",
    41012: "missing card_id",
    42001: "access_token expired",
    43004: "require subscribe",
    45030: "this card_id is not authorized to this api",
    61003: "component is not authorized by this account",
    61005: "component ticket is expired",
    61006: "component ticket is invalid",
    61010: "code is expired or used",
    61023: "refresh_token is invalid",
}


@dataclass
class FakeFollower:
    openid: str
    unionid: str = ""
    subscribed: bool = True
    subscribe_scene: str = "ADD_SCENE_SEARCH"
    qr_scene_str: str = ""


@dataclass
class FakeAccount:
    app_id: str
    secret: str
    token: str
    aes_key: str
    name: str = "测试公众号"
    service_type: int = 2  # service account
    verify_type: int = 0  # certified
    followers: dict[str, FakeFollower] = field(default_factory=dict)
    templates: set[str] = field(default_factory=set)
    permanent_qr: int = 0


@dataclass
class FakeCard:
    """A legacy 卡券 card (created before 2021-04-01) with custom codes (自定义code: ``card_id`` is
    required with every code call). ``codes``: code -> user_card_status (NORMAL, CONSUMED, DELETE,
    GIFTING, EXPIRE, UNAVAILABLE); ``holders``: code -> openid."""

    card_id: str
    app_id: str
    codes: dict[str, str] = field(default_factory=dict)
    holders: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class SentTemplate:
    app_id: str
    openid: str
    template_id: str
    data: dict
    url: str
    msgid: int


Handler = Callable[[FakeRequest], FakeResponse]


@dataclass(frozen=True)
class Route:
    method: str
    pattern: re.Pattern[str]
    name: str
    handler: Handler


def _answer(payload: dict[str, Any]) -> FakeResponse:
    return FakeResponse(200, json.dumps(payload, ensure_ascii=False).encode())


def _error(errcode: int) -> FakeResponse:
    # WeChat answers errors with HTTP 200 and an errcode
    return _answer({"errcode": errcode, "errmsg": ERRMSG.get(errcode, "error")})


def _random_key() -> str:
    return secrets.token_urlsafe(40).replace("-", "a").replace("_", "b")[:43]


class FakeWeChatMp:
    def __init__(self, *, component_app_id: str = "wxcomponent000001") -> None:
        self.accounts: dict[str, FakeAccount] = {}
        #: access token -> (app id, expires at); "component:<appid>" for component tokens
        self.tokens: dict[str, tuple[str, float]] = {}
        self.token_fetches: Counter[str] = Counter()
        self.qr_tickets: dict[str, tuple[str, str, bool, float | None]] = {}
        self.oauth_codes: dict[str, tuple[str, str]] = {}
        self.used_codes: set[str] = set()
        self.sent: list[SentTemplate] = []
        self.calls: Counter[str] = Counter()
        #: app ids whose every token is refused with 40001, even a fresh one (a broken account)
        self.refuse_every_token: set[str] = set()
        #: the next N template sends answer errcode -1 (system busy): callers retry
        self.busy_template_sends = 0
        self.cards: dict[str, FakeCard] = {}
        #: the next N card/code/consume calls answer errcode -1 (system busy)
        self.busy_card_consumes = 0
        self.errors: list[Exception] = []
        self.component_app_id = component_app_id
        self.component_secret = secrets.token_hex(16)
        self.component_token = secrets.token_hex(8)
        self.component_aes_key = _random_key()
        self.verify_ticket = ""
        self.pre_auth_codes: set[str] = set()
        self.authorization_codes: dict[str, str] = {}
        self.refresh_tokens: dict[str, str] = {}
        #: authorizers that withdrew their authorization in the Official Account's admin panel
        self.withdrawn: set[str] = set()
        self._sequence = 1000
        self._lock = threading.RLock()
        self.routes: list[Route] = []
        self._install()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # --- lifecycle ---------------------------------------------------------------------------------

    def start(self) -> Self:
        if self._server is None:
            server = ThreadingHTTPServer(("127.0.0.1", 0), _RequestHandler)
            server.daemon_threads = True
            server.world = self  # type: ignore[attr-defined]
            self._server = server
            self._thread = threading.Thread(
                target=server.serve_forever,
                kwargs={"poll_interval": 0.01},
                name="fake-wechat-mp",
                daemon=True,
            )
            self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            if self._thread is not None:
                self._thread.join(timeout=5)
            self._server = self._thread = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        if self._server is None:
            raise RuntimeError("the fake WeChat is not started")
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def component_settings(self) -> dict[str, str]:
        return {
            "app_id": self.component_app_id,
            "app_secret": self.component_secret,
            "token": self.component_token,
            "encoding_aes_key": self.component_aes_key,
        }

    # --- test controls -----------------------------------------------------------------------------

    def add_account(self, app_id: str, **values: Any) -> FakeAccount:
        account = FakeAccount(
            app_id=app_id,
            secret=values.pop("secret", secrets.token_hex(16)),
            token=values.pop("token", "callbacktoken"),
            aes_key=values.pop("aes_key", _random_key()),
            **values,
        )
        self.accounts[app_id] = account
        return account

    def follow(self, app_id: str, openid: str, *, scene: str = "", unionid: str = "") -> FakeFollower:
        follower = FakeFollower(
            openid=openid,
            unionid=unionid,
            subscribe_scene="ADD_SCENE_QR_CODE" if scene else "ADD_SCENE_SEARCH",
            qr_scene_str=scene,
        )
        self.accounts[app_id].followers[openid] = follower
        return follower

    def expire_tokens(self, app_id: str) -> None:
        """Every token of the account expires now (errcode 42001 from then on)."""
        with self._lock:
            for token, (owner, _) in list(self.tokens.items()):
                if owner == app_id:
                    self.tokens[token] = (owner, time.time() - 1)

    def revoke_tokens(self, app_id: str) -> None:
        """Someone else fetched a token: earlier ones become invalid (errcode 40001)."""
        with self._lock:
            for token, (owner, _) in list(self.tokens.items()):
                if owner == app_id:
                    del self.tokens[token]

    def add_card(self, app_id: str, card_id: str, holders: dict[str, str]) -> FakeCard:
        """A legacy card of ``app_id`` whose codes (code -> openid) are in users' card packs."""
        card = FakeCard(card_id, app_id, dict.fromkeys(holders, "NORMAL"), dict(holders))
        self.cards[card_id] = card
        return card

    def oauth_code(self, app_id: str, openid: str) -> str:
        """The ``code`` WeChat appends to the redirect after the visitor opened the authorize URL."""
        code = secrets.token_hex(16)
        self.oauth_codes[code] = (app_id, openid)
        return code

    def push_verify_ticket(self) -> str:
        self.verify_ticket = "ticket@@@" + secrets.token_urlsafe(24)
        return self.verify_ticket

    def authorize(self, app_id: str) -> str:
        """The account's administrator scans and confirms on the authorization page: the code that
        comes back on the redirect (``auth_code``) and in the ``authorized`` notice."""
        code = "queryauthcode@@@" + secrets.token_urlsafe(24)
        self.authorization_codes[code] = app_id
        return code

    def withdraw_authorization(self, app_id: str) -> None:
        """The account's administrator cancels the authorization: its refresh token and tokens stop
        working; refreshing answers 61003."""
        with self._lock:
            self.withdrawn.add(app_id)
            self.refresh_tokens.pop(app_id, None)
        self.revoke_tokens(app_id)

    # --- dispatch ----------------------------------------------------------------------------------

    def add_route(self, method: str, pattern: str, name: str, handler: Handler) -> None:
        self.routes.append(Route(method.upper(), re.compile(pattern), name, handler))

    def _dispatch(self, request: FakeRequest) -> FakeResponse:
        for route in self.routes:
            match = route.pattern.fullmatch(request.path)
            if match is None or route.method != request.method:
                continue
            request.params = match.groupdict()
            with self._lock:
                self.calls[route.name] += 1
                try:
                    return route.handler(request)
                except Exception as exc:
                    self.errors.append(exc)
                    return FakeResponse(500, str(exc).encode(), "text/plain")
        return FakeResponse(404, b"not found", "text/plain")

    def _install(self) -> None:
        add = self.add_route
        add("GET", r"/cgi-bin/token", "token", self._token)
        add("POST", r"/cgi-bin/qrcode/create", "qrcode.create", self._qrcode_create)
        add("GET", r"/cgi-bin/user/info", "user.info", self._user_info)
        add("POST", r"/cgi-bin/message/template/send", "template.send", self._template_send)
        add("POST", r"/card/code/consume", "card.code.consume", self._card_consume)
        add("GET", r"/sns/oauth2/access_token", "oauth.access_token", self._oauth)
        add("GET", r"/sns/oauth2/component/access_token", "oauth.component_access_token", self._oauth)
        add("POST", r"/cgi-bin/component/api_component_token", "component.token", self._component_token)
        add("POST", r"/cgi-bin/component/api_create_preauthcode", "component.preauthcode", self._preauth)
        add("POST", r"/cgi-bin/component/api_query_auth", "component.query_auth", self._query_auth)
        add(
            "POST",
            r"/cgi-bin/component/api_authorizer_token",
            "component.authorizer_token",
            self._authorizer_token,
        )
        add(
            "POST",
            r"/cgi-bin/component/api_get_authorizer_info",
            "component.authorizer_info",
            self._authorizer_info,
        )

    # --- helpers -----------------------------------------------------------------------------------

    @staticmethod
    def _q(request: FakeRequest, name: str) -> str:
        return (request.query.get(name) or [""])[0]

    def _new_token(self, owner: str) -> str:
        token = secrets.token_urlsafe(32)
        self.tokens[token] = (owner, time.time() + TOKEN_SECONDS)
        self.token_fetches[owner] += 1
        return token

    def _account_of(self, request: FakeRequest, param: str = "access_token") -> FakeAccount | FakeResponse:
        token = self._q(request, param)
        if not token:
            return _error(41001)
        owner = self.tokens.get(token)
        if owner is None:
            return _error(40001)
        app_id, expires_at = owner
        if app_id in self.refuse_every_token:
            return _error(40001)
        if time.time() >= expires_at:
            return _error(42001)
        if app_id not in self.accounts:
            return _error(40001)
        return self.accounts[app_id]

    # --- Official Account API ----------------------------------------------------------------------

    def _token(self, request: FakeRequest) -> FakeResponse:
        account = self.accounts.get(self._q(request, "appid"))
        if account is None:
            return _error(40013)
        if (
            self._q(request, "secret") != account.secret
            or self._q(request, "grant_type") != "client_credential"
        ):
            return _error(40125)
        return _answer({"access_token": self._new_token(account.app_id), "expires_in": TOKEN_SECONDS})

    def _qrcode_create(self, request: FakeRequest) -> FakeResponse:
        account = self._account_of(request)
        if isinstance(account, FakeResponse):
            return account
        body = request.json()
        action = body.get("action_name")
        scene = ((body.get("action_info") or {}).get("scene") or {}).get("scene_str", "")
        if action not in ("QR_STR_SCENE", "QR_LIMIT_STR_SCENE") or not 1 <= len(scene) <= 64:
            return _error(40097)
        permanent = action == "QR_LIMIT_STR_SCENE"
        expire = None if permanent else int(body.get("expire_seconds") or 60)
        if expire is not None and not 60 <= expire <= QR_MAX_EXPIRE:
            return _error(40097)
        if permanent:
            if account.permanent_qr >= QR_PERMANENT_LIMIT:
                return _answer({"errcode": 45029, "errmsg": "qrcode count out of limit"})
            account.permanent_qr += 1
        ticket = "gQ" + secrets.token_urlsafe(30)
        self.qr_tickets[ticket] = (account.app_id, scene, permanent, time.time() + expire if expire else None)
        answer: dict[str, Any] = {
            "ticket": ticket,
            "url": f"http://weixin.qq.com/q/{secrets.token_urlsafe(12)}",
        }
        if expire is not None:
            answer["expire_seconds"] = expire
        return _answer(answer)

    def _user_info(self, request: FakeRequest) -> FakeResponse:
        account = self._account_of(request)
        if isinstance(account, FakeResponse):
            return account
        follower = account.followers.get(self._q(request, "openid"))
        if follower is None:
            return _error(40003)
        if not follower.subscribed:
            return _answer({"subscribe": 0, "openid": follower.openid, "unionid": follower.unionid})
        return _answer(
            {
                "subscribe": 1,
                "openid": follower.openid,
                "language": "zh_CN",
                "subscribe_time": int(time.time()),
                "unionid": follower.unionid,
                "remark": "",
                "groupid": 0,
                "tagid_list": [],
                "subscribe_scene": follower.subscribe_scene,
                "qr_scene": 0,
                "qr_scene_str": follower.qr_scene_str,
            }
        )

    def _template_send(self, request: FakeRequest) -> FakeResponse:
        account = self._account_of(request)
        if isinstance(account, FakeResponse):
            return account
        body = request.json()
        if self.busy_template_sends > 0:
            self.busy_template_sends -= 1
            return _answer({"errcode": -1, "errmsg": "system error"})
        if body.get("template_id") not in account.templates:
            return _error(40037)
        follower = account.followers.get(body.get("touser", ""))
        if follower is None:
            return _error(40003)
        if not follower.subscribed:
            return _error(43004)
        self._sequence += 1
        self.sent.append(
            SentTemplate(account.app_id, follower.openid, body["template_id"], body.get("data") or {},
                         body.get("url") or "", self._sequence)
        )  # fmt: skip
        return _answer({"errcode": 0, "errmsg": "ok", "msgid": self._sequence})

    def _card_consume(self, request: FakeRequest) -> FakeResponse:
        """核销Code (card/code/consume), from the 卡券 docs and their error codes: 41011 without ``code``,
        41012 without ``card_id`` (custom-code cards), 45030 for a card of another account, 40056 for a
        code the card does not have, 40099 for a code already consumed, 40127 for one the user deleted or
        is gifting, 40078 for an expired or unavailable one; -1 (system busy) when told to."""
        account = self._account_of(request)
        if isinstance(account, FakeResponse):
            return account
        body = request.json()
        code, card_id = str(body.get("code") or ""), str(body.get("card_id") or "")
        if not code:
            return _error(41011)
        if not card_id:
            return _error(41012)
        if self.busy_card_consumes > 0:
            self.busy_card_consumes -= 1
            return _error(-1)
        card = self.cards.get(card_id)
        if card is None or card.app_id != account.app_id:
            return _error(45030)
        status = card.codes.get(code)
        if status is None:
            return _error(40056)
        if status == "CONSUMED":
            return _error(40099)
        if status in ("DELETE", "GIFTING"):
            return _error(40127)
        if status != "NORMAL":
            return _error(40078)
        card.codes[code] = "CONSUMED"
        return _answer(
            {"errcode": 0, "errmsg": "ok", "card": {"card_id": card_id}, "openid": card.holders.get(code, "")}
        )

    def _oauth(self, request: FakeRequest) -> FakeResponse:
        app_id = self._q(request, "appid")
        account = self.accounts.get(app_id)
        if account is None:
            return _error(40013)
        if request.path.endswith("/component/access_token"):
            owner = self.tokens.get(self._q(request, "component_access_token"))
            if owner is None or owner[0] != f"component:{self._q(request, 'component_appid')}":
                return _error(40001)
        elif self._q(request, "secret") != account.secret:
            return _error(40125)
        code = self._q(request, "code")
        if code in self.used_codes:
            return _error(40163)
        grant = self.oauth_codes.pop(code, None)
        if grant is None or grant[0] != app_id:
            return _error(40029)
        self.used_codes.add(code)
        follower = account.followers.get(grant[1])
        return _answer(
            {
                "access_token": secrets.token_urlsafe(24),
                "expires_in": 7200,
                "refresh_token": secrets.token_urlsafe(24),
                "openid": grant[1],
                "scope": "snsapi_base",
                **({"unionid": follower.unionid} if follower and follower.unionid else {}),
            }
        )

    # --- Open Platform -----------------------------------------------------------------------------

    def _component_of(self, request: FakeRequest) -> FakeResponse | None:
        owner = self.tokens.get(self._q(request, "component_access_token"))
        if owner is None or owner[0] != f"component:{self.component_app_id}":
            return _error(40001)
        if time.time() >= owner[1]:
            return _error(42001)
        return None

    def _component_token(self, request: FakeRequest) -> FakeResponse:
        body = request.json()
        if body.get("component_appid") != self.component_app_id:
            return _error(40013)
        if body.get("component_appsecret") != self.component_secret:
            return _error(40125)
        if not self.verify_ticket or body.get("component_verify_ticket") != self.verify_ticket:
            return _error(61006)
        token = self._new_token(f"component:{self.component_app_id}")
        return _answer({"component_access_token": token, "expires_in": TOKEN_SECONDS})

    def _preauth(self, request: FakeRequest) -> FakeResponse:
        refused = self._component_of(request)
        if refused is not None:
            return refused
        code = "preauthcode@@@" + secrets.token_urlsafe(24)
        self.pre_auth_codes.add(code)
        return _answer({"pre_auth_code": code, "expires_in": 1800})

    def _authorization(self, app_id: str) -> dict[str, Any]:
        refresh = "refreshtoken@@@" + secrets.token_urlsafe(24)
        self.refresh_tokens[app_id] = refresh
        return {
            "authorizer_appid": app_id,
            "authorizer_access_token": self._new_token(app_id),
            "expires_in": TOKEN_SECONDS,
            "authorizer_refresh_token": refresh,
            "func_info": [{"funcscope_category": {"id": 1}}],
        }

    def _query_auth(self, request: FakeRequest) -> FakeResponse:
        refused = self._component_of(request)
        if refused is not None:
            return refused
        app_id = self.authorization_codes.pop(request.json().get("authorization_code", ""), None)
        if app_id is None or app_id not in self.accounts:
            return _error(61010)
        self.withdrawn.discard(app_id)
        return _answer({"authorization_info": self._authorization(app_id)})

    def _authorizer_token(self, request: FakeRequest) -> FakeResponse:
        refused = self._component_of(request)
        if refused is not None:
            return refused
        body = request.json()
        app_id = body.get("authorizer_appid", "")
        if app_id in self.withdrawn:
            return _error(61003)
        if not app_id or self.refresh_tokens.get(app_id) != body.get("authorizer_refresh_token"):
            return _error(61023)
        return _answer(
            {
                "authorizer_access_token": self._new_token(app_id),
                "expires_in": TOKEN_SECONDS,
                "authorizer_refresh_token": self.refresh_tokens[app_id],
            }
        )

    def _authorizer_info(self, request: FakeRequest) -> FakeResponse:
        refused = self._component_of(request)
        if refused is not None:
            return refused
        account = self.accounts.get(request.json().get("authorizer_appid", ""))
        if account is None:
            return _error(40013)
        return _answer(
            {
                "authorizer_info": {
                    "nick_name": account.name,
                    "service_type_info": {"id": account.service_type},
                    "verify_type_info": {"id": account.verify_type},
                    "user_name": "gh_" + account.app_id[-12:],
                },
                "authorization_info": {"authorizer_appid": account.app_id},
            }
        )
