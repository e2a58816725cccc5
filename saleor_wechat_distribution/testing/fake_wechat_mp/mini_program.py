"""The Mini Program (小程序) API of the fake WeChat, from WeChat's documentation and its errcodes:

- ``GET sns/jscode2session`` (登录 code2Session): 40013 unknown appid, 40125 wrong secret, 40029 invalid
  code (unknown, or another Mini Program's), 40163 code already used, 40226 risky user (高风险等级用户),
  45011 rate (API minute-quota reached for this user);
- ``POST wxa/getwxacodeunlimit`` (小程序码 getUnlimited): the PNG itself on success (HTTP 200,
  ``image/png``), else JSON: 40129 invalid scene (more than 32 characters or outside the allowed set),
  41030 page not published (with ``check_path``), 45009 daily quota reached, 40097 invalid args;
- ``POST cgi-bin/message/subscribe/send`` (订阅消息): 40003 openid, 40037 template id, 43101 the user did
  not accept (or used up) this template's subscription, 47003 template data not matching.

A Mini Program is an ``accounts`` entry like an Official Account (``cgi-bin/token`` serves both).
"""

from __future__ import annotations

import io
import re
import secrets
from dataclasses import dataclass, field

from PIL import Image
from PIL.PngImagePlugin import PngInfo

from ..fake_http import FakeRequest, FakeResponse
from .state import FakeAccount, wechat_answer, wechat_error

CODE_COLOR = (7, 193, 96)
SCENE_RE = re.compile(r"^[0-9A-Za-z!#$&'()*+,/:;=?@\-._~]{1,32}$")
#: documented errmsgs of the Mini Program endpoints (``state.ERRMSG`` keeps the Official Account's)
MINI_ERRMSG = {
    40129: "invalid scene",
    40226: "high risk user",
    41030: "invalid page",
    43101: "user refuse to accept the msg",
    45009: "reach max api daily quota limit",
    45011: "api minute-quota reach limit, must slower, retry next minute",
    47003: "argument invalid! data.thing1.value invalid",
}


def mini_error(errcode: int) -> FakeResponse:
    if errcode in MINI_ERRMSG:
        return wechat_answer({"errcode": errcode, "errmsg": MINI_ERRMSG[errcode]})
    return wechat_error(errcode)


@dataclass
class FakeMiniProgram:
    account: FakeAccount
    #: pages of the published version (``check_path`` refuses others with 41030)
    published: set[str] = field(default_factory=lambda: {"pages/index/index"})
    #: openid -> unionid ("" when the Mini Program is not under an Open Platform account)
    users: dict[str, str] = field(default_factory=dict)
    #: (openid, template id) -> acceptances left (one-time subscriptions)
    accepted: dict[tuple[str, str], int] = field(default_factory=dict)
    #: template id -> the keys its data must have
    templates: dict[str, set[str]] = field(default_factory=dict)


@dataclass(frozen=True)
class SentSubscribe:
    app_id: str
    openid: str
    template_id: str
    data: dict
    page: str


@dataclass(frozen=True)
class MadeCode:
    app_id: str
    scene: str
    page: str
    check_path: bool
    env_version: str


class MiniProgramApi:
    """Mixed into ``FakeWeChatMp`` (its ``accounts``, ``tokens``, ``_account_of``, ``_q``)."""

    def _mini_init(self) -> None:
        self.mini_programs: dict[str, FakeMiniProgram] = {}
        #: js_code -> (app id, openid)
        self.login_codes: dict[str, tuple[str, str]] = {}
        self.used_login_codes: set[str] = set()
        #: openids WeChat flags as risky (40226 at sign-in)
        self.risky_openids: set[str] = set()
        #: the next N getwxacodeunlimit calls answer 45009; the next N jscode2session calls 45011
        self.code_quota_exhausted = 0
        self.login_rate_limited = 0
        #: the next N subscribe sends answer errcode -1 (system busy): callers retry
        self.busy_subscribe_sends = 0
        self.codes_made: list[MadeCode] = []
        self.subscribe_sent: list[SentSubscribe] = []
        add = self.add_route  # type: ignore[attr-defined]
        add("GET", r"/sns/jscode2session", "wxa.jscode2session", self._jscode2session)
        add("POST", r"/wxa/getwxacodeunlimit", "wxa.getwxacodeunlimit", self._unlimited_code)
        add("POST", r"/cgi-bin/message/subscribe/send", "wxa.subscribe_send", self._subscribe_send)

    # --- test controls -----------------------------------------------------------------------------

    def add_mini_program(self, app_id: str, **values: object) -> FakeMiniProgram:
        account = self.add_account(app_id, name="测试小程序", **values)  # type: ignore[attr-defined]
        mini = FakeMiniProgram(account)
        self.mini_programs[app_id] = mini
        return mini

    def wx_login(self, app_id: str, openid: str, *, unionid: str = "") -> str:
        """What ``wx.login()`` hands the Mini Program: a one-time code for ``openid`` (valid 5 minutes)."""
        mini = self.mini_programs[app_id]
        mini.users.setdefault(openid, unionid)
        if unionid:
            mini.users[openid] = unionid
        code = secrets.token_hex(16)
        self.login_codes[code] = (app_id, openid)
        return code

    def subscribe_accept(self, app_id: str, openid: str, template_id: str, times: int = 1) -> None:
        """The user tapped "allow" on ``wx.requestSubscribeMessage`` for ``template_id``."""
        key = (openid, template_id)
        mini = self.mini_programs[app_id]
        mini.accepted[key] = mini.accepted.get(key, 0) + times

    # --- routes ------------------------------------------------------------------------------------

    def _jscode2session(self, request: FakeRequest) -> FakeResponse:
        q = self._q  # type: ignore[attr-defined]
        mini = self.mini_programs.get(q(request, "appid"))
        if mini is None:
            return mini_error(40013)
        if q(request, "secret") != mini.account.secret or q(request, "grant_type") != "authorization_code":
            return mini_error(40125)
        code = q(request, "js_code")
        if code in self.used_login_codes:
            return mini_error(40163)
        owner = self.login_codes.get(code)
        if owner is None or owner[0] != mini.account.app_id:
            return mini_error(40029)
        if self.login_rate_limited > 0:
            self.login_rate_limited -= 1
            return mini_error(45011)
        openid = owner[1]
        if openid in self.risky_openids:
            return mini_error(40226)
        self.used_login_codes.add(code)
        answer = {"openid": openid, "session_key": secrets.token_urlsafe(18)}
        if mini.users.get(openid):
            answer["unionid"] = mini.users[openid]
        return wechat_answer(answer)

    def _unlimited_code(self, request: FakeRequest) -> FakeResponse:
        account = self._account_of(request)  # type: ignore[attr-defined]
        if isinstance(account, FakeResponse):
            return account
        mini = self.mini_programs.get(account.app_id)
        if mini is None:
            return mini_error(40097)
        body = request.json()
        scene, page = str(body.get("scene") or ""), str(body.get("page") or "pages/index/index")
        check_path = body.get("check_path", True)
        env_version = str(body.get("env_version") or "release")
        if not SCENE_RE.match(scene):
            return mini_error(40129)
        if env_version not in ("release", "trial", "develop") or page.startswith("/"):
            return mini_error(40097)
        if check_path is not False and page not in mini.published:
            return mini_error(41030)
        if self.code_quota_exhausted > 0:
            self.code_quota_exhausted -= 1
            return mini_error(45009)
        self.codes_made.append(MadeCode(account.app_id, scene, page, check_path is not False, env_version))
        return FakeResponse(200, fake_code_png(scene, page), content_type="image/png")

    def _subscribe_send(self, request: FakeRequest) -> FakeResponse:
        account = self._account_of(request)  # type: ignore[attr-defined]
        if isinstance(account, FakeResponse):
            return account
        mini = self.mini_programs.get(account.app_id)
        if self.busy_subscribe_sends > 0:
            self.busy_subscribe_sends -= 1
            return wechat_answer({"errcode": -1, "errmsg": "system error"})
        body = request.json()
        openid, template_id = str(body.get("touser") or ""), str(body.get("template_id") or "")
        if mini is None or openid not in mini.users:
            return mini_error(40003)
        if template_id not in mini.templates:
            return mini_error(40037)
        data = body.get("data") or {}
        if set(data) != mini.templates[template_id] or not all(
            isinstance(v, dict) and str(v.get("value") or "") for v in data.values()
        ):
            return mini_error(47003)
        left = mini.accepted.get((openid, template_id), 0)
        if left <= 0:
            return mini_error(43101)
        mini.accepted[(openid, template_id)] = left - 1
        self.subscribe_sent.append(
            SentSubscribe(account.app_id, openid, template_id, data, str(body.get("page") or ""))
        )
        return wechat_answer({"errcode": 0, "errmsg": "ok"})


def fake_code_png(scene: str, page: str) -> bytes:
    """A PNG standing for the 小程序码 (WeChat green, so that a poster shows where it went), naming its
    scene and page in text chunks (tests read them back)."""
    image = Image.new("RGB", (43, 43), CODE_COLOR)
    info = PngInfo()
    info.add_text("scene", scene)
    info.add_text("page", page)
    out = io.BytesIO()
    image.save(out, format="PNG", pnginfo=info)
    return out.getvalue()
