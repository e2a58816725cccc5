"""Withdrawals: request (money held in the ledger under a row lock) and the staff decision. The payout
itself (WeChat Pay, retries, reconciliation, staff retry or failure) is in ``payouts.py``.

Where the rules come from:

- the channel must run the program (``selectors.programs.program_in_force``): a made-up channel, one
  never configured, or (under Saleor) one where the plugin is not active gets ``UNKNOWN_CHANNEL``,
  never a program of defaults;
- the minimum, the daily limit and the automatic approval hold per wallet (distributor + currency),
  the strictest of every channel paying in that currency (``selectors.programs.wallet_policy``), and the
  day's withdrawals are counted across all of them;
- the payout must be able to start: the channel has a payout app and a WeChat Pay merchant for its
  payout method, and the distributor has an openid in that app (``PAYOUT_NOT_CONFIGURED``,
  ``WECHAT_IDENTITY_REQUIRED``). No withdrawal is held that could never be paid.
"""

from __future__ import annotations

import secrets
from datetime import datetime
from decimal import Decimal

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .. import jobs, task_names
from ..conf import payout_available
from ..domain.distributors import DistributorStatus
from ..domain.errors import CommissionErrorCode as Code
from ..domain.errors import DistributionError
from ..domain.money import format_money, to_minor_units
from ..models import ChannelProgram, Distributor, LedgerEntry, WeChatIdentity, Withdrawal
from ..ports import Principal
from ..selectors.programs import WalletPolicy, program_in_force, wallet_policy
from .inputs import REASON_MAX_LENGTH, clean_channel, clean_text
from .ledger import ledger_append, ledger_balance, wallet_lock

W = Withdrawal.Status
#: statuses whose money is gone or on its way: they count against the daily limit
_COUNTED = [W.REQUESTED, W.APPROVED, W.PROCESSING, W.WAIT_USER_CONFIRM, W.PAID]


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


def channel_program_required(channel: str) -> ChannelProgram:
    """The program of a channel where it runs; ``UNKNOWN_CHANNEL`` otherwise (money takes no defaults)."""
    program = program_in_force(channel=clean_channel(channel, code=Code.INVALID))
    if program is None:
        raise DistributionError(
            Code.UNKNOWN_CHANNEL,
            _("The distribution program does not run in this channel."),
            field="channel",
        )
    return program


def _wallet_policy(program: ChannelProgram) -> WalletPolicy:
    policy = wallet_policy(currency=program.currency)
    if policy is None:  # the channel stopped running the program a moment ago
        raise DistributionError(
            Code.UNKNOWN_CHANNEL, _("The distribution program does not run in this channel."), field="channel"
        )
    return policy


def _payouts_not_configured() -> DistributionError:
    return DistributionError(
        Code.PAYOUT_NOT_CONFIGURED,
        _("Withdrawals are not possible in this channel yet: no WeChat Pay payout is set up."),
    )


def _payout_identity(program: ChannelProgram, distributor: Distributor) -> WeChatIdentity:
    """The openid the payout goes to; never skipped: without one, no withdrawal is held."""
    if not program.payout_app_id or not payout_available(program.channel, program.payout_method):
        raise _payouts_not_configured()
    identity = (
        WeChatIdentity.objects.filter(app_id=program.payout_app_id, user_id=distributor.user_id)
        .order_by("pk")
        .first()
    )
    if identity is None:
        raise DistributionError(
            Code.WECHAT_IDENTITY_REQUIRED,
            _("Open the shop in WeChat once so that we know where to pay you."),
            field="amount",
        )
    return identity


def withdrawal_request(
    *,
    principal: Principal,
    amount: Decimal,
    channel: str,
    currency: str | None = None,
    now: datetime | None = None,
) -> Withdrawal:
    """Hold ``amount`` of the caller's balance for a payout through ``channel``'s WeChat Pay merchant.
    Exactly one of many concurrent requests for the whole balance succeeds: the wallet row is locked
    before the balance and the day's withdrawals are read."""
    now = now or timezone.now()
    distributor = (
        Distributor.objects.filter(user_id=principal.user_id).first() if principal.is_authenticated else None
    )
    if distributor is None:
        raise DistributionError(Code.NOT_A_DISTRIBUTOR, _("You are not a distributor."))
    if distributor.status != DistributorStatus.ACTIVE:
        raise DistributionError(Code.INVALID_STATUS, _("Only active distributors can withdraw."))
    program = channel_program_required(channel)
    currency = currency or program.currency
    if currency != program.currency:
        raise DistributionError(
            Code.CURRENCY_MISMATCH,
            _("Withdrawals in this channel are paid in %(currency)s.") % {"currency": program.currency},
            field="currency",
        )
    amount = _clean_amount(amount, currency)
    policy = _wallet_policy(program)
    if amount < policy.minimum:
        raise DistributionError(
            Code.BELOW_MINIMUM,
            _("The minimum withdrawal is %(amount)s.") % {"amount": format_money(policy.minimum, currency)},
            field="amount",
        )
    identity = _payout_identity(program, distributor)
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
        # every channel of the wallet: the limit is the wallet's, not one channel's
        used = Withdrawal.objects.filter(
            distributor=distributor, currency=currency, requested_at__gte=today, status__in=_COUNTED
        ).aggregate(s=Sum("amount"))["s"] or Decimal(0)
        if used + amount > policy.daily_limit:
            raise DistributionError(
                Code.DAILY_LIMIT_EXCEEDED,
                _("The daily withdrawal limit is %(amount)s.")
                % {"amount": format_money(policy.daily_limit, currency)},
                field="amount",
            )
        auto = amount < policy.auto_approve_below
        withdrawal = Withdrawal.objects.create(
            distributor=distributor,
            channel=program.channel,
            currency=currency,
            amount=amount,
            status=W.APPROVED if auto else W.REQUESTED,
            out_bill_no=_new_out_bill_no(now),
            payout_method=program.payout_method,
            app_id=identity.app_id,
            openid=identity.openid,
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
            jobs.enqueue(task_names.WITHDRAWAL_SEND, withdrawal.pk)
    return withdrawal


def withdrawal_locked(withdrawal_id: int) -> Withdrawal:
    """The withdrawal's row, locked until the transaction ends (``NOT_FOUND`` when there is none)."""
    withdrawal = Withdrawal.objects.select_for_update().filter(pk=withdrawal_id).first()
    if withdrawal is None:
        raise DistributionError(Code.NOT_FOUND, _("No such withdrawal."), field="id")
    return withdrawal


def withdrawal_money_return(withdrawal: Withdrawal) -> None:
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
    """Approve a requested withdrawal and queue its payout. Refused up front when the payout could not
    start: no WeChat Pay merchant for its channel and method, or no openid to pay."""
    with transaction.atomic():
        withdrawal = withdrawal_locked(withdrawal_id)
        if withdrawal.status != W.REQUESTED:
            raise DistributionError(
                Code.INVALID_STATUS, _("Only requested withdrawals can be approved."), field="id"
            )
        if not payout_available(withdrawal.channel, withdrawal.payout_method):
            raise DistributionError(
                Code.PAYOUT_NOT_CONFIGURED,
                _("No WeChat Pay merchant is set up for this withdrawal's payouts: set one up or reject it."),
                field="id",
            )
        if not withdrawal.openid:
            raise DistributionError(
                Code.WECHAT_IDENTITY_REQUIRED,
                _("This withdrawal has no WeChat account to pay: reject it."),
                field="id",
            )
        withdrawal.status = W.APPROVED
        withdrawal.decided_by = actor.actor_label
        withdrawal.decided_at = timezone.now()
        withdrawal.save(update_fields=["status", "decided_by", "decided_at"])
        jobs.enqueue(task_names.WITHDRAWAL_SEND, withdrawal.pk)
    return withdrawal


def withdrawal_reject(*, actor: Principal, withdrawal_id: int, reason: str = "") -> Withdrawal:
    reason = clean_text(reason, field="reason", code=Code.INVALID, max_length=REASON_MAX_LENGTH) or ""
    with transaction.atomic():
        withdrawal = withdrawal_locked(withdrawal_id)
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
        withdrawal_money_return(withdrawal)
    return withdrawal
