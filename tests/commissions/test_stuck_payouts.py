"""Issue 11, money 2: no withdrawal stays stuck, and none is paid twice.

A payout that cannot start (no merchant, no openid, a transfer refused by our own checks or refused by
WeChat Pay before any bill existed) fails with a reason and returns the money once; approving without a
merchant is refused up front; staff retry or fail a stuck payout only after asking WeChat Pay (the real
wechatpayv3 / wechatpy clients against the fake WeChat Pay), always under the same bill number.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from saleor_wechat_distribution.domain.errors import CommissionErrorCode as Code
from saleor_wechat_distribution.domain.errors import DistributionError
from saleor_wechat_distribution.models import LedgerEntry, Withdrawal
from saleor_wechat_distribution.ports import SYSTEM, Principal
from saleor_wechat_distribution.services.ledger import ledger_append, ledger_balance
from saleor_wechat_distribution.services.payouts import (
    withdrawal_apply_result,
    withdrawal_fail,
    withdrawal_retry,
    withdrawal_send,
)
from saleor_wechat_distribution.services.withdrawals import withdrawal_approve, withdrawal_request
from saleor_wechat_distribution.testing.fake_wechatpay import FakeWeChatPay

pytestmark = pytest.mark.django_db
D = Decimal
W = Withdrawal.Status
STAFF = SYSTEM
LATER = timedelta(minutes=10)


@pytest.fixture
def world(payout_merchant: FakeWeChatPay) -> FakeWeChatPay:
    return payout_merchant


@pytest.fixture
def capture_on_commit(django_capture_on_commit_callbacks):
    return django_capture_on_commit_callbacks


@pytest.fixture
def seller(program, chain, payable):
    _, _, b = chain
    payable(b)
    program.withdrawal_daily_limit = D("10000")
    program.save()
    ledger_append(distributor_id=b.pk, currency="CNY", amount=D("3000.00"), kind="adjustment", key="seed")
    return b


def balance(distributor) -> Decimal:
    return ledger_balance(distributor_id=distributor.pk, currency="CNY")


def returned(withdrawal: Withdrawal) -> int:
    return LedgerEntry.objects.filter(withdrawal=withdrawal, kind="withdrawal_returned").count()


def requested(seller, amount: str = "100.00") -> Withdrawal:
    return withdrawal_request(
        principal=Principal(user_id=seller.user_id), amount=D(amount), channel="default-channel"
    )


def approved(seller, capture, amount: str = "100.00") -> Withdrawal:
    withdrawal = requested(seller, amount)
    with capture(execute=True):
        withdrawal_approve(actor=STAFF, withdrawal_id=withdrawal.pk)
    withdrawal.refresh_from_db()
    return withdrawal


def refused(code: Code, call, **kwargs) -> DistributionError:
    with pytest.raises(DistributionError) as info:
        call(**kwargs)
    assert info.value.code == code, info.value
    return info.value


# --- a payout that cannot start ---------------------------------------------------------------------


def test_approving_without_a_merchant_is_refused_up_front(seller, settings):
    withdrawal = requested(seller)
    settings.WECHAT_DISTRIBUTION_PAYOUTS = {}  # the merchant was removed after the request
    refused(Code.PAYOUT_NOT_CONFIGURED, withdrawal_approve, actor=STAFF, withdrawal_id=withdrawal.pk)
    withdrawal.refresh_from_db()
    assert withdrawal.status == W.REQUESTED and balance(seller) == D("2900.00")


def test_a_payout_without_a_merchant_fails_with_a_reason_and_returns_the_money_once(seller, settings):
    withdrawal = requested(seller)
    withdrawal_approve(actor=STAFF, withdrawal_id=withdrawal.pk)
    settings.WECHAT_DISTRIBUTION_PAYOUTS = {}  # gone before the task ran
    for _ in range(3):  # the task, its redelivery, the periodic resume
        withdrawal = withdrawal_send(withdrawal_id=withdrawal.pk)
    assert withdrawal.status == W.FAILED and withdrawal.fail_reason.startswith("PAYOUT_NOT_CONFIGURED")
    assert withdrawal.finished_at is not None
    assert balance(seller) == D("3000.00") and returned(withdrawal) == 1


def test_a_withdrawal_without_an_openid_cannot_be_approved_nor_sent(seller):
    withdrawal = requested(seller)
    Withdrawal.objects.filter(pk=withdrawal.pk).update(openid="")  # e.g. held before openids were required
    refused(Code.WECHAT_IDENTITY_REQUIRED, withdrawal_approve, actor=STAFF, withdrawal_id=withdrawal.pk)
    Withdrawal.objects.filter(pk=withdrawal.pk).update(status=W.APPROVED)
    withdrawal = withdrawal_send(withdrawal_id=withdrawal.pk)
    assert (withdrawal.status, withdrawal.fail_reason[:23]) == (W.FAILED, "WECHAT_IDENTITY_MISSING")
    assert balance(seller) == D("3000.00")


def test_a_transfer_our_checks_refuse_fails_instead_of_retrying_forever(world, seller, capture_on_commit):
    withdrawal = approved(seller, capture_on_commit, "2000.00")  # v3 needs the user's real name from 2,000
    assert withdrawal.status == W.FAILED and "real name" in withdrawal.fail_reason
    assert world.bills == {} and balance(seller) == D("3000.00")


@pytest.mark.parametrize("refusal", ["NO_AUTH", "PARAM_ERROR"])
def test_wechat_refusing_before_accepting_fails_and_returns_the_money(
    world, seller, capture_on_commit, refusal
):
    world.next_transfer_outcome = refusal
    withdrawal = approved(seller, capture_on_commit)
    assert withdrawal.status == W.FAILED and withdrawal.fail_reason.startswith(refusal)
    assert balance(seller) == D("3000.00") and returned(withdrawal) == 1


# --- staff: retry ---------------------------------------------------------------------------------------


def test_retry_resends_a_bill_wechat_never_saw_under_the_same_number(world, seller, capture_on_commit):
    world.next_transfer_outcome = "SYSTEM_ERROR"  # refused before any bill existed; the task gives up
    withdrawal = approved(seller, capture_on_commit)
    assert withdrawal.status == W.PROCESSING and world.bills == {}
    withdrawal = withdrawal_retry(actor=STAFF, withdrawal_id=withdrawal.pk)
    assert withdrawal.status == W.WAIT_USER_CONFIRM and withdrawal.package_info
    assert list(world.bills) == [withdrawal.out_bill_no]
    assert withdrawal_retry(actor=STAFF, withdrawal_id=withdrawal.pk).status == W.WAIT_USER_CONFIRM
    assert world.calls["transfer_bills.create"] == 2  # the refused one and the retry; then only queries
    world.user_confirms(withdrawal.out_bill_no)
    assert withdrawal_retry(actor=STAFF, withdrawal_id=withdrawal.pk).status == W.PAID
    assert world.paid_fen(world.payments[0].openid) == 10000 and len(world.payments) == 1
    refused(Code.INVALID_STATUS, withdrawal_retry, actor=STAFF, withdrawal_id=withdrawal.pk)


def test_retry_applies_the_bill_wechat_made_when_the_answer_was_lost(world, seller, capture_on_commit):
    world.next_transfer_outcome = "SYSTEM_ERROR_AFTER_ACCEPT"
    withdrawal = approved(seller, capture_on_commit)
    assert withdrawal.status == W.PROCESSING
    withdrawal = withdrawal_retry(actor=STAFF, withdrawal_id=withdrawal.pk)
    assert withdrawal.status == W.WAIT_USER_CONFIRM
    assert world.calls["transfer_bills.create"] == 1  # looked up, not sent again


def test_retry_while_wechat_is_down_changes_nothing_and_says_so(world, seller, capture_on_commit):
    world.next_transfer_outcome = "SYSTEM_ERROR"
    withdrawal = approved(seller, capture_on_commit)
    world.stop()
    error = refused(Code.WECHAT_UNAVAILABLE, withdrawal_retry, actor=STAFF, withdrawal_id=withdrawal.pk)
    assert "NETWORK_ERROR" in str(error.message)
    withdrawal.refresh_from_db()
    assert withdrawal.status == W.PROCESSING and balance(seller) == D("2900.00")


def test_retry_and_fail_without_a_merchant_are_refused(seller, settings, world, capture_on_commit):
    world.next_transfer_outcome = "SYSTEM_ERROR_AFTER_ACCEPT"
    withdrawal = approved(seller, capture_on_commit)
    settings.WECHAT_DISTRIBUTION_PAYOUTS = {}
    # the automatic retry cannot ask WeChat Pay: the bill it made is kept, visibly
    withdrawal = withdrawal_send(withdrawal_id=withdrawal.pk)
    assert withdrawal.status == W.PROCESSING and withdrawal.fail_reason.startswith("PAYOUT_NOT_CONFIGURED")
    refused(Code.PAYOUT_NOT_CONFIGURED, withdrawal_retry, actor=STAFF, withdrawal_id=withdrawal.pk)
    refused(Code.PAYOUT_NOT_CONFIGURED, withdrawal_fail, actor=STAFF, withdrawal_id=withdrawal.pk, reason="x")
    withdrawal.refresh_from_db()
    assert withdrawal.status == W.PROCESSING and balance(seller) == D("2900.00")


# --- staff: fail ----------------------------------------------------------------------------------------


def test_fail_of_a_never_sent_withdrawal_returns_the_money_at_once(seller, settings):
    withdrawal = requested(seller)
    withdrawal_approve(actor=STAFF, withdrawal_id=withdrawal.pk)  # its task never ran
    settings.WECHAT_DISTRIBUTION_PAYOUTS = {}  # no merchant needed: nothing was ever sent
    withdrawal = withdrawal_fail(actor=STAFF, withdrawal_id=withdrawal.pk, reason="merchant closed")
    assert withdrawal.status == W.FAILED and withdrawal.fail_reason.startswith("merchant closed")
    assert balance(seller) == D("3000.00")
    refused(Code.INVALID_STATUS, withdrawal_fail, actor=STAFF, withdrawal_id=withdrawal.pk, reason="again")
    assert returned(withdrawal) == 1


def test_fail_without_a_bill_waits_for_requests_still_on_their_way(world, seller, capture_on_commit):
    world.next_transfer_outcome = "SYSTEM_ERROR"
    withdrawal = approved(seller, capture_on_commit)
    refused(
        Code.PAYOUT_IN_PROGRESS, withdrawal_fail, actor=STAFF, withdrawal_id=withdrawal.pk, reason="stuck"
    )
    later = timezone.now() + LATER
    withdrawal = withdrawal_fail(actor=STAFF, withdrawal_id=withdrawal.pk, reason="stuck", now=later)
    assert withdrawal.status == W.FAILED and balance(seller) == D("3000.00")
    # a late answer for that number changes nothing, and the number is never sent again
    from saleor_wechat_distribution.domain.payouts import PayoutResult, PayoutState

    withdrawal_apply_result(
        result=PayoutResult(out_bill_no=withdrawal.out_bill_no, state=PayoutState.SUCCESS)
    )
    assert withdrawal_send(withdrawal_id=withdrawal.pk).status == W.FAILED
    assert world.bills == {} and returned(withdrawal) == 1


def test_fail_cancels_an_open_bill_and_returns_the_money_once(world, seller, capture_on_commit):
    world.next_transfer_outcome = "SYSTEM_ERROR_AFTER_ACCEPT"  # WeChat made the bill; we never heard
    withdrawal = approved(seller, capture_on_commit)
    withdrawal = withdrawal_fail(actor=STAFF, withdrawal_id=withdrawal.pk, reason="user unreachable")
    assert withdrawal.status == W.CANCELLED
    assert world.bills[withdrawal.out_bill_no].state == "CANCELLED" and world.payments == []
    assert balance(seller) == D("3000.00") and returned(withdrawal) == 1


def test_fail_of_a_bill_wechat_paid_is_refused_and_the_payment_recorded(world, seller, capture_on_commit):
    withdrawal = approved(seller, capture_on_commit)
    world.user_confirms(withdrawal.out_bill_no)  # the notification is lost
    error = refused(
        Code.INVALID_STATUS, withdrawal_fail, actor=STAFF, withdrawal_id=withdrawal.pk, reason="x"
    )
    assert "paid" in str(error.message)
    withdrawal.refresh_from_db()
    assert withdrawal.status == W.PAID and balance(seller) == D("2900.00") and returned(withdrawal) == 0


@pytest.fixture
def v2_world(program, settings, payout_merchant):
    settings.WECHAT_DISTRIBUTION_PAYOUTS = {
        "*": {
            "v2": {
                "mchid": payout_merchant.merchant.mchid,
                "appid": payout_merchant.merchant.appid,
                "api_key": payout_merchant.merchant.api_key_v2,
                "api_base_url": payout_merchant.base_url,
            }
        }
    }
    program.payout_method = "v2"
    program.save()
    return payout_merchant


def test_v2_a_processing_transfer_cannot_fail_until_wechat_finishes_it(v2_world, seller, capture_on_commit):
    v2_world.next_transfer_outcome = "PROCESSING"  # v2: SYSTEMERROR answered, the transfer in progress
    withdrawal = approved(seller, capture_on_commit)
    assert withdrawal.status == W.PROCESSING and withdrawal.payout_method == "v2"
    refused(Code.PAYOUT_IN_PROGRESS, withdrawal_fail, actor=STAFF, withdrawal_id=withdrawal.pk, reason="x")
    v2_world.settle_v2(withdrawal.out_bill_no, "FAILED")
    withdrawal = withdrawal_retry(actor=STAFF, withdrawal_id=withdrawal.pk)
    assert withdrawal.status == W.FAILED and balance(seller) == D("3000.00") and returned(withdrawal) == 1
    assert len(v2_world.v2_transfers) == 1


def test_v2_refused_before_accepting_fails(v2_world, seller, capture_on_commit):
    v2_world.next_transfer_outcome = "NO_AUTH"
    withdrawal = approved(seller, capture_on_commit)
    assert withdrawal.status == W.FAILED and withdrawal.fail_reason.startswith("NO_AUTH")
    assert balance(seller) == D("3000.00")
