"""Payouts of approved withdrawals through WeChat Pay (``out_bill_no`` is the idempotency key), what
WeChat Pay answers, reconciliation, and staff's way out of a stuck payout (retry, fail).

Money rules:

- A payout that cannot start (no merchant configured, no openid, a transfer our own checks refuse, WeChat
  Pay refusing a bill it never created) fails with a reason and returns the money, once.
- A bill WeChat Pay may know is never abandoned while it may still pay: every retry re-sends the *same*
  number, and nothing fails without asking WeChat Pay first (query by ``out_bill_no``; an open v3 bill is
  cancelled, 撤销, and fails only once WeChat Pay says it is cancelled).
- A send holds the withdrawal's row lock while WeChat Pay answers, so a staff failure, which takes the
  same lock, never decides while a request is on its way; and a bill asked for less than
  ``IN_FLIGHT`` ago is not taken for "never created" (a timed-out request may still arrive).
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .. import jobs, task_names
from ..conf import PayoutNotConfigured, get_payout_gateway
from ..domain.errors import CommissionErrorCode as Code
from ..domain.errors import DistributionError
from ..domain.money import to_minor_units
from ..domain.payouts import (
    FINAL_STATES,
    PayoutBillNotFound,
    PayoutConflict,
    PayoutError,
    PayoutResult,
    PayoutState,
    PayoutTemporaryError,
)
from ..models import Withdrawal
from ..ports import PayoutGateway, Principal
from .inputs import clean_text
from .notifications import notify_withdrawal_paid
from .withdrawals import withdrawal_locked, withdrawal_money_return

logger = logging.getLogger(__name__)
W = Withdrawal.Status
_RETURNED = {PayoutState.FAILED: W.FAILED, PayoutState.CANCELLED: W.CANCELLED}
_ON_THE_WAY = (W.APPROVED, W.PROCESSING, W.WAIT_USER_CONFIRM)
#: how long after a transfer request WeChat Pay's "no such bill" is still not believed
IN_FLIGHT = timedelta(minutes=5)
FAIL_REASON_MAX_LENGTH = 255


def _fail(withdrawal: Withdrawal, reason: str) -> Withdrawal:
    """End a (locked) withdrawal that WeChat Pay has no bill for: failed, money back once."""
    withdrawal.status = W.FAILED
    withdrawal.fail_reason = reason[:FAIL_REASON_MAX_LENGTH]
    withdrawal.finished_at = timezone.now()
    withdrawal.save(update_fields=["status", "fail_reason", "finished_at"])
    withdrawal_money_return(withdrawal)
    logger.info("withdrawal %s failed: %s", withdrawal.out_bill_no, withdrawal.fail_reason)
    return withdrawal


def _note(withdrawal: Withdrawal, reason: str) -> Withdrawal:
    """Leave a (locked) withdrawal as it is, with a visible reason for staff."""
    withdrawal.fail_reason = reason[:FAIL_REASON_MAX_LENGTH]
    withdrawal.save(update_fields=["fail_reason"])
    return withdrawal


def withdrawal_send(
    *, withdrawal_id: int, gateway: PayoutGateway | None = None, now: datetime | None = None
) -> Withdrawal:
    """Send an approved withdrawal to WeChat Pay (the Celery task's body; also a retry's).

    First, in its own transaction: the payout must be able to start (a merchant, an openid), else a
    first attempt fails at once with the money returned; then the withdrawal is marked processing (with
    the attempt's time), so a crash after WeChat Pay accepted leaves one that reconciliation queries,
    never one sent under a new number. Then, holding the row lock, the transfer is sent. Temporary errors
    propagate for Celery to retry with the same ``out_bill_no``.
    """
    with transaction.atomic():
        withdrawal = withdrawal_locked(withdrawal_id)
        if withdrawal.status not in (W.APPROVED, W.PROCESSING):
            return withdrawal  # already answered, failed, rejected, or paid
        first_attempt = withdrawal.status == W.APPROVED
        if not withdrawal.openid:  # no request can ever have been sent without one
            return _fail(withdrawal, "WECHAT_IDENTITY_MISSING: no openid to pay")
        if gateway is None:
            try:
                gateway = get_payout_gateway(withdrawal.channel, withdrawal.payout_method)
            except PayoutNotConfigured as error:
                if first_attempt:
                    return _fail(withdrawal, f"PAYOUT_NOT_CONFIGURED: {error}")
                # an earlier attempt may have reached WeChat Pay, which cannot be asked now
                return _note(withdrawal, f"PAYOUT_NOT_CONFIGURED: {error}")
        withdrawal.status = W.PROCESSING
        withdrawal.sent_at = now or timezone.now()
        withdrawal.save(update_fields=["status", "sent_at"])
    with transaction.atomic():
        withdrawal = withdrawal_locked(withdrawal_id)
        if withdrawal.status != W.PROCESSING:
            return withdrawal  # failed by staff or answered in between
        try:
            result = gateway.transfer(
                out_bill_no=withdrawal.out_bill_no,
                app_id=withdrawal.app_id,
                openid=withdrawal.openid,
                amount_fen=to_minor_units(withdrawal.amount, withdrawal.currency),
                remark=str(_("Distribution commission")),
            )
        except ValueError as error:  # our own checks refused the transfer: this attempt sent nothing
            if first_attempt:
                return _fail(withdrawal, f"TRANSFER_REFUSED: {error}")
            return _note(withdrawal, f"TRANSFER_REFUSED: {error}")
        except PayoutConflict as conflict:
            # our number names another payout at WeChat Pay: never re-number, never return the money
            # automatically (it may have been paid); leave it processing, visibly, for staff
            logger.error("payout conflict for %s: %s", withdrawal.out_bill_no, conflict)
            return _note(withdrawal, f"conflict: {conflict.code}")
        except PayoutError as error:
            if isinstance(error, PayoutTemporaryError):
                raise
            number = withdrawal.out_bill_no
            raise PayoutTemporaryError(error.code, error.message, out_bill_no=number) from error
        return withdrawal_apply_result(result=result) or withdrawal


def withdrawal_apply_result(*, result: PayoutResult) -> Withdrawal | None:
    """Apply what WeChat Pay said (answer, notification or query). Final states are final: a replayed or
    late notification changes nothing, and money is returned at most once."""
    with transaction.atomic():
        withdrawal = Withdrawal.objects.select_for_update().filter(out_bill_no=result.out_bill_no).first()
        if withdrawal is None or withdrawal.status not in (W.PROCESSING, W.WAIT_USER_CONFIRM):
            return withdrawal  # final states are final; a withdrawal never sent takes no payout result
        fields = ["status", "fail_reason"]
        withdrawal.fail_reason = ""  # WeChat Pay's word replaces any note of ours
        if result.provider_bill_no:
            withdrawal.provider_bill_no = result.provider_bill_no
            fields.append("provider_bill_no")
        if result.state is PayoutState.SUCCESS:
            withdrawal.status = W.PAID
        elif result.state in _RETURNED:
            withdrawal.status = _RETURNED[result.state]
            withdrawal.fail_reason = (result.fail_reason or result.raw_state)[:FAIL_REASON_MAX_LENGTH]
            withdrawal_money_return(withdrawal)
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
    """Periodic safety net: send approved withdrawals whose task never ran, and reconcile the ones last
    sent a while ago that have no final answer yet. Returns how many were looked at."""
    now = now or timezone.now()
    cutoff = now - timedelta(minutes=sent_before_minutes)
    stale = Withdrawal.objects.filter(
        Q(status=W.APPROVED, decided_at__lt=cutoff)
        | Q(status__in=[W.PROCESSING, W.WAIT_USER_CONFIRM], sent_at__lt=cutoff)
    ).values_list("pk", "status")
    count = 0
    for pk, status in stale.iterator():
        jobs.enqueue(
            task_names.WITHDRAWAL_SEND if status == W.APPROVED else task_names.WITHDRAWAL_RECONCILE, pk
        )
        count += 1
    return count


# --- staff: a stuck payout ---------------------------------------------------------------------------


def _on_the_way(withdrawal_id: int, message: str) -> Withdrawal:
    withdrawal = Withdrawal.objects.filter(pk=withdrawal_id).first()
    if withdrawal is None:
        raise DistributionError(Code.NOT_FOUND, _("No such withdrawal."), field="id")
    if withdrawal.status not in _ON_THE_WAY:
        raise DistributionError(Code.INVALID_STATUS, message, field="id")
    return withdrawal


def _staff_gateway(withdrawal: Withdrawal, gateway: PayoutGateway | None) -> PayoutGateway:
    if gateway is not None:
        return gateway
    try:
        return get_payout_gateway(withdrawal.channel, withdrawal.payout_method)
    except PayoutNotConfigured:
        raise DistributionError(
            Code.PAYOUT_NOT_CONFIGURED,
            _("No WeChat Pay merchant is set up for this withdrawal's payouts, so its state at WeChat Pay "
              "cannot be checked: set the merchant up first."),
            field="id",
        ) from None  # fmt: skip


def _unavailable(error: PayoutError) -> DistributionError:
    if isinstance(error, PayoutTemporaryError):
        return DistributionError(
            Code.WECHAT_UNAVAILABLE,
            _("WeChat Pay did not answer (%(code)s); nothing was decided. Try again later.")
            % {"code": error.code},
            field="id",
        )
    return DistributionError(
        Code.PAYOUT_FAILED, _("WeChat Pay refused the request (%(code)s).") % {"code": error.code}, field="id"
    )


def withdrawal_retry(
    *, actor: Principal, withdrawal_id: int, gateway: PayoutGateway | None = None
) -> Withdrawal:
    """Staff: move a stuck payout on. An approved one is sent; a sent one is looked up at WeChat Pay by
    its number, and WeChat Pay's state is applied, or, when WeChat Pay never saw it, it is sent again
    under the same number (never paid twice)."""
    withdrawal = _on_the_way(
        withdrawal_id, _("Only approved, processing or unconfirmed withdrawals can be retried.")
    )
    gateway = _staff_gateway(withdrawal, gateway)
    logger.info("%s retries withdrawal %s", actor.actor_label, withdrawal.out_bill_no)
    try:
        if withdrawal.status == W.APPROVED:
            return withdrawal_send(withdrawal_id=withdrawal.pk, gateway=gateway)
        return withdrawal_reconcile(withdrawal_id=withdrawal.pk, gateway=gateway)
    except PayoutError as error:
        jobs.enqueue(task_names.WITHDRAWAL_RECONCILE, withdrawal.pk, countdown=60)  # and the backoff goes on
        raise _unavailable(error) from error


def withdrawal_fail(
    *,
    actor: Principal,
    withdrawal_id: int,
    reason: str,
    gateway: PayoutGateway | None = None,
    now: datetime | None = None,
) -> Withdrawal:
    """Staff: end a payout that will not happen, returning the money once, after asking WeChat Pay.

    Never sent (approved): failed at once. Sent: WeChat Pay is asked first, under the row lock sends take.
    No bill (and no request in the last ``IN_FLIGHT``): failed. A final bill: its state applies (a paid
    one is refused as paid). An open bill: cancelled (v3 撤销); it ends cancelled, money returned, when
    WeChat Pay confirms the cancellation, else ``PAYOUT_IN_PROGRESS`` and reconciliation finishes it.
    """
    reason = clean_text(
        reason, field="reason", code=Code.INVALID, max_length=FAIL_REASON_MAX_LENGTH, required=True
    )
    withdrawal = _on_the_way(
        withdrawal_id, _("Only approved, processing or unconfirmed withdrawals can fail.")
    )
    if withdrawal.status != W.APPROVED:
        gateway = _staff_gateway(withdrawal, gateway)
    now = now or timezone.now()
    with transaction.atomic():
        withdrawal = withdrawal_locked(withdrawal_id)  # waits for a send on its way
        if withdrawal.status == W.APPROVED:
            return _fail(withdrawal, f"{reason} ({actor.actor_label})")
        if withdrawal.status not in (W.PROCESSING, W.WAIT_USER_CONFIRM):
            raise DistributionError(Code.INVALID_STATUS, _("The withdrawal has just ended."), field="id")
        assert gateway is not None
        try:
            result = gateway.query(out_bill_no=withdrawal.out_bill_no)
        except PayoutBillNotFound:
            if withdrawal.sent_at is not None and withdrawal.sent_at > now - IN_FLIGHT:
                raise DistributionError(
                    Code.PAYOUT_IN_PROGRESS,
                    _("A transfer was sent to WeChat Pay minutes ago and may still arrive there. "
                      "Try again later."),
                    field="id",
                ) from None  # fmt: skip
            return _fail(withdrawal, f"{reason} ({actor.actor_label})")
        except PayoutError as error:
            raise _unavailable(error) from error
        if result.state not in FINAL_STATES:
            try:
                result = gateway.cancel(out_bill_no=withdrawal.out_bill_no)
                if result.state not in FINAL_STATES:  # CANCELING: WeChat Pay returns the money shortly
                    result = gateway.query(out_bill_no=withdrawal.out_bill_no)
            except PayoutError as error:
                raise _unavailable(error) from error
        withdrawal = withdrawal_apply_result(result=result) or withdrawal
    if withdrawal.status == W.PAID:
        raise DistributionError(
            Code.INVALID_STATUS, _("WeChat Pay has paid this withdrawal; it cannot fail."), field="id"
        )
    if withdrawal.status not in (W.FAILED, W.CANCELLED):
        raise DistributionError(
            Code.PAYOUT_IN_PROGRESS,
            _("WeChat Pay is still processing this transfer (its cancellation was asked for); the money "
              "returns when WeChat Pay confirms."),
            field="id",
        )  # fmt: skip
    return withdrawal
