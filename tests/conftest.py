from __future__ import annotations

import pytest

from saleor_wechat_distribution.conf import ProgramConfig, set_config_provider


@pytest.fixture(autouse=True)
def _default_program_config():
    """Each test starts with the default program settings (auto-approve off)."""
    set_config_provider(None)
    yield
    set_config_provider(None)


@pytest.fixture
def auto_approve():
    set_config_provider(lambda channel: ProgramConfig(auto_approve=True))
