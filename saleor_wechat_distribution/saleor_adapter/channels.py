"""Saleor's channels, as the console's channel picker lists them (``Host.channel_list``)."""

from __future__ import annotations

from ..ports import HostChannel


def saleor_channels() -> list[HostChannel]:
    from saleor.channel.models import Channel

    rows = Channel.objects.order_by("slug").values_list("slug", "currency_code", "name")
    return [HostChannel(slug=slug, currency=currency, name=name) for slug, currency, name in rows]
