"""Which instance holds an Official Account (``OfficialAccountRoute``, App mode's registry in ``public``).

An Open Platform component shared by several Saleor instances gets every authorizer's notices at one URL
and every authorizer's messages at one URL template (``wechat/$APPID$/``): App mode finds the instance
from this table (``app/wechat_routes.py``). It is written here, with the account and in its transaction
(the registry is in the same database): a bound account is routed to the instance in scope, a detached one
is no longer routed there. An account whose authorization was withdrawn stays routed: a new authorization
goes to the instance that holds it.

Outside App mode (plugin mode, the sandbox) there is one shop: the rows are written the same way (schema
``public``) and never read.
"""

from __future__ import annotations

from ..instance_scope import PUBLIC, SCHEMA_NAME, current, scoped
from ..models import OfficialAccount, OfficialAccountRoute, SaleorAppInstallation


def _here() -> str:
    return current() or PUBLIC


def official_account_route_claim(*, app_id: str) -> None:
    """The account is bound in the instance in scope: its notices and messages come here."""
    OfficialAccountRoute.objects.update_or_create(app_id=app_id, defaults={"schema": _here()})


def official_account_route_release(*, app_id: str) -> None:
    """The account was detached here: no longer routed here (another instance's route stays)."""
    OfficialAccountRoute.objects.filter(app_id=app_id, schema=_here()).delete()


def official_account_active_elsewhere(*, app_id: str) -> bool:
    """Another instance of this server holds the account, active: binding it here too would take its
    messages away from that instance (the route names one instance) and, for an authorizer, give two
    instances refresh tokens of one authorization."""
    route = OfficialAccountRoute.objects.filter(app_id=app_id).exclude(schema=_here()).first()
    if route is None or not SCHEMA_NAME.match(route.schema):
        return False
    if not SaleorAppInstallation.objects.filter(schema=route.schema).exists():
        return False  # an instance no longer installed (its schema may be gone)
    with scoped(route.schema):
        held = OfficialAccount.objects.filter(app_id=app_id, status=OfficialAccount.Status.ACTIVE).exists()
    return held
