"""Withdrawal requests: money held under a row lock; limits; staff decisions return money exactly once."""

from __future__ import annotations

from decimal import Decimal

import pytest

from saleor_wechat_distribution.domain.distributors import DistributorStatus
from saleor_wechat_distribution.domain.errors import CommissionErrorCode as Code
from saleor_wechat_distribution.domain.errors import DistributionError
from saleor_wechat_distribution.models import LedgerEntry, Withdrawal
from saleor_wechat_distribution.ports import SYSTEM, Principal
from saleor_wechat_distribution.services.distributors import distributor_suspend
from saleor_wechat_distribution.services.ledger import ledger_append, ledger_balance
from saleor_wechat_distribution.services.withdrawals import (
    withdrawal_approve,
    withdrawal_reject,
    withdrawal_request,
)

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture(autouse=True)
def _payable(request, program):
    """Payouts set up, and an openid for every member of the chain (tests may take them away)."""
    if "chain" in request.fixturenames:
        pay_to = request.getfixturevalue("payable")
        for distributor in request.getfixturevalue("chain"):
            pay_to(distributor)


def credit(distributor, amount: str, key: str = "seed") -> None:
    ledger_append(distributor_id=distributor.pk, currency="CNY", amount=D(amount), kind="adjustment", key=key)


def who(distributor) -> Principal:
    return Principal(user_id=distributor.user_id)


def request(distributor, amount: str, **kwargs):
    return withdrawal_request(
        principal=who(distributor), amount=D(amount), channel="default-channel", **kwargs
    )


def refused(code: Code, call, *args, **kwargs) -> None:
    before = (LedgerEntry.objects.count(), Withdrawal.objects.count())
    with pytest.raises(DistributionError) as info:
        call(*args, **kwargs)
    assert info.value.code == code
    assert (LedgerEntry.objects.count(), Withdrawal.objects.count()) == before


def test_request_holds_money_and_reject_returns_it_once(program, chain):
    _, _, b = chain
    credit(b, "100.00")
    withdrawal = request(b, "60.00")
    assert withdrawal.status == "requested" and len(withdrawal.out_bill_no) <= 32
    assert ledger_balance(distributor_id=b.pk, currency="CNY") == D("40.00")
    withdrawal_reject(actor=SYSTEM, withdrawal_id=withdrawal.pk, reason="check bank details")
    refused(Code.INVALID_STATUS, withdrawal_reject, actor=SYSTEM, withdrawal_id=withdrawal.pk)
    refused(Code.INVALID_STATUS, withdrawal_approve, actor=SYSTEM, withdrawal_id=withdrawal.pk)
    assert ledger_balance(distributor_id=b.pk, currency="CNY") == D("100.00")


@pytest.mark.parametrize(
    ("amount", "code"),
    [
        ("0", Code.AMOUNT_INVALID),
        ("-5", Code.AMOUNT_INVALID),
        ("1.001", Code.AMOUNT_INVALID),
        ("NaN", Code.AMOUNT_INVALID),
        ("0.50", Code.BELOW_MINIMUM),
        ("100.01", Code.INSUFFICIENT_BALANCE),
    ],
)
def test_bad_amounts_are_refused(program, chain, amount, code):
    _, _, b = chain
    credit(b, "100.00")
    refused(code, request, b, amount)


def test_other_currency_daily_limit_debt_and_status(program, chain):
    _, a, b = chain
    credit(b, "9000.00")
    refused(Code.CURRENCY_MISMATCH, request, b, "10.00", currency="USD")
    request(b, "3000.00")
    refused(Code.DAILY_LIMIT_EXCEEDED, request, b, "2000.01")
    request(b, "2000.00")
    credit(a, "-1.00", key="clawback")
    credit(a, "0.50", key="earned")
    refused(Code.BALANCE_IN_DEBT, request, a, "1.00")
    distributor_suspend(actor=SYSTEM, distributor_id=b.pk)
    refused(Code.INVALID_STATUS, request, b, "10.00")
    refused(
        Code.NOT_A_DISTRIBUTOR,
        withdrawal_request,
        principal=Principal(user_id=424242),
        amount=D("5"),
        channel="default-channel",
    )
    assert DistributorStatus(b.status)  # untouched object


def test_withdrawal_needs_a_wechat_identity_in_the_payout_app(program, chain):
    _, _, b = chain
    program.payout_app_id = "wx0000000000000001"  # another app: b has no openid there
    program.save()
    credit(b, "50.00")
    refused(Code.WECHAT_IDENTITY_REQUIRED, request, b, "10.00")


def test_a_payout_result_for_a_withdrawal_never_sent_changes_nothing(program, chain):
    from saleor_wechat_distribution.domain.payouts import PayoutResult, PayoutState
    from saleor_wechat_distribution.services.payouts import withdrawal_apply_result

    _, _, b = chain
    credit(b, "100.00")
    withdrawal = request(b, "10.00")
    withdrawal_apply_result(
        result=PayoutResult(out_bill_no=withdrawal.out_bill_no, state=PayoutState.SUCCESS)
    )
    withdrawal.refresh_from_db()
    assert withdrawal.status == "requested"


def test_reject_reason_is_checked_not_cut(program, chain):
    _, _, b = chain
    credit(b, "100.00")
    withdrawal = request(b, "10.00")
    refused(Code.INVALID, withdrawal_reject, actor=SYSTEM, withdrawal_id=withdrawal.pk, reason="x" * 501)
    refused(Code.INVALID, withdrawal_reject, actor=SYSTEM, withdrawal_id=withdrawal.pk, reason="bad\x00")
