"""The sandbox's sales channels: it stands in for a Saleor shop with one channel, in yuan."""

from __future__ import annotations

from ..ports import HostChannel

DEMO_CHANNEL = "default-channel"
CHANNELS = (HostChannel(slug=DEMO_CHANNEL, currency="CNY", name="Default channel"),)


def sandbox_channels() -> list[HostChannel]:
    """``Host.channel_list`` of the sandbox."""
    return list(CHANNELS)
