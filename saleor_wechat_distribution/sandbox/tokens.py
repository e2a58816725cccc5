"""Signed, short-lived demo access tokens for the sandbox (Saleor's JWTs play this role in Saleor)."""

from __future__ import annotations

from django.conf import settings
from django.core import signing
from django.http import HttpRequest
from django.utils.translation import gettext as _

from ..domain.permissions import Permission
from ..graphql.views import AuthenticationFailed
from ..ports import Principal
from .app_tokens import looks_like_jwt, principal_from_app_token

_SALT = "saleor_wechat_distribution.sandbox.token"


def issue_token(principal: Principal) -> str:
    payload = {
        "uid": principal.user_id,
        "email": principal.email,
        "staff": principal.is_staff,
        "perms": sorted(p.value for p in principal.permissions),
    }
    return signing.dumps(payload, salt=_SALT, compress=True)


def principal_from_token(token: str) -> Principal:
    try:
        payload = signing.loads(token, salt=_SALT, max_age=settings.SANDBOX_TOKEN_MAX_AGE)
    except signing.SignatureExpired:
        raise AuthenticationFailed(_("The token has expired; restart the sandbox for new ones.")) from None
    except signing.BadSignature:
        raise AuthenticationFailed(_("Invalid token.")) from None
    try:
        return Principal(
            user_id=int(payload["uid"]),
            email=str(payload.get("email") or ""),
            is_staff=bool(payload.get("staff")),
            permissions=frozenset(Permission(p) for p in payload.get("perms", [])),
        )
    except (KeyError, TypeError, ValueError):
        raise AuthenticationFailed(_("Invalid token.")) from None


def authenticate(request: HttpRequest) -> Principal:
    header = request.headers.get("Authorization", "")
    if not header:
        return Principal.anonymous()
    scheme, _sep, token = header.partition(" ")
    if scheme.lower() not in {"bearer", "jwt"} or not token.strip():
        raise AuthenticationFailed(_("Use 'Authorization: Bearer <token>'."))
    if looks_like_jwt(token.strip()):  # an AppBridge token of the fake dashboard (the console's pages)
        return principal_from_app_token(token.strip())
    return principal_from_token(token.strip())
