"""What ``plugin.webhook()`` serves under ``/plugins/channel/<channel>/wechat.distribution/``.

Saleor-free (authentication comes in as a function), so the routing is tested in the core's suite:

- ``graphql/``              our GraphQL schema (GraphiQL on GET when ``graphiql``)
- ``export/<kind>.csv``     auditors' CSV exports (staff with MANAGE_ORDERS)
- ``wechatpay/notify/``     WeChat Pay transfer notifications for this channel's merchant
- ``wechatpay/coupons/<mchid>/notify/``  WeChat Pay merchant-coupon (商家券) notifications
- ``wechat/component/``     Open Platform component callbacks
- ``wechat/<appid>/``       Official Account message callbacks
"""

from __future__ import annotations

import re

from django.http import HttpRequest, HttpResponse, JsonResponse

from ..audit_export import audit_export_view
from ..graphql.views import Authenticator, execute_graphql
from ..wechat.callbacks import component_callback, official_account_callback
from ..wechat.coupon_notifications import coupon_notification_view
from ..wechat.payout_notifications import payout_notification_view

_EXPORT = re.compile(r"^export/(?P<kind>[a-z]+)\.csv$")
_OFFICIAL_ACCOUNT = re.compile(r"^wechat/(?P<app_id>wx[0-9a-f]{16})/$")

_COUPON_NOTIFY = re.compile(r"^wechatpay/coupons/(?P<mchid>[0-9A-Za-z_-]{1,32})/notify/$")


def normalize_path(path: str | None) -> str:
    """Saleor passes what follows the plugin id in the URL ("/graphql/"), or None."""
    return (path or "").lstrip("/")


def dispatch(
    request: HttpRequest, path: str | None, *, channel: str, authenticate: Authenticator, graphiql: bool
) -> HttpResponse:
    route = normalize_path(path)
    if route in ("graphql/", "graphql"):
        return execute_graphql(request, authenticate=authenticate, graphiql=graphiql, channel=channel)
    if route == "wechatpay/notify/":
        return payout_notification_view(request, channel)
    if route == "wechat/component/":
        return component_callback(request)
    if match := _OFFICIAL_ACCOUNT.match(route):
        return official_account_callback(request, match["app_id"])
    if match := _COUPON_NOTIFY.match(route):
        return coupon_notification_view(request, match["mchid"])
    if match := _EXPORT.match(route):
        return audit_export_view(request, match["kind"], authenticate=authenticate)
    return JsonResponse({"error": "not found"}, status=404)
