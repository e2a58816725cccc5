"""``Host.channel_list`` over Saleor's GraphQL API (App mode's ``saleor_adapter/channels.py``): the shop's
channels for the console's channel picker. ``channels`` needs an authenticated App (any permission), so
it is read with the App's token; Saleor not answering is ``HOST_UNAVAILABLE`` (``host_client.asking``)."""

from __future__ import annotations

from ..ports import HostChannel
from .host_client import app_client, asking

CHANNELS_QUERY = "query WeChatDistributionChannels { channels { slug name currencyCode } }"


def saleor_api_channels() -> list[HostChannel]:
    client = app_client()
    with asking("channels"):
        data = client.query(CHANNELS_QUERY)
    channels = [c for c in data.get("channels") or () if isinstance(c, dict) and c.get("slug")]
    return sorted(
        (
            HostChannel(slug=c["slug"], currency=c.get("currencyCode") or "", name=c.get("name") or "")
            for c in channels
        ),
        key=lambda c: c.slug,
    )
