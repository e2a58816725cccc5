"""A temporary WeChat Pay error is retried by a real Celery worker, with backoff, under the same bill no."""

from __future__ import annotations

import json
import os
from decimal import Decimal

import pytest

from saleor_wechat_distribution.models import ChannelProgram, WeChatIdentity, Withdrawal
from saleor_wechat_distribution.ports import SYSTEM, Principal
from saleor_wechat_distribution.services.ledger import ledger_append
from saleor_wechat_distribution.services.withdrawals import withdrawal_approve, withdrawal_request
from saleor_wechat_distribution.testing.factories import make_distributor
from saleor_wechat_distribution.testing.fake_wechatpay import FakeWeChatPay

from .conftest import wait_for


@pytest.fixture
def world(monkeypatch):
    with FakeWeChatPay() as fake:
        # the worker process reads the merchant from its environment, set before it starts
        monkeypatch.setenv("WECHAT_DISTRIBUTION_PAYOUTS", json.dumps({"*": {"v3": fake.v3_settings()}}))
        monkeypatch.setenv("WECHAT_DISTRIBUTION_PAYOUT_RETRY_BACKOFF", "1")
        yield fake


def test_payout_retried_by_the_worker_until_wechat_answers(world, celery_worker):
    assert os.environ["WECHAT_DISTRIBUTION_PAYOUT_RETRY_BACKOFF"] == "1"
    ChannelProgram.objects.create(channel="default-channel", payout_app_id=world.merchant.appid)
    seller = make_distributor()
    WeChatIdentity.objects.create(
        app_id=world.merchant.appid, openid="o-seller-openid-0000001", user_id=seller.user_id
    )
    ledger_append(
        distributor_id=seller.pk, currency="CNY", amount=Decimal("50.00"), kind="adjustment", key="seed"
    )
    withdrawal = withdrawal_request(principal=Principal(user_id=seller.user_id), amount=Decimal("12.34"),
                                    channel="default-channel")  # fmt: skip
    world.next_transfer_outcome = "SYSTEM_ERROR_AFTER_ACCEPT"
    withdrawal_approve(actor=SYSTEM, withdrawal_id=withdrawal.pk)
    wait_for(lambda: Withdrawal.objects.get(pk=withdrawal.pk).status == "wait_user_confirm")
    assert list(world.bills) == [withdrawal.out_bill_no]
    assert world.calls["transfer_bills.create"] >= 2  # the first answer was lost
