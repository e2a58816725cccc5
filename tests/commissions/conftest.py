from __future__ import annotations

from decimal import Decimal

import pytest

from saleor_wechat_distribution.domain.distributors import DistributorKind
from saleor_wechat_distribution.models import ChannelProgram, CommissionRule
from saleor_wechat_distribution.testing.factories import make_distributor, payout_identity

CHANNEL = "default-channel"


@pytest.fixture
def program(db) -> ChannelProgram:
    """CNY channel, two paid levels (10 % and 3 %), 7-day after-sales window."""
    program = ChannelProgram.objects.create(
        channel=CHANNEL, currency="CNY", commission_depth=2, freeze_days=7
    )
    CommissionRule.objects.create(channel=CHANNEL, level=1, rate=Decimal("10"))
    CommissionRule.objects.create(channel=CHANNEL, level=2, rate=Decimal("3"))
    return program


@pytest.fixture
def chain(db):
    """brand > enterprise E > individual A > individual B (B sells; A is B's upline; E is never paid)."""
    e = make_distributor(kind=DistributorKind.ENTERPRISE, name="E")
    a = make_distributor(e, name="A")
    b = make_distributor(a, name="B")
    return e, a, b


@pytest.fixture
def payable(program, payout_merchant):
    """The program pays out through the fake merchant's app; ``payable(distributor)`` records the
    distributor's openid there (what opening the shop in WeChat once does)."""
    program.payout_app_id = payout_merchant.merchant.appid
    program.save()
    return lambda distributor: payout_identity(distributor, payout_merchant.merchant.appid)
