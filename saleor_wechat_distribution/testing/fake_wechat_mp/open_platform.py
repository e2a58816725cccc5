"""The Open Platform (第三方平台) side of the fake WeChat: component token, pre-auth codes, authorization,
authorizer tokens and info."""

from __future__ import annotations

import secrets
import time
from typing import Any

from ..fake_http import FakeRequest, FakeResponse
from .state import TOKEN_SECONDS, wechat_answer, wechat_error


class OpenPlatformApi:
    """Mixed into ``FakeWeChatMp`` (its state: ``component_*``, ``authorization_codes``, ...)."""

    # --- Open Platform -----------------------------------------------------------------------------

    def _component_of(self, request: FakeRequest) -> FakeResponse | None:
        owner = self.tokens.get(self._q(request, "component_access_token"))
        if owner is None or owner[0] != f"component:{self.component_app_id}":
            return wechat_error(40001)
        if time.time() >= owner[1]:
            return wechat_error(42001)
        return None

    def _component_token(self, request: FakeRequest) -> FakeResponse:
        body = request.json()
        if body.get("component_appid") != self.component_app_id:
            return wechat_error(40013)
        if body.get("component_appsecret") != self.component_secret:
            return wechat_error(40125)
        if not self.verify_ticket or body.get("component_verify_ticket") != self.verify_ticket:
            return wechat_error(61006)
        token = self._new_token(f"component:{self.component_app_id}")
        return wechat_answer({"component_access_token": token, "expires_in": TOKEN_SECONDS})

    def _preauth(self, request: FakeRequest) -> FakeResponse:
        refused = self._component_of(request)
        if refused is not None:
            return refused
        code = "preauthcode@@@" + secrets.token_urlsafe(24)
        self.pre_auth_codes.add(code)
        return wechat_answer({"pre_auth_code": code, "expires_in": 1800})

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
            return wechat_error(61010)
        self.withdrawn.discard(app_id)
        return wechat_answer({"authorization_info": self._authorization(app_id)})

    def _authorizer_token(self, request: FakeRequest) -> FakeResponse:
        refused = self._component_of(request)
        if refused is not None:
            return refused
        body = request.json()
        app_id = body.get("authorizer_appid", "")
        if app_id in self.withdrawn:
            return wechat_error(61003)
        if not app_id or self.refresh_tokens.get(app_id) != body.get("authorizer_refresh_token"):
            return wechat_error(61023)
        return wechat_answer(
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
            return wechat_error(40013)
        return wechat_answer(
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
