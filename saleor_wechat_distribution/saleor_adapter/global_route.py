"""Which of our routes Saleor's channel-less plugin route may serve.

Saleor 3.24 routes a plugin's requests three ways (``saleor/urls.py``):

- ``/plugins/channel/<channel>/<plugin id>/…``: the plugin as configured in that channel; 404 while it is
  inactive there. Our routes are served here.
- ``/plugins/global/<plugin id>/…``: global plugins only; a per-channel plugin answers 404.
- ``/plugins/<plugin id>/…`` (kept by Saleor for backward compatibility, marked for removal): the *first*
  channel's instance of a per-channel plugin, active or not.

The WeChat callbacks that are one per deployment (the Open Platform component's notices, an Official
Account's messages, a merchant's coupon notifications) do not depend on a channel, so every channel's route
serves them alike, and Saleor's channel-less route serves them too while the plugin is active in at least
one channel, and so does the staff console (its App manifest, register hook and pages; ``screens.py``).
Everything that belongs to a channel (our GraphQL API, exports, payout notifications, whose
``notify_url`` names the channel that sent the transfer) answers 404 there: that route hands us an arbitrary
channel's instance, even an inactive one.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from saleor.plugins.models import PluginConfiguration

from ..wechat.callbacks import component_callback, official_account_callback
from ..wechat.coupon_notifications import coupon_notification_view
from . import screens
from .routes import _COUPON_NOTIFY, _OFFICIAL_ACCOUNT, normalize_path

PER_CHANNEL_PREFIX = "/plugins/channel/"


def is_per_channel_request(request: HttpRequest) -> bool:
    return PER_CHANNEL_PREFIX in request.path


def active_anywhere(plugin_id: str) -> bool:
    return PluginConfiguration.objects.filter(identifier=plugin_id, active=True).exists()


def serve(request: HttpRequest, path: Any, *, plugin_id: str) -> HttpResponse:
    """A request on Saleor's channel-less route: the channel-free callbacks only."""
    route = normalize_path(path)
    if not active_anywhere(plugin_id):
        return JsonResponse({"error": "not found"}, status=404)
    if route == "wechat/component/":
        return component_callback(request)
    if match := _OFFICIAL_ACCOUNT.match(route):
        return official_account_callback(request, match["app_id"])
    if match := _COUPON_NOTIFY.match(route):
        return coupon_notification_view(request, match["mchid"])
    if (page := screens.console(request, route, plugin_id=plugin_id, channel=None)) is not None:
        return page  # the App manifest's one stable URL, its register hook and the console's pages
    return JsonResponse({"error": f"use /plugins/channel/<channel>/{plugin_id}/{route}"}, status=404)
