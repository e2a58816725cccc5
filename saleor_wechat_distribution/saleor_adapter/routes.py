"""What ``plugin.webhook()`` serves under ``/plugins/channel/<channel>/wechat.distribution/``.

Saleor-free (authentication comes in as a function), so the routing is tested in the core's suite:

- ``graphql/``              our GraphQL schema (GraphiQL on GET when ``graphiql``)
- ``export/<kind>.csv``     auditors' CSV exports (staff with MANAGE_ORDERS)
- ``wechatpay/notify/``     WeChat Pay notifications for this channel's merchant
- ``wechat/component/``     Open Platform component callbacks (issue 4)
- ``wechat/<appid>/``       Official Account message callbacks (issue 4)
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, JsonResponse

from ..audit_export import audit_export_view
from ..graphql.views import Authenticator, execute_graphql
from ..wechat.payout_notifications import payout_notification_view

_EXPORT = re.compile(r"^export/(?P<kind>[a-z]+)\.csv$")
_OFFICIAL_ACCOUNT = re.compile(r"^wechat/(?P<app_id>wx[0-9a-f]{16})/$")

#: where the WeChat callback views live (issue 4); looked up by name so that this package works, and
#: answers a clear 404, in a build that does not have them yet
OFFICIAL_ACCOUNT_CALLBACK = ("saleor_wechat_distribution.wechat.callbacks", "official_account_callback_view")
COMPONENT_CALLBACK = ("saleor_wechat_distribution.wechat.callbacks", "component_callback_view")


def not_available(what: str) -> JsonResponse:
    return JsonResponse({"error": f"{what} is not available yet in this version"}, status=404)


def _optional_view(target: tuple[str, str]) -> Callable[..., HttpResponse] | None:
    module_name, attribute = target
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as missing:
        if missing.name != module_name:
            raise
        return None
    return getattr(module, attribute, None)


def official_account_callback(request: HttpRequest, *, channel: str, app_id: str) -> HttpResponse:
    view = _optional_view(OFFICIAL_ACCOUNT_CALLBACK)
    if view is None:
        return not_available("Official Account callbacks")
    return view(request, app_id=app_id, channel=channel)


def component_callback(request: HttpRequest, *, channel: str) -> HttpResponse:
    view = _optional_view(COMPONENT_CALLBACK)
    if view is None:
        return not_available("Open Platform callbacks")
    return view(request, channel=channel)


def normalize_path(path: str | None) -> str:
    """Saleor passes what follows the plugin id in the URL ("/graphql/"), or None."""
    return (path or "").lstrip("/")


def dispatch(
    request: HttpRequest, path: str | None, *, channel: str, authenticate: Authenticator, graphiql: bool
) -> HttpResponse:
    route = normalize_path(path)
    if route in ("graphql/", "graphql"):
        return execute_graphql(request, authenticate=authenticate, graphiql=graphiql)
    if route == "wechatpay/notify/":
        return payout_notification_view(request, channel)
    if route == "wechat/component/":
        return component_callback(request, channel=channel)
    if match := _OFFICIAL_ACCOUNT.match(route):
        return official_account_callback(request, channel=channel, app_id=match["app_id"])
    if match := _EXPORT.match(route):
        return audit_export_view(request, match["kind"], authenticate=authenticate)
    return JsonResponse({"error": "not found"}, status=404)
