"""``ports_center.CustomerSessions`` over Saleor's GraphQL API (App mode's
``saleor_adapter/customer_sessions.py``): WeChat sign-in to the distributor center and the Mini Program.

The customer is the plugin's: a WeChat identity nobody is linked to becomes the Saleor customer with the
e-mail ``wechat-<digest>@wechat.invalid`` (same digest as the plugin, so either mode finds the account the
other created), found with ``user(email:)`` or created with ``customerCreate`` (active, no password, the
WeChat nickname as first name, our identity in private metadata; Saleor e-mails nobody). Two first
sign-ins at once: the second ``customerCreate`` is refused as a duplicate and finds the first's account.

The token cannot be Saleor's: Saleor's API issues a customer's JWT only for the customer's password
(``tokenCreate``) or through an authentication plugin, never to an App. So the App issues its own:
an HS256 JWT (key derived from ``SECRET_KEY``, issuer ``CENTER_TOKEN_ISSUER``, bound to the installation's
API URL as audience), valid ``WECHAT_DISTRIBUTION_CENTER_TOKEN_TTL`` seconds (default 3600), never with
staff rights. It authenticates the customer on the App's own ``/graphql/`` (``auth.py``), which is all the
port promises; Saleor's API does not accept it (a storefront that also wants Saleor's checkout as the
customer signs in to Saleor itself). ``auth.py`` checks with Saleor, at most every
``auth.RECHECK_S`` seconds, that the account still exists and is active, so a deactivated or deleted
customer's center token stops working within that time.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
import time
from typing import Any

import jwt
from django.conf import settings
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _

from ..ports import HostUnavailable
from ..ports_center import SessionToken
from .customers import customer_create, users_by_email
from .host_client import app_client, asking, current_installation

EMAIL_DOMAIN = "wechat.invalid"
DEFAULT_TTL = 3600
METADATA_KEY = "wechat_distribution.identity"
CENTER_TOKEN_ISSUER = "wechat-distribution-app"  # noqa: S105 - an issuer name
CENTER_TOKEN_TYPE = "center"  # noqa: S105 - a token type
_KEY_SALT = "saleor_wechat_distribution.app.center_token"
#: the customer as the center token names it, and as ``auth.py`` rechecks it
USER_QUERY = "query WeChatDistributionUser($id: ID!) { user(id: $id) { id email isActive } }"


def saleor_user(client: Any, user_id: int) -> dict[str, Any] | None:
    """Saleor's ``user(id:)`` (MANAGE_USERS): ``{"id", "email", "isActive"}``, or None when it is gone."""
    global_id = base64.b64encode(f"User:{user_id}".encode()).decode()
    user = client.query(USER_QUERY, {"id": global_id}).get("user")
    return user if isinstance(user, dict) else None


def wechat_email(*, app_id: str, openid: str, unionid: str) -> str:
    """The plugin's ``wechat_email``: the same person is the same account in both modes."""
    key = f"u:{unionid}" if unionid else f"o:{app_id}:{openid}"
    return f"wechat-{hashlib.sha256(key.encode()).hexdigest()[:24]}@{EMAIL_DOMAIN}"


def token_ttl() -> int:
    return int(getattr(settings, "WECHAT_DISTRIBUTION_CENTER_TOKEN_TTL", DEFAULT_TTL))


def _key() -> bytes:
    return salted_hmac(_KEY_SALT, "hs256", algorithm="sha256").digest()


def center_token_encode(*, user_id: int, email: str, audience: str, ttl: int) -> str:
    now = int(time.time())
    payload = {
        "iss": CENTER_TOKEN_ISSUER,
        "aud": audience,
        "type": CENTER_TOKEN_TYPE,
        "user_id": user_id,
        "email": email,
        "iat": now,
        "exp": now + ttl,
        "jti": secrets.token_hex(8),
    }
    return jwt.encode(payload, _key(), algorithm="HS256")


def center_token_decode(token: str, *, audience: str) -> dict[str, Any]:
    """The claims of a token :func:`center_token_encode` made for ``audience``; ``jwt.PyJWTError``
    otherwise (forged, expired, another instance's)."""
    claims = jwt.decode(
        token,
        _key(),
        algorithms=["HS256"],
        audience=audience,
        issuer=CENTER_TOKEN_ISSUER,
        options={"require": ["exp", "iss", "aud", "user_id"]},
    )
    if claims.get("type") != CENTER_TOKEN_TYPE or not isinstance(claims.get("user_id"), int):
        raise jwt.InvalidTokenError("not a center token")
    return claims


class SaleorApiCustomerSessions:
    def customer_for_wechat(self, *, app_id: str, openid: str, unionid: str, nickname: str) -> int:
        email = wechat_email(app_id=app_id, openid=openid, unionid=unionid)
        client = app_client()
        with asking("customer of a WeChat identity"):
            found = users_by_email(client, [email]).get(email)
            if found is not None:
                return found
            created = customer_create(
                client,
                email,
                nickname or "",
                privateMetadata=[{"key": METADATA_KEY, "value": f"{app_id}:{openid}"}],
            )
        if created is None:
            raise HostUnavailable(_("Saleor refused to create the customer account."))
        return created

    def issue_token(self, *, user_id: int) -> SessionToken:
        """The customer's e-mail goes into the token (a distributor application keeps it, as with Saleor's
        own JWT in plugin mode)."""
        installation = current_installation()
        with asking("customer for a token"):
            user = saleor_user(app_client(), user_id)
        email = str((user or {}).get("email") or "")
        ttl = token_ttl()
        token = center_token_encode(
            user_id=user_id, email=email, audience=installation.saleor_api_url, ttl=ttl
        )
        return SessionToken(token=token, expires_in=ttl, user_id=user_id)
