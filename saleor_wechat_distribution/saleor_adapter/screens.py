"""The console and the distributor center on the plugin's routes.

- The console (App manifest, register hook, pages) on Saleor's channel-less route
  ``/plugins/wechat.distribution/…`` (one stable manifest URL per deployment) and on every channel's route.
  Its pages call our GraphQL on the route of a channel where the plugin is active (the first by slug on
  the channel-less route; the channel itself on a channel's route).
- The distributor center on a channel's route (it belongs to the channel's storefronts).
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from saleor.core.utils import build_absolute_uri
from saleor.plugins.models import PluginConfiguration

from ..center import http as center_http
from ..console import http as console_http
from .app_registration import verify_in_saleor

NO_ACTIVE_CHANNEL = "no_active_channel"


def graphql_url(plugin_id: str, channel: str) -> str:
    return f"/plugins/channel/{channel}/{plugin_id}/graphql/"


def first_active_channel(plugin_id: str) -> str | None:
    configuration = (
        PluginConfiguration.objects.filter(identifier=plugin_id, active=True, channel__isnull=False)
        .select_related("channel")
        .order_by("channel__slug")
        .first()
    )
    return configuration.channel.slug if configuration is not None else None


def console(request: HttpRequest, route: str, *, plugin_id: str, channel: str | None) -> HttpResponse | None:
    channel = channel or first_active_channel(plugin_id)
    site = console_http.ConsoleSite(
        absolute=build_absolute_uri,
        verify_registration=verify_in_saleor,
        graphql_url=graphql_url(plugin_id, channel) if channel else None,
        unavailable="" if channel else NO_ACTIVE_CHANNEL,
        channel=channel,
    )
    return console_http.dispatch(request, route, site)


def center(request: HttpRequest, route: str, *, plugin_id: str, channel: str) -> HttpResponse | None:
    return center_http.dispatch(request, route, graphql_url=graphql_url(plugin_id, channel))


def per_channel(
    request: HttpRequest, path: str | None, *, plugin_id: str, channel: str
) -> HttpResponse | None:
    """The screens on ``/plugins/channel/<channel>/<plugin id>/…``; None for the other routes."""
    route = (path or "").lstrip("/")
    return console(request, route, plugin_id=plugin_id, channel=channel) or center(
        request, route, plugin_id=plugin_id, channel=channel
    )
