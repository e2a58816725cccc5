"""AppBridge tokens in plugin mode: what the Saleor dashboard hands our console pages, checked with Saleor's
own JWT code (``saleor.core.jwt``).

Saleor issues them for an App on behalf of the staff user (``create_access_token_for_app``, also for an
extension: ``create_access_token_for_app_extension``): type ``thirdparty``, the ``app`` claim naming the
App, ``permissions`` = the user's ∩ the App's at that moment. Saleor's backends (``auth.py``) have checked
the signature, the expiry and the user (active, not logged out everywhere). Here: the App must be ours
(identifier from our manifest, active, not removed, and registered through our ``tokenTargetUrl``),
otherwise the token is refused; the permissions are the token's ∩ what the user and the App hold now.
"""

from __future__ import annotations

from typing import Any

from graphql_relay import from_global_id
from saleor.account.models import User
from saleor.app.models import App
from saleor.core.jwt import jwt_decode
from saleor.permission.enums import get_permission_names

from ..console.app_tokens import APP_CLAIM, PERMISSIONS_CLAIM, THIRDPARTY_TOKEN_TYPE, granted_permissions
from ..console.manifest import APP_IDENTIFIER
from ..graphql.views import AuthenticationFailed
from ..ports import Principal
from ..selectors.app_installations import app_installation_exists

ANOTHER_APP = "This token was issued for another app."


def is_app_bridge_payload(payload: dict[str, Any]) -> bool:
    return payload.get("type") == THIRDPARTY_TOKEN_TYPE


def _our_app(app_global_id: Any) -> App | None:
    try:
        type_name, raw_pk = from_global_id(str(app_global_id))
    except (ValueError, TypeError, UnicodeDecodeError):
        return None
    if type_name != "App" or not raw_pk.isdigit():
        return None
    app = App.objects.filter(
        pk=int(raw_pk), identifier=APP_IDENTIFIER, is_active=True, removed_at__isnull=True
    ).first()
    if app is None or not app_installation_exists(app_id=str(app_global_id)):
        return None
    return app


def app_bridge_principal(token: str, user: Any) -> Principal | None:
    """The principal of an AppBridge token whose user Saleor has authenticated; None when the token is
    not an App's (a plain staff or customer token); AuthenticationFailed when it is another App's."""
    payload = jwt_decode(token)  # verified again: the claims we read must be Saleor's
    if not is_app_bridge_payload(payload):
        return None
    app = _our_app(payload.get(APP_CLAIM))
    if app is None:
        raise AuthenticationFailed(ANOTHER_APP)
    holder = User.objects.get(pk=user.pk)  # Saleor's backend replaced the permissions with the token's
    user_permissions = get_permission_names(holder.effective_permissions) if holder.is_staff else set()
    permissions = granted_permissions(
        token=payload.get(PERMISSIONS_CLAIM) or [],
        user=user_permissions,
        app=get_permission_names(app.permissions.all()),
    )
    return Principal(
        user_id=holder.pk, email=holder.email, is_staff=bool(holder.is_staff), permissions=permissions
    )
