from __future__ import annotations

from collections.abc import Iterator

import pytest

from saleor_wechat_distribution.conf import ProgramConfig, set_channel_check, set_config_provider
from saleor_wechat_distribution.services.commissions import rules_cache_clear
from saleor_wechat_distribution.testing.fake_wechatpay import FakeWeChatPay


@pytest.fixture(autouse=True)
def _default_program_config():
    """Each test starts with the default program settings (auto-approve off) and no cached rules (tests
    edit rules with queryset updates, which send no signals, and roll back, which reuses versions)."""
    set_config_provider(None)
    set_channel_check(None)
    rules_cache_clear()
    yield
    set_config_provider(None)
    set_channel_check(None)
    rules_cache_clear()


@pytest.fixture
def auto_approve():
    set_config_provider(lambda channel: ProgramConfig(auto_approve=True))


@pytest.fixture
def payout_merchant(settings) -> Iterator[FakeWeChatPay]:
    """A WeChat Pay merchant (the fake world, over HTTP) that pays every channel's v3 payouts."""
    with FakeWeChatPay() as fake:
        settings.WECHAT_DISTRIBUTION_PAYOUTS = {"*": {"v3": fake.v3_settings()}}
        yield fake
