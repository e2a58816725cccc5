"""The paid-order hot path's reads of referrals, each one plain statement (``rows.fetch``): the order's
attribution, and the channel's bindings of a customer's keys."""

from __future__ import annotations

from collections.abc import Sequence

from ..models import CustomerBinding, OrderAttribution
from .rows import fetch, fetch_one, placeholders


def attribution_of_order(order_id: str) -> OrderAttribution | None:
    return fetch_one(OrderAttribution, "order_id = %s", [order_id])


def bindings_of_keys(*, channel: str, keys: Sequence[str]) -> list[CustomerBinding]:
    """The channel's bindings of any of ``keys`` (not empty), valid or not."""
    return fetch(
        CustomerBinding, f"channel = %s AND customer_key IN ({placeholders(keys)})", [channel, *keys]
    )
