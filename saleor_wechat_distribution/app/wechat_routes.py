"""WeChat's un-prefixed callback URLs in App mode, where one Open Platform component may serve several
Saleor instances.

WeChat knows one 授权事件接收URL per component (``wechat/component/``) and one 消息与事件接收URL template for
all its authorizers (``wechat/$APPID$/``): neither can name an instance. So:

- ``wechat/component/``: the notice is verified with the component it comes from (each component
  configured on this server: the server's and the instances' own, ``WECHAT_DISTRIBUTION_INSTANCES``; the
  one whose token signs it). Its verify ticket is the component's: stored once in the registry
  (``ComponentTicket``, ``public``), where every instance using the component reads it. An authorizer's
  notice (authorized, updateauthorized, unauthorized) is handled in the instance holding that account
  (``OfficialAccountRoute``, written with the account: ``services/official_account_routes.py``), if that
  instance uses this component; one no instance holds is logged and answered ``success`` (WeChat retries
  anything else; an authorization being completed is bound by the completion mutation, as before).
- ``wechat/<app id>/``: the instance holding the account, then verified and handled in its scope as
  always. Held by none: on a server with one instance, that instance says so (404) as before; else a
  message signed by one of the server's components is logged and answered ``success`` (an authorizer we
  no longer hold; WeChat would retry), anything else refused (404).

A routing table rather than a scan of every instance's ``wechat_distribution_officialaccount``: one indexed
query per callback whatever the number of instances, and one app id cannot silently be answered by two.
The ``i/<key>/`` routes stay: they name the instance themselves.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt

from ..instance_scope import scoped
from ..models import OfficialAccountRoute, SaleorAppInstallation
from ..wechat import handlers
from ..wechat.callbacks import (
    SUCCESS,
    Refused,
    component_notice,
    official_account_callback,
    signed_with,
)
from ..wechat.mp import component_settings
from .instances import installation_of_schema, trusted_installations
from .requests import NoInstance, request_installation

logger = logging.getLogger(__name__)


def _plain(status: int, text: str) -> HttpResponse:
    return HttpResponse(text, status=status, content_type="text/plain; charset=utf-8")


class ComponentInUse:
    """One Open Platform component of this server: its settings and the instances using it."""

    def __init__(self, values: dict[str, str]) -> None:
        self.values = values
        self.schemas: list[str] = []


def components_in_use() -> list[ComponentInUse]:
    """Every component configured on this server, by app id: the server's (even before any instance
    installed the App: its ticket is kept already), then each trusted instance's."""
    found: dict[str, ComponentInUse] = {}
    server = dict(getattr(settings, "WECHAT_DISTRIBUTION_COMPONENT", None) or {})
    if server.get("app_id"):
        found[server["app_id"]] = ComponentInUse(server)
    for installation in trusted_installations():
        with scoped(installation.schema):
            values = component_settings()
        if values.get("app_id"):
            found.setdefault(values["app_id"], ComponentInUse(values)).schemas.append(installation.schema)
    return list(found.values())


def installation_of_account(app_id: str) -> SaleorAppInstallation | None:
    """The trusted installation holding the Official Account ``app_id`` (``OfficialAccountRoute``)."""
    if not app_id:
        return None
    route = OfficialAccountRoute.objects.filter(app_id=app_id[:32]).first()
    return installation_of_schema(route.schema) if route is not None else None


def _verified(request: HttpRequest) -> tuple[dict[str, str], ComponentInUse]:
    """The notice, verified with the component whose keys it was made with."""
    refused: Refused | None = None
    for component in components_in_use():
        try:
            return component_notice(request, component.values), component
        except Refused as error:
            if not error.wrong_keys:
                raise
            refused = refused or error
    raise refused or Refused(404, "no Open Platform component configured")


@csrf_exempt
def component_view(request: HttpRequest) -> HttpResponse:
    """``wechat/component/``: the Open Platform's notices, for whichever instances use the component."""
    query = dict(request.GET.items())
    try:
        with scoped(None):
            message, component = _verified(request)
            if message.get("InfoType") == handlers.TICKET_NOTICE:
                handlers.handle_component_notice(message=message, raw=request.body, query=query)
                return _plain(200, SUCCESS)
    except Refused as refused:
        logger.warning("refused an Open Platform notice: %s", refused.reason)
        return _plain(refused.status, refused.reason)
    app_id = message.get("AuthorizerAppid", "")
    installation = installation_of_account(app_id)
    if installation is None or installation.schema not in component.schemas:
        logger.warning(
            "Open Platform notice %s of component %s for authorizer %s, which no instance using the "
            "component holds: ignored",
            message.get("InfoType", "")[:32],
            component.values["app_id"],
            app_id[:32],
        )
        return _plain(200, SUCCESS)
    with scoped(installation.schema):
        handlers.handle_component_notice(message=message, raw=request.body, query=query)
    return _plain(200, SUCCESS)


@csrf_exempt
def account_view(request: HttpRequest, app_id: str) -> HttpResponse:
    """``wechat/<app id>/``: the messages and events of an account, in the instance holding it."""
    installation = installation_of_account(app_id)
    if installation is None:
        try:
            installation = request_installation(request, None)  # the only instance, if only one
        except NoInstance:
            with scoped(None):
                components = components_in_use()
            if any(signed_with(request, c.values.get("token", "")) for c in components):
                logger.warning(
                    "WeChat message for %s, which no instance of this server holds: ignored", app_id[:32]
                )
                return _plain(200, SUCCESS)
            logger.warning("refused a WeChat callback for %s: unknown account", app_id[:32])
            return _plain(404, "unknown account")
    with scoped(installation.schema):
        return official_account_callback(request, app_id)
