"""The Official Account API of the fake WeChat: access tokens, QR codes, user info, template messages,
legacy 卡券 consume, web OAuth."""

from __future__ import annotations

import secrets
import time
from typing import Any

from ..fake_http import FakeRequest, FakeResponse
from .state import (
    QR_MAX_EXPIRE,
    QR_PERMANENT_LIMIT,
    TOKEN_SECONDS,
    FakeAccount,
    SentTemplate,
    wechat_answer,
    wechat_error,
)


class OfficialAccountApi:
    """Mixed into ``FakeWeChatMp`` (its state: ``accounts``, ``tokens``, ``qr_tickets``, ``sent``, ...)."""

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
            return wechat_error(41001)
        owner = self.tokens.get(token)
        if owner is None:
            return wechat_error(40001)
        app_id, expires_at = owner
        if app_id in self.refuse_every_token:
            return wechat_error(40001)
        if time.time() >= expires_at:
            return wechat_error(42001)
        if app_id not in self.accounts:
            return wechat_error(40001)
        return self.accounts[app_id]

    # --- Official Account API ----------------------------------------------------------------------

    def _token(self, request: FakeRequest) -> FakeResponse:
        account = self.accounts.get(self._q(request, "appid"))
        if account is None:
            return wechat_error(40013)
        if (
            self._q(request, "secret") != account.secret
            or self._q(request, "grant_type") != "client_credential"
        ):
            return wechat_error(40125)
        return wechat_answer({"access_token": self._new_token(account.app_id), "expires_in": TOKEN_SECONDS})

    def _qrcode_create(self, request: FakeRequest) -> FakeResponse:
        account = self._account_of(request)
        if isinstance(account, FakeResponse):
            return account
        body = request.json()
        action = body.get("action_name")
        scene = ((body.get("action_info") or {}).get("scene") or {}).get("scene_str", "")
        if action not in ("QR_STR_SCENE", "QR_LIMIT_STR_SCENE") or not 1 <= len(scene) <= 64:
            return wechat_error(40097)
        permanent = action == "QR_LIMIT_STR_SCENE"
        expire = None if permanent else int(body.get("expire_seconds") or 60)
        if expire is not None and not 60 <= expire <= QR_MAX_EXPIRE:
            return wechat_error(40097)
        if permanent:
            if account.permanent_qr >= QR_PERMANENT_LIMIT:
                return wechat_answer({"errcode": 45029, "errmsg": "qrcode count out of limit"})
            account.permanent_qr += 1
        ticket = "gQ" + secrets.token_urlsafe(30)
        self.qr_tickets[ticket] = (account.app_id, scene, permanent, time.time() + expire if expire else None)
        answer: dict[str, Any] = {"ticket": ticket, "url": f"{self.qr_url_base}{secrets.token_urlsafe(12)}"}
        self.qr_ticket_urls[ticket] = answer["url"]
        if expire is not None:
            answer["expire_seconds"] = expire
        return wechat_answer(answer)

    def _user_info(self, request: FakeRequest) -> FakeResponse:
        account = self._account_of(request)
        if isinstance(account, FakeResponse):
            return account
        follower = account.followers.get(self._q(request, "openid"))
        if follower is None:
            return wechat_error(40003)
        if not follower.subscribed:
            return wechat_answer({"subscribe": 0, "openid": follower.openid, "unionid": follower.unionid})
        return wechat_answer(
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
            return wechat_answer({"errcode": -1, "errmsg": "system error"})
        if body.get("template_id") not in account.templates:
            return wechat_error(40037)
        follower = account.followers.get(body.get("touser", ""))
        if follower is None:
            return wechat_error(40003)
        if not follower.subscribed:
            return wechat_error(43004)
        self._sequence += 1
        self.sent.append(
            SentTemplate(account.app_id, follower.openid, body["template_id"], body.get("data") or {},
                         body.get("url") or "", self._sequence)
        )  # fmt: skip
        return wechat_answer({"errcode": 0, "errmsg": "ok", "msgid": self._sequence})

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
            return wechat_error(41011)
        if not card_id:
            return wechat_error(41012)
        if self.busy_card_consumes > 0:
            self.busy_card_consumes -= 1
            return wechat_error(-1)
        card = self.cards.get(card_id)
        if card is None or card.app_id != account.app_id:
            return wechat_error(45030)
        status = card.codes.get(code)
        if status is None:
            return wechat_error(40056)
        if status == "CONSUMED":
            return wechat_error(40099)
        if status in ("DELETE", "GIFTING"):
            return wechat_error(40127)
        if status != "NORMAL":
            return wechat_error(40078)
        card.codes[code] = "CONSUMED"
        return wechat_answer(
            {"errcode": 0, "errmsg": "ok", "card": {"card_id": card_id}, "openid": card.holders.get(code, "")}
        )

    def _oauth(self, request: FakeRequest) -> FakeResponse:
        app_id = self._q(request, "appid")
        account = self.accounts.get(app_id)
        if account is None:
            return wechat_error(40013)
        if request.path.endswith("/component/access_token"):
            owner = self.tokens.get(self._q(request, "component_access_token"))
            if owner is None or owner[0] != f"component:{self._q(request, 'component_appid')}":
                return wechat_error(40001)
        elif self._q(request, "secret") != account.secret:
            return wechat_error(40125)
        code = self._q(request, "code")
        if code in self.used_codes:
            return wechat_error(40163)
        grant = self.oauth_codes.pop(code, None)
        if grant is None or grant[0] != app_id:
            return wechat_error(40029)
        self.used_codes.add(code)
        follower = account.followers.get(grant[1])
        return wechat_answer(
            {
                "access_token": secrets.token_urlsafe(24),
                "expires_in": 7200,
                "refresh_token": secrets.token_urlsafe(24),
                "openid": grant[1],
                "scope": "snsapi_base",
                **({"unionid": follower.unionid} if follower and follower.unionid else {}),
            }
        )
