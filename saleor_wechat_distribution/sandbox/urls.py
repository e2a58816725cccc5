from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import path, re_path
from django.views.decorators.csrf import csrf_exempt
from django.views.static import serve

from ..audit_export import audit_export_view
from ..center import http as center_http
from ..console import http as console_http
from ..console.remote_registration import verify_with_saleor
from ..graphql.views import execute_graphql
from ..network_export_view import network_export_view
from ..wechat.callbacks import component_callback, official_account_callback
from ..wechat.coupon_notifications import coupon_notification_view
from ..wechat.payout_notifications import payout_notification_view
from . import simulated_wechat
from .dashboard import fake_dashboard_view
from .demo_images import demo_product_image
from .tokens import authenticate


@csrf_exempt
def graphql_view(request: HttpRequest) -> HttpResponse:
    return execute_graphql(request, authenticate=authenticate, graphiql=True)


def export_view(request: HttpRequest, kind: str) -> HttpResponse:
    return audit_export_view(request, kind, authenticate=authenticate)


def distributors_export_view(request: HttpRequest, file_format: str) -> HttpResponse:
    return network_export_view(request, file_format, authenticate=authenticate)


def _console_site(request: HttpRequest) -> console_http.ConsoleSite:
    # the sandbox stands in for Saleor: it serves the console at its root, with its own GraphQL
    return console_http.ConsoleSite(
        absolute=request.build_absolute_uri,
        verify_registration=verify_with_saleor,
        graphql_url="/graphql/",
        dashboard_url="/dashboard/",
        # no channel of its own: like App mode, the program page lets staff pick one (the demo data's)
        channel=None,
    )


@csrf_exempt
def console_view(request: HttpRequest, route: str) -> HttpResponse:
    response = console_http.dispatch(request, route, _console_site(request))
    if response is None:
        raise Http404(route)
    return response


def center_view(request: HttpRequest, route: str) -> HttpResponse:
    wechat = simulated_wechat.running()
    config = {"simulatedWeChat": wechat.page_config} if wechat is not None else None
    response = center_http.dispatch(request, route, graphql_url="/graphql/", config=config)
    if response is None:
        raise Http404(route)
    return response


urlpatterns = [
    path("", lambda request: redirect("graphql/")),
    path("graphql/", graphql_view, name="graphql"),
    path("dashboard/", fake_dashboard_view, name="fake-dashboard"),
    re_path(r"^(?P<route>app/.*|console(?:/.*)?)$", console_view, name="console"),
    re_path(r"^(?P<route>center(?:/.*)?)$", center_view, name="center"),
    path("demo-products/<slug:product_id>.png", demo_product_image, name="demo-product-image"),
    path("export/distributors.<slug:file_format>", distributors_export_view, name="distributors-export"),
    path("export/<slug:kind>.csv", export_view, name="audit-export"),
    re_path(r"^media/(?P<path>.*)$", serve, {"document_root": settings.MEDIA_ROOT}, name="media"),
    path("wechat/component/", component_callback, name="wechat-component"),
    path("wechat/<str:app_id>/", official_account_callback, name="wechat-callback"),
    path("wechatpay/<slug:channel>/notify/", csrf_exempt(payout_notification_view), name="wechatpay-notify"),
    path(
        "wechatpay/coupons/<slug:mchid>/notify/",
        csrf_exempt(coupon_notification_view),
        name="wechatpay-coupon-notify",
    ),
]
