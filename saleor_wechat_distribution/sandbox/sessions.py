"""The sandbox's customer sessions for WeChat sign-in (Saleor's adapter issues Saleor's own JWTs).

The sandbox has no user table: a WeChat identity nobody is linked to gets a deterministic demo user id
derived from its app id and openid (the same id at every sign-in), and the token is the sandbox's signed
demo token, valid ``SANDBOX_TOKEN_MAX_AGE`` seconds.
"""

from __future__ import annotations

import hashlib

from django.conf import settings

from ..ports import Principal
from ..ports_center import SessionToken
from .customers import CREATED_ID_BASE
from .tokens import issue_token

#: WeChat sign-ins get ids in their own range, above the imports' (``customers.CREATED_ID_BASE``)
WECHAT_ID_BASE = CREATED_ID_BASE * 2
_ID_SPACE = 10**15


def wechat_user_id(app_id: str, openid: str) -> int:
    digest = hashlib.sha256(f"wx:{app_id}:{openid}".encode()).hexdigest()
    return WECHAT_ID_BASE + int(digest[:16], 16) % _ID_SPACE


class SandboxCustomerSessions:
    def customer_for_wechat(self, *, app_id: str, openid: str, unionid: str, nickname: str) -> int:
        return wechat_user_id(app_id, openid)

    def issue_token(self, *, user_id: int) -> SessionToken:
        token = issue_token(Principal(user_id=user_id))
        return SessionToken(token=token, expires_in=int(settings.SANDBOX_TOKEN_MAX_AGE), user_id=user_id)
