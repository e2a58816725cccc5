"""Storefront and console tokens in App mode: Saleor's JWTs verified against the issuing instance's JWKS.

A Saleor JWT names its issuer (``iss``: the instance's API URL); only installed instances are trusted, the
request runs in the issuer's schema (``requests.py``: a URL naming another instance is refused), and
the signature is checked with their key (``jwks.py``: refetched once for an unknown key id), RS256 only,
expiry required. Then:

- an ``access`` token (a customer or a staff user): the user's pk from ``user_id`` (a global id), staff
  permissions from the ``permissions`` claim;
- a ``thirdparty`` token (AppBridge: the dashboard hands it to the console's pages): only one issued for
  *our* App in that instance (its ``app`` claim is the App id stored at registration); permissions =
  the token's ∩ the user's (``user_permissions``) ∩ what the App asks for (``console/app_tokens.py``).

Unlike plugin mode, revocation before expiry ("log out everywhere", a deactivated user) is not seen:
Saleor's access tokens live minutes (``JWT_TTL_ACCESS``), which bounds it.
"""

from __future__ import annotations

import jwt
from django.http import HttpRequest

from .. import instance_scope
from ..console.app_tokens import (
    APP_CLAIM,
    PERMISSIONS_CLAIM,
    THIRDPARTY_TOKEN_TYPE,
    USER_PERMISSIONS_CLAIM,
    granted_permissions,
)
from ..console.manifest import APP_PERMISSIONS
from ..domain.permissions import Permission
from ..graphql.views import AuthenticationFailed
from ..models import SaleorAppInstallation
from ..ports import Principal
from .instances import installation_for
from .jwks import UnknownKey, signing_key
from .orders import database_pk

ACCESS_TOKEN_TYPE = "access"  # noqa: S105 - a token type
ALGORITHMS = ["RS256"]
_OURS = {p.value for p in Permission}


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
    scope = instance_scope.current()
    if scope is not None and installation.schema != scope:  # the URL named another instance (requests.py)
        raise AuthenticationFailed("The token was issued by another Saleor instance than the one addressed.")
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


def principal_from_token(token: str) -> Principal:
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
    return Principal(
        user_id=int(pk), email=str(claims.get("email") or ""), is_staff=is_staff, permissions=permissions
    )


def authenticate(request: HttpRequest) -> Principal:
    """The :data:`~..graphql.views.Authenticator` of App mode: no token is the anonymous principal."""
    token = _bearer(request)
    return principal_from_token(token) if token else Principal.anonymous()
