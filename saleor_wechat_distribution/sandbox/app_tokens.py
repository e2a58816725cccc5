"""The sandbox's AppBridge tokens: JWTs of the shape Saleor issues for an App on behalf of a staff user
(``create_access_token_for_app``: type ``thirdparty``, ``app``, ``permissions`` = the user's ∩ the App's,
``user_permissions``), signed HS256 with a key derived from the sandbox's SECRET_KEY.

The sandbox plays Saleor with one installed App (:data:`SANDBOX_APP_ID`); its fake dashboard
(``dashboard.py``) hands these tokens to the console through AppBridge, and the sandbox's GraphQL route
accepts them like the plugin's route accepts Saleor's: only for our App, with the permissions intersected
again (``console.app_tokens``).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import time
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _

from ..console.app_tokens import (
    APP_CLAIM,
    PERMISSIONS_CLAIM,
    THIRDPARTY_TOKEN_TYPE,
    USER_PERMISSIONS_CLAIM,
    granted_permissions,
)
from ..console.manifest import APP_PERMISSIONS
from ..graphql.views import AuthenticationFailed
from ..ports import Principal

_KEY_SALT = b"saleor_wechat_distribution.sandbox.app_token"


def global_id(type_name: str, pk: int) -> str:
    """Relay's global id, as Saleor writes ``app`` and ``user_id`` claims."""
    return base64.b64encode(f"{type_name}:{pk}".encode()).decode()


#: the App the sandbox's "Saleor" has installed: ours, with the manifest's permissions
SANDBOX_APP_ID = global_id("App", 1)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _key() -> bytes:
    return hashlib.sha256(_KEY_SALT + settings.SECRET_KEY.encode()).digest()


def _sign(signing_input: bytes) -> str:
    return _b64(hmac.new(_key(), signing_input, hashlib.sha256).digest())


def looks_like_jwt(token: str) -> bool:
    return token.count(".") == 2 and ":" not in token


def issue_app_token(principal: Principal, *, app_id: str = SANDBOX_APP_ID, issuer: str = "") -> str:
    """A token for ``principal`` (a staff user) as the dashboard would get it for ``app_id``."""
    user_permissions = sorted(p.value for p in principal.permissions)
    now = int(time.time())
    claims: dict[str, Any] = {
        "iat": now,
        "exp": now + settings.SANDBOX_TOKEN_MAX_AGE,
        "iss": issuer,
        "owner": "saleor",
        "type": THIRDPARTY_TOKEN_TYPE,
        "token": "sandbox",
        "email": principal.email,
        "user_id": global_id("User", principal.user_id or 0),
        "is_staff": principal.is_staff,
        APP_CLAIM: app_id,
        PERMISSIONS_CLAIM: sorted(set(user_permissions) & {p.value for p in APP_PERMISSIONS}),
        USER_PERMISSIONS_CLAIM: user_permissions,
    }
    header = _b64(json.dumps({"alg": "HS256", "typ": "JWT"}).encode())
    payload = _b64(json.dumps(claims, separators=(",", ":")).encode())
    signing_input = f"{header}.{payload}".encode()
    return f"{header}.{payload}.{_sign(signing_input)}"


def _claims(token: str) -> dict[str, Any]:
    invalid = AuthenticationFailed(_("Invalid token."))
    try:
        header, payload, signature = token.split(".")
        if json.loads(_unb64(header)).get("alg") != "HS256":
            raise invalid
        if not hmac.compare_digest(_sign(f"{header}.{payload}".encode()), signature):
            raise invalid
        claims = json.loads(_unb64(payload))
    except (ValueError, TypeError, AttributeError, binascii.Error):
        raise invalid from None
    if not isinstance(claims, dict):
        raise invalid
    if not isinstance(claims.get("exp"), int) or claims["exp"] < time.time():
        raise AuthenticationFailed(_("The token has expired; restart the sandbox for new ones."))
    return claims


def principal_from_app_token(token: str) -> Principal:
    claims = _claims(token)
    if claims.get("type") != THIRDPARTY_TOKEN_TYPE or claims.get(APP_CLAIM) != SANDBOX_APP_ID:
        raise AuthenticationFailed(_("This token was issued for another app."))
    try:
        user_id = int(base64.b64decode(claims["user_id"]).decode().split(":", 1)[1])
        permissions = granted_permissions(
            token=claims.get(PERMISSIONS_CLAIM) or [],
            user=claims.get(USER_PERMISSIONS_CLAIM) or [],
            app=[p.value for p in APP_PERMISSIONS],
        )
        return Principal(
            user_id=user_id,
            email=str(claims.get("email") or ""),
            is_staff=bool(claims.get("is_staff")),
            permissions=permissions,
        )
    except (KeyError, IndexError, TypeError, ValueError, binascii.Error):
        raise AuthenticationFailed(_("Invalid token.")) from None
