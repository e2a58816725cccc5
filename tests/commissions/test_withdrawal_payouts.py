"""Withdrawals paid through WeChat Pay v3 商家转账: the real wechatpayv3 client against the fake WeChat Pay,
Celery eager, notifications through our HTTP endpoint. Money is paid once and returned at most once."""

from __future__ import annotations

import json
from collections.abc import Iterator
from decimal import Decimal

import pytest
from django.test import Client

from saleor_wechat_distribution.models import InboundEvent, LedgerEntry, WeChatIdentity, Withdrawal
from saleor_wechat_distribution.ports import SYSTEM, Principal
from saleor_wechat_distribution.services.ledger import ledger_append, ledger_balance
from saleor_wechat_distribution.services.payouts import withdrawal_reconcile
from saleor_wechat_distribution.services.withdrawals import withdrawal_approve, withdrawal_request
from saleor_wechat_distribution.testing.fake_wechatpay import FakeWeChatPay

pytestmark = pytest.mark.django_db
D = Decimal
OPENID = "o-distributor-b-openid-000001"


@pytest.fixture
def world(settings, program) -> Iterator[FakeWeChatPay]:
    with FakeWeChatPay() as fake:
        settings.WECHAT_DISTRIBUTION_PAYOUTS = {"*": {"v3": fake.v3_settings()}}
        program.payout_app_id = fake.merchant.appid
        program.save()
        yield fake
    assert fake.errors == []


@pytest.fixture
def seller(chain, world):
    _, _, b = chain
    WeChatIdentity.objects.create(app_id=world.merchant.appid, openid=OPENID, user_id=b.user_id)
    ledger_append(distributor_id=b.pk, currency="CNY", amount=D("100.00"), kind="adjustment", key="seed")
    return b


def approved(seller, amount: str, capture) -> Withdrawal:
    withdrawal = withdrawal_request(
        principal=Principal(user_id=seller.user_id), amount=D(amount), channel="default-channel"
    )
    with capture(execute=True):
        withdrawal_approve(actor=SYSTEM, withdrawal_id=withdrawal.pk)
    withdrawal.refresh_from_db()
    return withdrawal


def notify(world: FakeWeChatPay, out_bill_no: str, **broken) -> int:
    headers, body = world.transfer_notification(out_bill_no, **broken)
    extra = {f"HTTP_{k.upper().replace('-', '_')}": v for k, v in headers.items()}
    response = Client().post(
        "/wechatpay/default-channel/notify/", body, content_type="application/json", **extra
    )
    return response.status_code


def test_confirmed_transfer_is_paid_once(world, seller, django_capture_on_commit_callbacks):
    withdrawal = approved(seller, "30.00", django_capture_on_commit_callbacks)
    assert withdrawal.status == "wait_user_confirm" and withdrawal.package_info
    assert ledger_balance(distributor_id=seller.pk, currency="CNY") == D("70.00")
    world.user_confirms(withdrawal.out_bill_no)
    assert notify(world, withdrawal.out_bill_no) == 204
    assert notify(world, withdrawal.out_bill_no) == 204  # WeChat Pay retries: nothing more happens
    withdrawal.refresh_from_db()
    assert withdrawal.status == "paid" and withdrawal.finished_at
    assert world.paid_fen(OPENID) == 3000
    assert len(world.payments_for(withdrawal.out_bill_no)) == 1
    assert ledger_balance(distributor_id=seller.pk, currency="CNY") == D("70.00")
    assert InboundEvent.objects.filter(source="wechatpay.transfer", processed_at__isnull=False).count() == 2


def test_never_confirmed_is_cancelled_and_the_money_returns_once(
    world, seller, django_capture_on_commit_callbacks
):
    withdrawal = approved(seller, "40.00", django_capture_on_commit_callbacks)
    world.user_never_confirms(withdrawal.out_bill_no)
    for _ in range(3):
        assert notify(world, withdrawal.out_bill_no) == 204
    withdrawal_reconcile(withdrawal_id=withdrawal.pk)
    withdrawal.refresh_from_db()
    assert withdrawal.status == "cancelled"
    assert ledger_balance(distributor_id=seller.pk, currency="CNY") == D("100.00")
    assert LedgerEntry.objects.filter(kind="withdrawal_returned").count() == 1


def test_failed_transfer_returns_the_money(world, seller, django_capture_on_commit_callbacks):
    world.next_transfer_outcome = "FAIL"
    withdrawal = approved(seller, "25.00", django_capture_on_commit_callbacks)
    assert withdrawal.status == "failed"
    assert ledger_balance(distributor_id=seller.pk, currency="CNY") == D("100.00")
    assert world.paid_fen(OPENID) == 0


def test_lost_answer_is_reconciled_under_the_same_bill_number(
    world, seller, django_capture_on_commit_callbacks
):
    world.next_transfer_outcome = "SYSTEM_ERROR_AFTER_ACCEPT"  # WeChat created the bill, the answer was lost
    withdrawal = approved(seller, "20.00", django_capture_on_commit_callbacks)
    # eagerly run, the task's retry cannot wait: the withdrawal stays processing (the real worker retries,
    # see tests/celery); reconciliation finds the bill WeChat Pay made, never a second one
    assert withdrawal.status == "processing"
    assert ledger_balance(distributor_id=seller.pk, currency="CNY") == D("80.00")
    withdrawal_reconcile(withdrawal_id=withdrawal.pk)
    withdrawal.refresh_from_db()
    assert withdrawal.status == "wait_user_confirm"
    assert list(world.bills) == [withdrawal.out_bill_no]


def test_request_never_reached_wechat_is_sent_again_with_the_same_number(
    world, seller, django_capture_on_commit_callbacks
):
    world.next_transfer_outcome = "SYSTEM_ERROR"  # refused before any bill existed
    withdrawal = approved(seller, "20.00", django_capture_on_commit_callbacks)
    assert withdrawal.status == "processing" and world.bills == {}
    withdrawal_reconcile(withdrawal_id=withdrawal.pk)  # not found at WeChat Pay -> sent again
    withdrawal.refresh_from_db()
    assert withdrawal.status == "wait_user_confirm"
    assert list(world.bills) == [withdrawal.out_bill_no]


def test_refused_notifications_write_nothing(world, seller, django_capture_on_commit_callbacks):
    withdrawal = approved(seller, "10.00", django_capture_on_commit_callbacks)
    world.user_confirms(withdrawal.out_bill_no)
    before = InboundEvent.objects.count()
    assert notify(world, withdrawal.out_bill_no, timestamp=1_600_000_000) == 401
    assert notify(world, withdrawal.out_bill_no, apiv3_key="0" * 32) == 401
    response = Client().post(
        "/wechatpay/default-channel/notify/", json.dumps({"id": "x"}), content_type="application/json"
    )
    assert response.status_code == 401
    assert InboundEvent.objects.count() == before
    withdrawal.refresh_from_db()
    assert withdrawal.status == "wait_user_confirm"  # reconciliation will learn the truth
    withdrawal_reconcile(withdrawal_id=withdrawal.pk)
    withdrawal.refresh_from_db()
    assert withdrawal.status == "paid"
