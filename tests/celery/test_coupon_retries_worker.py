"""A rate-limited coupon sync is retried by a real Celery worker with exponential backoff, and never makes a
second stock; when retries run out the stock shows failed."""

from __future__ import annotations

import json
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from saleor_wechat_distribution import host_events
from saleor_wechat_distribution.models import CouponStock
from saleor_wechat_distribution.sandbox.vouchers.models import SandboxVoucher, SandboxVoucherCode
from saleor_wechat_distribution.testing.fake_wechatpay import FakeWeChatPay

from .conftest import wait_for


@pytest.fixture
def world(monkeypatch):
    with FakeWeChatPay() as fake:
        # the worker process reads the merchant from its environment, set before it starts
        entry = {"v3": fake.v3_settings(), "api_key_v2": fake.merchant.api_key_v2}
        monkeypatch.setenv("WECHAT_DISTRIBUTION_COUPONS", json.dumps({"*": [entry]}))
        monkeypatch.setenv("WECHAT_DISTRIBUTION_COUPON_RETRY_BACKOFF", "0.5")
        yield fake


def make_voucher(codes: int) -> SandboxVoucher:
    voucher = SandboxVoucher.objects.create(
        voucher_id="VW1", name="worker voucher", discount_type="fixed", value=Decimal("5"),
        minimum_spend=Decimal("50"), end=timezone.now() + timedelta(days=7),
    )  # fmt: skip
    SandboxVoucherCode.objects.bulk_create(
        [SandboxVoucherCode(voucher=voucher, code=f"W{i:05d}") for i in range(codes)]
    )
    return voucher


def test_rate_limited_sync_backs_off_and_completes(world, celery_worker):
    voucher = make_voucher(codes=250)
    world.busifavor.faults = ["FREQUENCY_LIMITED", "FREQUENCY_LIMITED"]

    host_events.voucher_created(voucher.voucher_id)

    wait_for(lambda: CouponStock.objects.filter(status="synced").exists(), timeout=60)
    stock = CouponStock.objects.get()
    assert stock.codes_uploaded == 250 and stock.error_code == ""
    assert len(world.busifavor.stocks) == 1  # never two stocks for one voucher
    assert len(world.busifavor.stocks[stock.stock_id].codes) == 250
    creates = [r.at for r in world.requests if r.path == "/v3/marketing/busifavor/stocks"]
    first, second = creates[1] - creates[0], creates[2] - creates[1]
    assert first >= 0.3 and second >= 0.7  # 0.5 s then 1 s (±25 % jitter): exponential

    # a late duplicate event syncs again and changes nothing in WeChat
    attempts = stock.attempts
    host_events.voucher_updated(voucher.voucher_id)
    wait_for(lambda: CouponStock.objects.get().attempts == attempts + 1, timeout=30)
    assert len(world.busifavor.stocks) == 1 and world.calls["busifavor.stocks.create"] == 3
    assert world.calls["busifavor.couponcodes.upload"] == 2


def test_retries_running_out_leave_a_visible_failed_state(world, transactional_db):
    from saleor_wechat_distribution.tasks import coupon_sync_task

    voucher = make_voucher(codes=3)
    world.busifavor.faults = ["SYSTEM_ERROR"]
    coupon_sync_task.apply(args=[voucher.voucher_id], retries=coupon_sync_task.max_retries)
    stock = CouponStock.objects.get()
    assert (stock.status, stock.error_code) == ("failed", "SYSTEM_ERROR")
