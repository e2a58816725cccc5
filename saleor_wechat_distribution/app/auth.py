"""Storefront and console tokens in App mode: Saleor's JWTs verified against the issuing instance's JWKS.

A Saleor JWT names its issuer (``iss``: the instance's API URL); only installed instances are trusted, and
the signature is checked with their key (``jwks.py``: refetched once for an unknown key id), RS256 only,
expiry required. Then:

- an ``access`` token (a customer or a staff user): the user's pk from ``user_id`` (a global id), staff
  permissions from the ``permissions`` claim;
- a ``thirdparty`` token (AppBridge: the dashboard hands it to the console's pages): only one issued for
  *our* App in that instance (its ``app`` claim is the App id stored at registration); permissions =
  the token's ∩ the user's (``user_permissions``) ∩ what the App asks for (``console/app_tokens.py``).

A center token (``customer_sessions.py``: the App's own, for a WeChat sign-in) is checked with the App's
key instead, and names the customer only.

Revocation: a valid signature is not enough. Saleor is then asked whether the token still stands, at
most once per ``RECHECK_S`` seconds per token (Django's cache: Redis in production, so shared by every
process): ``tokenVerify`` for Saleor's tokens (refused once the user logged out everywhere, was
deactivated or deleted, or changed e-mail: Saleor's own check), ``user(id:) { isActive }`` for center
tokens (refused once the customer is deactivated or deleted). A refusal is a 401; Saleor not answering
is a 503 (the token is not thrown away; nothing is served unchecked). The JWKS check comes first, so a
forged token never costs a request to Saleor.
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Callable

import jwt
from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest
from django.utils.translation import gettext as _

from ..console.app_tokens import (
    APP_CLAIM,
    PERMISSIONS_CLAIM,
    THIRDPARTY_TOKEN_TYPE,
    USER_PERMISSIONS_CLAIM,
    granted_permissions,
)
from ..console.manifest import APP_PERMISSIONS
from ..domain.permissions import Permission
from ..graphql.views import AuthenticationFailed, AuthenticationUnavailable
from ..models import SaleorAppInstallation
from ..ports import Principal
from ..sealing import unseal
from .customer_sessions import CENTER_TOKEN_ISSUER, center_token_decode, saleor_user
from .host_client import INTERACTIVE_TIMEOUT_S
from .instances import allowed_saleor_urls, installation_for
from .jwks import UnknownKey, signing_key
from .orders import database_pk
from .saleor_api import SaleorApiError, SaleorClient, SaleorUnavailable

ACCESS_TOKEN_TYPE = "access"  # noqa: S105 - a token type
ALGORITHMS = ["RS256"]
_OURS = {p.value for p in Permission}
#: default of ``WECHAT_DISTRIBUTION_TOKEN_RECHECK_S``: how long Saleor's answer about a token is reused
RECHECK_S = 30
RECHECK_MAX_S = 60
logger = logging.getLogger(__name__)

VERIFY_MUTATION = (
    "mutation WeChatDistributionTokenVerify($token: String!) { tokenVerify(token: $token) { isValid } }"
)


def _bearer(request: HttpRequest) -> str:
    header = request.headers.get("Authorization") or ""
    scheme, _, token = header.partition(" ")
    return token.strip() if scheme.lower() in ("bearer", "jwt") else ""


def _claims(token: str) -> tuple[SaleorAppInstallation, dict]:
    try:
        unverified = jwt.decode(token, options={"verify_signature": False})
        header = jwt.get_unverified_header(token)
    except jwt.PyJWTError as error:
        raise AuthenticationFailed("Invalid token.") from error
    issuer = unverified.get("iss")
    installation = installation_for(issuer)
    if installation is None:
        raise AuthenticationFailed("The token's issuer is not a Saleor this App is installed in.")
    try:
        key = signing_key(installation, header.get("kid"))
        claims = jwt.decode(
            token,
            key=key,
            algorithms=ALGORITHMS,
            issuer=issuer,
            options={"require": ["exp", "iss"], "verify_aud": False},
        )
    except UnknownKey as error:
        raise AuthenticationFailed(str(error)) from error
    except jwt.ExpiredSignatureError as error:
        raise AuthenticationFailed("Signature has expired.") from error
    except jwt.PyJWTError as error:
        raise AuthenticationFailed("Invalid token.") from error
    return installation, claims


def _permissions(names: object) -> frozenset[Permission]:
    return frozenset(Permission(n) for n in names or () if isinstance(n, str) and n in _OURS)  # type: ignore[attr-defined]


def recheck_seconds() -> int:
    configured = int(getattr(settings, "WECHAT_DISTRIBUTION_TOKEN_RECHECK_S", RECHECK_S))
    return max(1, min(configured, RECHECK_MAX_S))


def _still_valid(token: str, expires_at: object, ask: Callable[[], bool]) -> None:
    """Saleor's word on the token (``ask``), reused for ``recheck_seconds`` (never past the token's
    expiry): :class:`AuthenticationFailed` when it no longer stands, :class:`AuthenticationUnavailable`
    when Saleor did not answer."""
    key = "wd-app-token-ok:" + hashlib.sha256(token.encode()).hexdigest()
    verdict = cache.get(key)
    if verdict is None:
        try:
            verdict = bool(ask())
        except (SaleorUnavailable, SaleorApiError) as error:
            logger.warning("Saleor could not check a token: %s", error)
            raise AuthenticationUnavailable(
                _("Saleor could not confirm the token just now; try again shortly.")
            ) from error
        left = int(expires_at) - int(time.time()) if isinstance(expires_at, int | float) else 0
        cache.set(key, verdict, timeout=max(1, min(recheck_seconds(), left)))
    if not verdict:
        raise AuthenticationFailed(_("The token was revoked; sign in again."))


def _checker(installation: SaleorAppInstallation, token: str = "") -> SaleorClient:
    return SaleorClient(installation.saleor_api_url, token, attempts=2, timeout_s=INTERACTIVE_TIMEOUT_S)


def _saleor_says_valid(installation: SaleorAppInstallation, token: str) -> bool:
    data = _checker(installation).query(VERIFY_MUTATION, {"token": token})
    return bool((data.get("tokenVerify") or {}).get("isValid"))


def _customer_active(installation: SaleorAppInstallation, user_id: int) -> bool:
    user = saleor_user(_checker(installation, unseal(installation.auth_token_sealed)), user_id)
    return user is not None and bool(user.get("isActive"))


def _center_principal(token: str) -> Principal:
    """A center token (``customer_sessions.py``) of the one allowed installation."""
    urls = allowed_saleor_urls()
    installation = installation_for(urls[0]) if len(urls) == 1 else None
    if installation is None:
        raise AuthenticationFailed(_("The token's issuer is not a Saleor this App is installed in."))
    try:
        claims = center_token_decode(token, audience=installation.saleor_api_url)
    except jwt.ExpiredSignatureError as error:
        raise AuthenticationFailed(_("Signature has expired.")) from error
    except jwt.PyJWTError as error:
        raise AuthenticationFailed(_("Invalid token.")) from error
    user_id = int(claims["user_id"])
    _still_valid(token, claims.get("exp"), lambda: _customer_active(installation, user_id))
    return Principal(user_id=user_id, email=str(claims.get("email") or ""))


def principal_from_token(token: str) -> Principal:
    try:
        issuer = jwt.decode(token, options={"verify_signature": False}).get("iss")
    except jwt.PyJWTError as error:
        raise AuthenticationFailed("Invalid token.") from error
    if issuer == CENTER_TOKEN_ISSUER:
        return _center_principal(token)
    installation, claims = _claims(token)
    pk = database_pk(claims.get("user_id"))
    if not pk or not pk.isdigit():
        raise AuthenticationFailed("The token names no user.")
    is_staff = bool(claims.get("is_staff"))
    kind = claims.get("type")
    if kind == THIRDPARTY_TOKEN_TYPE:
        if claims.get(APP_CLAIM) != installation.app_id:
            raise AuthenticationFailed("This token was issued for another app.")
        permissions = granted_permissions(
            token=claims.get(PERMISSIONS_CLAIM) or [],
            user=claims.get(USER_PERMISSIONS_CLAIM) or [],
            app=[p.value for p in APP_PERMISSIONS],
        )
    elif kind == ACCESS_TOKEN_TYPE:
        permissions = _permissions(claims.get(PERMISSIONS_CLAIM)) if is_staff else frozenset()
    else:
        raise AuthenticationFailed("Invalid token type.")
    _still_valid(token, claims.get("exp"), lambda: _saleor_says_valid(installation, token))
    return Principal(
        user_id=int(pk), email=str(claims.get("email") or ""), is_staff=is_staff, permissions=permissions
    )


def authenticate(request: HttpRequest) -> Principal:
    """The :data:`~..graphql.views.Authenticator` of App mode: no token is the anonymous principal."""
    token = _bearer(request)
    return principal_from_token(token) if token else Principal.anonymous()
