"""The fake WeChat world (Official Accounts and the Open Platform): state, test controls, routes."""

from __future__ import annotations

import secrets
import time
from collections import Counter
from typing import Any

from .. import fake_wechat_web
from ..fake_http import FakeHttpWorld
from .mini_program import MiniProgramApi
from .official_account import OfficialAccountApi
from .open_platform import OpenPlatformApi
from .state import FakeAccount, FakeCard, FakeFollower, SentTemplate, random_aes_key


class FakeWeChatMp(FakeHttpWorld, OfficialAccountApi, OpenPlatformApi, MiniProgramApi):
    thread_name = "fake-wechat-mp"
    display_name = "fake WeChat"
    server_version = "FakeWeChat/1.0"

    def __init__(self, *, component_app_id: str = "wxcomponent000001") -> None:
        super().__init__()
        self.accounts: dict[str, FakeAccount] = {}
        #: access token -> (app id, expires at); "component:<appid>" for component tokens
        self.tokens: dict[str, tuple[str, float]] = {}
        self.token_fetches: Counter[str] = Counter()
        self.qr_tickets: dict[str, tuple[str, str, bool, float | None]] = {}
        #: ticket -> the code's content; scanning it opens ``qr_url_base`` + id (``fake_wechat_scan``)
        self.qr_ticket_urls: dict[str, str] = {}
        self.qr_url_base = "http://weixin.qq.com/q/"
        self.oauth_codes: dict[str, tuple[str, str]] = {}
        self.used_codes: set[str] = set()
        self.sent: list[SentTemplate] = []
        #: app ids whose every token is refused with 40001, even a fresh one (a broken account)
        self.refuse_every_token: set[str] = set()
        #: the next N template sends answer errcode -1 (system busy): callers retry
        self.busy_template_sends = 0
        self.cards: dict[str, FakeCard] = {}
        #: the next N card/code/consume calls answer errcode -1 (system busy)
        self.busy_card_consumes = 0
        self.component_app_id = component_app_id
        self.component_secret = secrets.token_hex(16)
        self.component_token = secrets.token_hex(8)
        self.component_aes_key = random_aes_key()
        self.verify_ticket = ""
        self.pre_auth_codes: set[str] = set()
        self.authorization_codes: dict[str, str] = {}
        self.refresh_tokens: dict[str, str] = {}
        #: authorizers that withdrew their authorization in the Official Account's admin panel
        self.withdrawn: set[str] = set()
        self._sequence = 1000
        self._install()
        self._mini_init()
        #: JS-SDK tickets, OAuth scopes and profiles, the simulated WeChat app's pages (``fake_wechat_web``)
        self.web = fake_wechat_web.install(self)

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
            aes_key=values.pop("aes_key", random_aes_key()),
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
