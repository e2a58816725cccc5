"""App mode's URLs (one server per deployment, at its root):

- ``app/manifest.json`` (also ``api/manifest``): the App manifest: the console's extensions, plus the
  webhooks with their subscription queries (``subscriptions.py``)
- ``app/register/`` (also ``api/register``): Saleor posts the App's token on install (``console/register``,
  verified over HTTP as app-sdk does: ``console/remote_registration``)
- ``api/webhooks/``: Saleor's webhooks (``webhooks.py``)
- ``graphql/``: our GraphQL; Saleor's JWTs verified against the instance's JWKS (``auth.py``)
- ``console/…``, ``center/…``: the staff console and the distributor center
- ``wechat/…``, ``wechatpay/…``: WeChat's callbacks

Every route that reads or writes an instance's rows runs in that instance's scope (``requests.py``), and
is also served under ``i/<key>/`` (``key``: the instance's schema), the form WeChat Pay's notification
URLs and an account's own callback URL may take when the server serves several instances. The Open
Platform's two URLs (``wechat/component/``, ``wechat/$APPID$/``) are one per component, however many
instances use it: un-prefixed, they find the instance themselves (``wechat_routes.py``).
"""

from __future__ import annotations

import json
from dataclasses import replace

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.urls import path, re_path
from django.views.decorators.csrf import csrf_exempt

from ..audit_export import audit_export_view
from ..center import http as center_http
from ..console import http as console_http
from ..console.manifest import MANIFEST_PATH, REGISTER_PATH
from ..console.register import Registration, register_view
from ..console.remote_registration import verify_with_saleor
from ..graphql.views import execute_graphql
from ..network_export_view import network_export_view
from ..wechat.callbacks import component_callback, official_account_callback
from ..wechat.coupon_notifications import coupon_notification_view
from ..wechat.payout_notifications import payout_notification_view
from .auth import authenticate
from .requests import INSTANCE_PREFIX, in_instance
from .schemas import migrate_schema, registrations_one_at_a_time, schema_of_new_installation
from .subscriptions import WEBHOOK_PATH, manifest_webhooks
from .webhooks import webhook_view
from .wechat_routes import account_view, component_view

GRAPHQL_PATH = "/graphql/"


def verify_and_provision(api_url: str, token: str) -> Registration:
    """The registration checked with Saleor (``console/remote_registration``), then the instance's schema
    made and migrated (``schemas.py``) before its row is written: an installation always has its tables."""
    registration = verify_with_saleor(api_url, token)
    schema = schema_of_new_installation(api_url)
    migrate_schema(schema)
    return replace(registration, schema=schema)


def _site(request: HttpRequest) -> console_http.ConsoleSite:
    return console_http.ConsoleSite(
        absolute=request.build_absolute_uri,
        verify_registration=verify_and_provision,
        graphql_url=GRAPHQL_PATH,
    )


def manifest_view(request: HttpRequest) -> HttpResponse:
    response = console_http.manifest_view(request, "/", _site(request))
    if response.status_code != 200:
        return response
    manifest = json.loads(response.content)
    manifest["webhooks"] = manifest_webhooks(request.build_absolute_uri("/" + WEBHOOK_PATH))
    answer = JsonResponse(manifest, json_dumps_params={"ensure_ascii": False})
    answer["Cache-Control"] = "no-cache"
    return answer


@csrf_exempt
def register(request: HttpRequest) -> HttpResponse:
    with registrations_one_at_a_time():
        return register_view(request, verify=verify_and_provision)


@csrf_exempt
@in_instance
def graphql_view(request: HttpRequest) -> HttpResponse:
    return execute_graphql(request, authenticate=authenticate)


@in_instance
def export_view(request: HttpRequest, kind: str) -> HttpResponse:
    return audit_export_view(request, kind, authenticate=authenticate)


@in_instance
def distributors_export_view(request: HttpRequest, file_format: str) -> HttpResponse:
    return network_export_view(request, file_format, authenticate=authenticate)


@csrf_exempt
def console_view(request: HttpRequest, route: str) -> HttpResponse:
    response = console_http.dispatch(request, route, _site(request))
    if response is None:
        raise Http404(route)
    return response


def center_view(request: HttpRequest, route: str) -> HttpResponse:
    response = center_http.dispatch(request, route, graphql_url=GRAPHQL_PATH)
    if response is None:
        raise Http404(route)
    return response


#: routes of an instance's rows: each also under ``i/<key>/``
_instance_routes = [
    path("graphql/", graphql_view, name="graphql"),
    path("export/distributors.<slug:file_format>", distributors_export_view, name="distributors-export"),
    path("export/<slug:kind>.csv", export_view, name="audit-export"),
    path(
        "wechatpay/<slug:channel>/notify/",
        csrf_exempt(in_instance(payout_notification_view)),
        name="wechatpay-notify",
    ),
    path(
        "wechatpay/coupons/<slug:mchid>/notify/",
        csrf_exempt(in_instance(coupon_notification_view)),
        name="wechatpay-coupon-notify",
    ),
]
#: WeChat's callbacks under ``i/<key>/``; un-prefixed, the instance is found from the message
_prefixed_wechat_routes = [
    path("wechat/component/", in_instance(component_callback)),
    path("wechat/<str:app_id>/", in_instance(official_account_callback)),
]

urlpatterns = [
    path(MANIFEST_PATH, manifest_view, name="app-manifest"),
    path("api/manifest", manifest_view),
    path(REGISTER_PATH, register, name="app-register"),
    path("api/register", register),
    path(WEBHOOK_PATH, webhook_view, name="app-webhooks"),
    re_path(r"^(?P<route>console(?:/.*)?)$", console_view, name="console"),
    re_path(r"^(?P<route>center(?:/.*)?)$", center_view, name="center"),
    path("wechat/component/", component_view, name="wechat-component"),
    path("wechat/<str:app_id>/", account_view, name="wechat-callback"),
    *_instance_routes,
    *(
        path(INSTANCE_PREFIX + str(route.pattern), route.callback)
        for route in (*_instance_routes, *_prefixed_wechat_routes)
    ),
]
