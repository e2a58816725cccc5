from __future__ import annotations

import pytest

from saleor_wechat_distribution.conf import ProgramConfig, set_config_provider
from saleor_wechat_distribution.services.commissions import rules_cache_clear


@pytest.fixture(autouse=True)
def _default_program_config():
    """Each test starts with the default program settings (auto-approve off) and no cached rules (tests
    edit rules with queryset updates, which send no signals, and roll back, which reuses versions)."""
    set_config_provider(None)
    rules_cache_clear()
    yield
    set_config_provider(None)
    rules_cache_clear()


@pytest.fixture
def auto_approve():
    set_config_provider(lambda channel: ProgramConfig(auto_approve=True))
