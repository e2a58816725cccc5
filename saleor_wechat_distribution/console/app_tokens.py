"""AppBridge tokens: what the dashboard hands a console page, and what our route grants for one.

Saleor issues them for an App on behalf of the signed-in staff user (``create_access_token_for_app``): a
JWT of type ``thirdparty`` whose ``app`` claim names the App, ``permissions`` the user's permissions
intersected with the App's at that moment, ``user_permissions`` the user's. Our route accepts only tokens
of *our* installed App, and grants the token's permissions intersected again with what the user and the
App hold now, so a permission taken away since the token was issued is gone at once.
"""

from __future__ import annotations

from collections.abc import Iterable

from ..domain.permissions import Permission

THIRDPARTY_TOKEN_TYPE = "thirdparty"  # noqa: S105 - a token type, not a secret
APP_CLAIM = "app"
PERMISSIONS_CLAIM = "permissions"
USER_PERMISSIONS_CLAIM = "user_permissions"

_OURS = {p.value for p in Permission}


def granted_permissions(
    *, token: Iterable[str], user: Iterable[str], app: Iterable[str]
) -> frozenset[Permission]:
    """Our permissions among those the token, the user and the App all hold (Saleor's names)."""
    common = set(token) & set(user) & set(app) & _OURS
    return frozenset(Permission(name) for name in common)
