"""Fixtures of the money API's tests (the world of ``conftest_commissions``)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from saleor_wechat_distribution import host
from saleor_wechat_distribution.ports import HostCheckout

from ..conftest import World
from ..conftest_commissions import (
    CHANNEL,
    ROLES,
    MoneyWorld,
    build_money_world,
)


@pytest.fixture
def mw(world: World, payout_merchant) -> MoneyWorld:
    return build_money_world(world, payout_merchant)


@pytest.fixture
def checkouts() -> Iterator[dict[str, str]]:
    """The host's checkouts (id -> channel) that ``checkoutAttribute`` may put codes on."""
    known = {f"chk-{role}": CHANNEL for role in ROLES} | {"chk-1": CHANNEL}
    with host.overridden(checkout_lookup=lambda id: HostCheckout(id, known[id]) if id in known else None):
        yield known
