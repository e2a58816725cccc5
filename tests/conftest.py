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



@pytest.fixture(autouse=True)
def _celery_join_flag_reset() -> Iterator[None]:
    """Celery marks "inside a task" in one process-wide flag, set and restored around every eager
    ``apply_async`` without a lock: tests that send eager tasks from several threads at once (the
    reliability tests) can leave it set, and a later test's ``task.apply().get()`` then refuses to run
    ("Never call result.get() within a task!"), depending on which tests ran before on the same worker.
    The product never joins a task result; the tests do, so each test starts with the flag clear."""
    from celery._state import _set_task_join_will_block

    _set_task_join_will_block(False)
    yield
