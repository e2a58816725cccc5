from __future__ import annotations

from collections.abc import Iterator

import pytest

from saleor_wechat_distribution import host
from saleor_wechat_distribution.conf import ProgramConfig
from saleor_wechat_distribution.services.commissions import rules_cache_clear
from saleor_wechat_distribution.testing.fake_wechatpay import FakeWeChatPay


@pytest.fixture(autouse=True)
def _default_program_config():
    """Each test starts with the default program settings (auto-approve off) and no cached rules (tests
    edit rules with queryset updates, which send no signals, and roll back, which reuses versions), and
    leaves the host registry (``host.py``) as it found it."""
    saved = host.current()
    host.update(program_config=None, channel_active=None)
    rules_cache_clear()
    yield
    host.install(saved)
    rules_cache_clear()


@pytest.fixture
def auto_approve():
    host.update(program_config=lambda channel: ProgramConfig(auto_approve=True))


@pytest.fixture
def payout_merchant(settings) -> Iterator[FakeWeChatPay]:
    """A WeChat Pay merchant (the fake world, over HTTP) that pays every channel's v3 payouts."""
    with FakeWeChatPay() as fake:
        settings.WECHAT_DISTRIBUTION_PAYOUTS = {"*": {"v3": fake.v3_settings()}}
        yield fake
