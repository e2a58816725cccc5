"""Withdrawals: request (money held in the ledger under a row lock), staff decision, payout through
WeChat Pay (out_bill_no is the idempotency key), and the money returned when a payout does not happen.
"""

from __future__ import annotations

import logging
import secrets
from datetime import datetime, timedelta
from decimal import Decimal

from django.db import transaction
from django.db.models import Q, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .. import jobs
from ..conf import get_payout_gateway
from ..domain.distributors import DistributorStatus
from ..domain.errors import CommissionErrorCode as Code
from ..domain.errors import DistributionError
from ..domain.money import to_minor_units
from ..domain.payouts import (
    PayoutBillNotFound,
    PayoutConflict,
    PayoutError,
    PayoutResult,
    PayoutState,
    PayoutTemporaryError,
)
from ..models import Distributor, LedgerEntry, WeChatIdentity, Withdrawal
from ..ports import PayoutGateway, Principal
from ..selectors.programs import program_for_channel
from .inputs import REASON_MAX_LENGTH, clean_channel, clean_text
from .ledger import ledger_append, ledger_balance, wallet_lock
from .notifications import notify_withdrawal_paid

logger = logging.getLogger(__name__)
W = Withdrawal.Status
#: statuses whose money is gone or on its way: they count against the daily limit
_COUNTED = [W.REQUESTED, W.APPROVED, W.PROCESSING, W.WAIT_USER_CONFIRM, W.PAID]
_RETURNED = {PayoutState.FAILED: W.FAILED, PayoutState.CANCELLED: W.CANCELLED}


def _new_out_bill_no(now: datetime) -> str:
    # WeChat Pay: 5-32 characters of [0-9A-Za-z]
    return f"WD{now:%Y%m%d}{secrets.token_hex(8).upper()}"


def _clean_amount(amount: Decimal, currency: str) -> Decimal:
    if not isinstance(amount, Decimal) or not amount.is_finite() or amount <= 0:
        raise DistributionError(Code.AMOUNT_INVALID, _("Enter a positive amount."), field="amount")
    try:
        to_minor_units(amount, currency)
    except ValueError:
        raise DistributionError(
            Code.AMOUNT_INVALID, _("The amount has more decimals than the currency allows."), field="amount"
        ) from None
    return amount


def withdrawal_request(
    *,
    principal: Principal,
    amount: Decimal,
    channel: str,
    currency: str | None = None,
    now: datetime | None = None,
) -> Withdrawal:
    """Hold ``amount`` of the caller's balance for a payout. Exactly one of many concurrent requests for
    the whole balance succeeds: the wallet row is locked before the balance is read."""
    now = now or timezone.now()
    distributor = (
        Distributor.objects.filter(user_id=principal.user_id).first() if principal.is_authenticated else None
    )
    if distributor is None:
        raise DistributionError(Code.NOT_A_DISTRIBUTOR, _("You are not a distributor."))
    if distributor.status != DistributorStatus.ACTIVE:
        raise DistributionError(Code.INVALID_STATUS, _("Only active distributors can withdraw."))
    channel = clean_channel(channel, code=Code.INVALID)
    program = program_for_channel(channel=channel)
    currency = currency or program.currency
    if currency != program.currency:
        raise DistributionError(
            Code.CURRENCY_MISMATCH,
            _("Withdrawals in this channel are paid in %(currency)s.") % {"currency": program.currency},
            field="currency",
        )
    amount = _clean_amount(amount, currency)
    if amount < program.withdrawal_minimum:
        raise DistributionError(
            Code.BELOW_MINIMUM,
            _("The minimum withdrawal is %(minimum)s %(currency)s.")
            % {"minimum": program.withdrawal_minimum, "currency": currency},
            field="amount",
        )
    identity = None
    if program.payout_app_id:
        identity = WeChatIdentity.objects.filter(
            app_id=program.payout_app_id, user_id=distributor.user_id
        ).first()
        if identity is None:
            raise DistributionError(
                Code.INVALID,
                _("Open the shop in WeChat once so that we know where to pay you."),
                field="amount",
            )
    with transaction.atomic():
        wallet_lock(distributor_id=distributor.pk, currency=currency)
        balance = ledger_balance(distributor_id=distributor.pk, currency=currency)
        if balance < 0:
            raise DistributionError(
                Code.BALANCE_IN_DEBT,
                _("Refunds took back more than your balance; withdrawals wait until it is repaid."),
            )
        if amount > balance:
            raise DistributionError(
                Code.INSUFFICIENT_BALANCE, _("The amount exceeds your balance."), field="amount"
            )
        today = now.astimezone(timezone.get_current_timezone()).replace(
            hour=0, minute=0, second=0, microsecond=0
        )
        used = Withdrawal.objects.filter(
            distributor=distributor, currency=currency, requested_at__gte=today, status__in=_COUNTED
        ).aggregate(s=Sum("amount"))["s"] or Decimal(0)
        if used + amount > program.withdrawal_daily_limit:
            raise DistributionError(
                Code.DAILY_LIMIT_EXCEEDED,
                _("The daily withdrawal limit is %(limit)s %(currency)s.")
                % {"limit": program.withdrawal_daily_limit, "currency": currency},
                field="amount",
            )
        auto = amount < program.withdrawal_auto_approve_below
        withdrawal = Withdrawal.objects.create(
            distributor=distributor,
            channel=channel,
            currency=currency,
            amount=amount,
            status=W.APPROVED if auto else W.REQUESTED,
            out_bill_no=_new_out_bill_no(now),
            payout_method=program.payout_method,
            app_id=identity.app_id if identity else "",
            openid=identity.openid if identity else "",
            decided_by="auto" if auto else "",
            decided_at=now if auto else None,
        )
        held = ledger_append(
            distributor_id=distributor.pk,
            currency=currency,
            amount=-amount,
            kind=LedgerEntry.Kind.WITHDRAWAL,
            key=f"withdrawal:{withdrawal.pk}:hold",
            withdrawal_id=withdrawal.pk,
        )
        if not held:  # never pay out money that was not taken from the balance
            raise RuntimeError(f"the hold of withdrawal {withdrawal.pk} was not written")
        if auto:
            jobs.enqueue("withdrawal_send", withdrawal.pk)
    return withdrawal


def _locked(withdrawal_id: int) -> Withdrawal:
    withdrawal = Withdrawal.objects.select_for_update().filter(pk=withdrawal_id).first()
    if withdrawal is None:
        raise DistributionError(Code.NOT_FOUND, _("No such withdrawal."), field="id")
    return withdrawal


def _return_money(withdrawal: Withdrawal) -> None:
    """Credit the held amount back, once, whatever path ended the withdrawal."""
    ledger_append(
        distributor_id=withdrawal.distributor_id,
        currency=withdrawal.currency,
        amount=withdrawal.amount,
        kind=LedgerEntry.Kind.WITHDRAWAL_RETURNED,
        key=f"withdrawal:{withdrawal.pk}:returned",
        withdrawal_id=withdrawal.pk,
    )


def withdrawal_approve(*, actor: Principal, withdrawal_id: int) -> Withdrawal:
    with transaction.atomic():
        withdrawal = _locked(withdrawal_id)
        if withdrawal.status != W.REQUESTED:
            raise DistributionError(
                Code.INVALID_STATUS, _("Only requested withdrawals can be approved."), field="id"
            )
        withdrawal.status = W.APPROVED
        withdrawal.decided_by = actor.actor_label
        withdrawal.decided_at = timezone.now()
        withdrawal.save(update_fields=["status", "decided_by", "decided_at"])
        jobs.enqueue("withdrawal_send", withdrawal.pk)
    return withdrawal


def withdrawal_reject(*, actor: Principal, withdrawal_id: int, reason: str = "") -> Withdrawal:
    reason = clean_text(reason, field="reason", code=Code.INVALID, max_length=REASON_MAX_LENGTH) or ""
    with transaction.atomic():
        withdrawal = _locked(withdrawal_id)
        if withdrawal.status != W.REQUESTED:
            raise DistributionError(
                Code.INVALID_STATUS, _("Only requested withdrawals can be rejected."), field="id"
            )
        withdrawal.status = W.REJECTED
        withdrawal.decided_by = actor.actor_label
        withdrawal.decided_at = timezone.now()
        withdrawal.reject_reason = reason
        withdrawal.finished_at = withdrawal.decided_at
        withdrawal.save(update_fields=["status", "decided_by", "decided_at", "reject_reason", "finished_at"])
        _return_money(withdrawal)
    return withdrawal


def withdrawal_send(*, withdrawal_id: int, gateway: PayoutGateway | None = None) -> Withdrawal:
    """Send an approved withdrawal to WeChat Pay (the Celery task's body).

    Marked processing in its own transaction first, so a crash after WeChat accepted the transfer leaves
    a withdrawal that reconciliation queries, never one that is sent again under a new bill number.
    Temporary errors propagate for Celery to retry; the retry re-sends the same out_bill_no.
    """
    with transaction.atomic():
        withdrawal = _locked(withdrawal_id)
        if withdrawal.status not in (W.APPROVED, W.PROCESSING):
            return withdrawal  # already sent and answered, rejected, or paid
        if withdrawal.status == W.APPROVED:
            withdrawal.status = W.PROCESSING
            withdrawal.sent_at = timezone.now()
            withdrawal.save(update_fields=["status", "sent_at"])
    gateway = gateway or get_payout_gateway(withdrawal.channel, withdrawal.payout_method)
    try:
        result = gateway.transfer(
            out_bill_no=withdrawal.out_bill_no,
            app_id=withdrawal.app_id,
            openid=withdrawal.openid,
            amount_fen=to_minor_units(withdrawal.amount, withdrawal.currency),
            remark=str(_("Distribution commission")),
        )
    except PayoutConflict as conflict:
        # our number names another payout at WeChat Pay: never re-number, never return the money
        # automatically (it may have been paid); leave it processing, visibly, for staff
        logger.error("payout conflict for %s: %s", withdrawal.out_bill_no, conflict)
        Withdrawal.objects.filter(pk=withdrawal.pk).update(fail_reason=f"conflict: {conflict.code}"[:255])
        withdrawal.refresh_from_db()
        return withdrawal
    except PayoutError as error:
        if isinstance(error, PayoutTemporaryError):
            raise
        raise PayoutTemporaryError(error.code, error.message, out_bill_no=withdrawal.out_bill_no) from error
    return withdrawal_apply_result(result=result) or withdrawal


def withdrawal_apply_result(*, result: PayoutResult) -> Withdrawal | None:
    """Apply what WeChat Pay said (answer, notification or query). Final states are final: a replayed or
    late notification changes nothing, and money is returned at most once."""
    with transaction.atomic():
        withdrawal = Withdrawal.objects.select_for_update().filter(out_bill_no=result.out_bill_no).first()
        if withdrawal is None or withdrawal.status not in (W.PROCESSING, W.WAIT_USER_CONFIRM):
            return withdrawal  # final states are final; a withdrawal never sent takes no payout result
        fields = ["status"]
        if result.provider_bill_no:
            withdrawal.provider_bill_no = result.provider_bill_no
            fields.append("provider_bill_no")
        if result.state is PayoutState.SUCCESS:
            withdrawal.status = W.PAID
        elif result.state in _RETURNED:
            withdrawal.status = _RETURNED[result.state]
            withdrawal.fail_reason = (result.fail_reason or result.raw_state)[:255]
            fields.append("fail_reason")
            _return_money(withdrawal)
        elif result.state is PayoutState.WAIT_USER_CONFIRM:
            withdrawal.status = W.WAIT_USER_CONFIRM
            if result.package_info:  # a query's answer carries none: keep the one we have
                withdrawal.package_info = result.package_info
                fields.append("package_info")
        else:
            withdrawal.status = W.PROCESSING
        if withdrawal.status in (W.PAID, W.FAILED, W.CANCELLED):
            withdrawal.finished_at = timezone.now()
            fields.append("finished_at")
        withdrawal.save(update_fields=fields)
        if withdrawal.status == W.PAID:
            notify_withdrawal_paid(withdrawal=withdrawal)
        return withdrawal


def withdrawal_reconcile(*, withdrawal_id: int, gateway: PayoutGateway | None = None) -> Withdrawal:
    """Ask WeChat Pay where a sent withdrawal stands (lost notifications, unconfirmed transfers). A bill
    WeChat Pay never saw (the request was lost) is sent again under the same number."""
    withdrawal = Withdrawal.objects.get(pk=withdrawal_id)
    if withdrawal.status not in (W.PROCESSING, W.WAIT_USER_CONFIRM):
        return withdrawal
    gateway = gateway or get_payout_gateway(withdrawal.channel, withdrawal.payout_method)
    try:
        result = gateway.query(out_bill_no=withdrawal.out_bill_no)
    except PayoutBillNotFound:
        if withdrawal.status == W.PROCESSING:
            return withdrawal_send(withdrawal_id=withdrawal.pk, gateway=gateway)
        logger.error(
            "withdrawal %s waits for confirmation but WeChat Pay has no bill", withdrawal.out_bill_no
        )
        return withdrawal
    return withdrawal_apply_result(result=result) or withdrawal


def withdrawals_resume(*, now: datetime | None = None, sent_before_minutes: int = 10) -> int:
    """Periodic safety net: send approved withdrawals whose task never ran, and reconcile the ones sent
    a while ago that have no final answer yet. Returns how many were looked at."""
    now = now or timezone.now()
    cutoff = now - timedelta(minutes=sent_before_minutes)
    stale = Withdrawal.objects.filter(
        Q(status=W.APPROVED, decided_at__lt=cutoff)
        | Q(status__in=[W.PROCESSING, W.WAIT_USER_CONFIRM], sent_at__lt=cutoff)
    ).values_list("pk", "status")
    count = 0
    for pk, status in stale.iterator():
        jobs.enqueue("withdrawal_send" if status == W.APPROVED else "withdrawal_reconcile", pk)
        count += 1
    return count
