"""Saleor's JWT access tokens and app tokens -> :class:`~..ports.Principal`, with Saleor's own code.

The request is put through Saleor's GraphQL request context (``get_context_value``), the same path
Saleor's API takes: ``get_user`` runs Saleor's authentication backends (signature, expiry, token type,
the user's ``jwt_token_key`` so a "log out everywhere" revokes, inactive users refused, the site's
password-login mode), and app tokens (30 characters) go through Saleor's ``AppByTokenLoader`` (active,
not removed apps only). Staff permissions are Saleor's effective permissions (the user's groups).
"""

from __future__ import annotations

from typing import Any

import jwt
from django.http import HttpRequest
from saleor.account.models import User
from saleor.app.models import App
from saleor.core.auth import get_token_from_request
from saleor.graphql.app.dataloaders.utils import promise_app
from saleor.graphql.context import get_context_value, get_user
from saleor.permission.enums import get_permission_names

from ..domain.permissions import Permission
from ..graphql.views import AuthenticationFailed
from ..ports import SYSTEM, Principal
from .app_bridge import app_bridge_principal

_OURS = {p.value for p in Permission}
APP_TOKEN_LENGTH = 30


def _permissions(names: set[str]) -> frozenset[Permission]:
    return frozenset(Permission(name) for name in names if name in _OURS)


def principal_of_app(app: Any) -> Principal:
    return Principal(
        app_id=app.pk,
        email="",
        is_staff=True,
        permissions=_permissions(get_permission_names(app.permissions.all())),
    )


def principal_of_user(user: Any) -> Principal:
    permissions = (
        _permissions(get_permission_names(user.effective_permissions)) if user.is_staff else frozenset()
    )
    return Principal(
        user_id=user.pk,
        email=user.email,
        is_staff=bool(user.is_staff),
        is_active=bool(user.is_active),
        permissions=permissions,
    )


def principal_of_requestor(requestor: Any) -> Principal:
    """Saleor's requestor of a plugin call (``plugin.requestor``: the user or app whose request loaded
    the plugins, lazily), or :data:`~..ports.SYSTEM` when there is none (a script, a task)."""
    if requestor is None:
        return SYSTEM
    if isinstance(requestor, App):
        return principal_of_app(requestor)
    if isinstance(requestor, User):
        return principal_of_user(requestor)
    return SYSTEM


def principal_from_request(request: HttpRequest) -> Principal:
    """Raise :class:`AuthenticationFailed` for a token that is present but not valid (expired, revoked,
    of an inactive user or app); no token is the anonymous principal."""
    token = get_token_from_request(request)
    if not token:
        return Principal.anonymous()
    context = get_context_value(request)
    if len(token) == APP_TOKEN_LENGTH:
        app = promise_app(context).get()
        if app is None or not app.is_active:
            raise AuthenticationFailed("Invalid app token.")
        return principal_of_app(app)
    try:
        user = get_user(context)
    except jwt.PyJWTError as error:
        raise AuthenticationFailed(str(error) or "Invalid token.") from None
    if user is None:
        # a token that is not Saleor's (another issuer, garbage): Saleor's backends ignore it
        raise AuthenticationFailed("Invalid token.")
    if not user.is_active:
        raise AuthenticationFailed("The user is not active.")
    if (app_bridge := app_bridge_principal(token, user)) is not None:  # the console's AppBridge token
        return app_bridge
    return principal_of_user(user)
