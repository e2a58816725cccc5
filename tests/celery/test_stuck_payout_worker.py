"""A payout whose merchant is gone when the worker runs it fails with a reason and returns the money,
through the real task path (a Celery worker process, Redis broker), instead of staying processing."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from saleor_wechat_distribution.models import ChannelProgram, LedgerEntry, Withdrawal
from saleor_wechat_distribution.ports import SYSTEM, Principal
from saleor_wechat_distribution.services.ledger import ledger_append, ledger_balance
from saleor_wechat_distribution.services.withdrawals import withdrawal_approve, withdrawal_request
from saleor_wechat_distribution.testing.factories import make_distributor, payout_identity
from saleor_wechat_distribution.testing.fake_wechatpay import FakeWeChatPay

from .conftest import wait_for


@pytest.fixture
def world(monkeypatch):
    with FakeWeChatPay() as fake:
        monkeypatch.delenv("WECHAT_DISTRIBUTION_PAYOUTS", raising=False)  # the worker has no merchant
        yield fake


def test_the_worker_fails_a_payout_it_cannot_start_and_returns_the_money(world, celery_worker, settings):
    # this process still sees the merchant (approval checks it); the worker, started without, does not
    settings.WECHAT_DISTRIBUTION_PAYOUTS = json.loads(json.dumps({"*": {"v3": world.v3_settings()}}))
    ChannelProgram.objects.create(channel="default-channel", payout_app_id=world.merchant.appid)
    seller = make_distributor()
    payout_identity(seller, world.merchant.appid)
    ledger_append(
        distributor_id=seller.pk, currency="CNY", amount=Decimal("50.00"), kind="adjustment", key="seed"
    )
    withdrawal = withdrawal_request(principal=Principal(user_id=seller.user_id), amount=Decimal("12.34"),
                                    channel="default-channel")  # fmt: skip
    withdrawal_approve(actor=SYSTEM, withdrawal_id=withdrawal.pk)
    wait_for(lambda: Withdrawal.objects.get(pk=withdrawal.pk).status == Withdrawal.Status.FAILED)
    withdrawal.refresh_from_db()
    assert withdrawal.fail_reason.startswith("PAYOUT_NOT_CONFIGURED")
    assert ledger_balance(distributor_id=seller.pk, currency="CNY") == Decimal("50.00")
    assert LedgerEntry.objects.filter(withdrawal=withdrawal, kind="withdrawal_returned").count() == 1
    assert world.bills == {}
