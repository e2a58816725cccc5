"""What the center's pages show before the distributor acts, read with the same rules the actions apply.

- ``withdrawal_rules``: the wallet's minimum and daily limit (``selectors.programs.wallet_policy``: the
  strictest of every channel paying in the currency), what is left today, the balance, the fee (none:
  WeChat Pay 商家转账 charges the merchant, never the payee), and whether a withdrawal could start now
  (the same checks ``withdrawal_request`` makes, reported instead of raised).
- ``transfer_package``: what ``wx.requestMerchantTransfer`` needs for a v3 transfer waiting for the
  user's confirmation (merchant id, app id, ``package_info``), to the withdrawal's owner only.
- ``program_terms``: the program's terms as numbers (paid levels and default rates, freeze window,
  withdrawal rules) for the application page.
- ``application_state``: a customer's own application (status, rejection reason) and the distributor
  the customer is bound to in the channel, to prefill the inviter code.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..conf import PayoutNotConfigured, get_payout_gateway
from ..domain.distributors import DistributorStatus
from ..domain.errors import CommissionErrorCode as Code
from ..domain.errors import DistributionError
from ..models import ChannelProgram, CommissionRule, Distributor, DistributorEvent, Withdrawal
from ..selectors.center import available_of, withdrawal_of_owner, withdrawn_today
from ..selectors.programs import commission_rules_of
from .bindings import current_binding, customer_keys
from .withdrawals import _payout_identity, _wallet_policy, channel_program_required

ZERO = Decimal(0)


@dataclass(frozen=True)
class WithdrawalRules:
    currency: str
    minimum: Decimal
    daily_limit: Decimal
    used_today: Decimal
    left_today: Decimal
    available: Decimal
    #: the most a withdrawal could ask for now (0 when none can start)
    max_now: Decimal
    fee: Decimal
    payout_method: str
    #: why no withdrawal can start now (a ``CommissionErrorCode``), None when one can
    blocker: Code | None
    blocker_message: str


def withdrawal_rules(
    *, distributor: Distributor, channel: str, now: datetime | None = None, payout_app_id: str | None = None
) -> WithdrawalRules:
    """``payout_app_id``: the rules of a withdrawal paid in that app (the Mini Program's)."""
    program = channel_program_required(channel)
    policy = _wallet_policy(program)
    currency = program.currency
    used = withdrawn_today(distributor=distributor, currency=currency, now=now)
    left = max(policy.daily_limit - used, ZERO)
    available = available_of(distributor=distributor, currency=currency)
    blocker: DistributionError | None = None
    if distributor.status != DistributorStatus.ACTIVE:
        blocker = DistributionError(Code.INVALID_STATUS, _("Only active distributors can withdraw."))
    elif available < 0:
        blocker = DistributionError(
            Code.BALANCE_IN_DEBT,
            _("Refunds took back more than your balance; withdrawals wait until it is repaid."),
        )
    else:
        try:
            _payout_identity(program, distributor, payout_app_id)
        except DistributionError as error:
            blocker = error
    max_now = ZERO if blocker else min(max(available, ZERO), left)
    if blocker is None and max_now < policy.minimum:
        max_now = ZERO
    return WithdrawalRules(
        currency=currency,
        minimum=policy.minimum,
        daily_limit=policy.daily_limit,
        used_today=used,
        left_today=left,
        available=available,
        max_now=max_now,
        fee=ZERO,
        payout_method=program.payout_method,
        blocker=blocker.code if blocker else None,  # type: ignore[arg-type]
        blocker_message=str(blocker.message) if blocker else "",
    )


@dataclass(frozen=True)
class TransferPackage:
    mch_id: str
    app_id: str
    package: str
    openid: str


def transfer_package(*, distributor: Distributor, withdrawal_id: int) -> TransferPackage:
    """The confirmation parameters of the caller's own withdrawal waiting in WeChat Pay."""
    withdrawal = withdrawal_of_owner(distributor=distributor, withdrawal_id=withdrawal_id)
    if withdrawal is None:
        raise DistributionError(Code.NOT_FOUND, _("No such withdrawal."), field="id")
    if withdrawal.status != Withdrawal.Status.WAIT_USER_CONFIRM or not withdrawal.package_info:
        raise DistributionError(
            Code.INVALID_STATUS, _("This withdrawal is not waiting for your confirmation."), field="id"
        )
    try:
        gateway = get_payout_gateway(withdrawal.channel, withdrawal.payout_method)
    except PayoutNotConfigured:
        gateway = None
    mch_id = str(getattr(gateway, "mchid", "") or "")
    if not mch_id:
        raise DistributionError(
            Code.PAYOUT_NOT_CONFIGURED,
            _("The WeChat Pay merchant of this withdrawal is not set up any more."),
        )
    return TransferPackage(
        mch_id=mch_id, app_id=withdrawal.app_id, package=withdrawal.package_info, openid=withdrawal.openid
    )


@dataclass(frozen=True)
class ProgramTerms:
    program: ChannelProgram
    #: the default rule of each paid level (no product, category or kind scope)
    rules: tuple[CommissionRule, ...]
    minimum: Decimal
    daily_limit: Decimal


def program_terms(*, channel: str) -> ProgramTerms:
    program = channel_program_required(channel)
    policy = _wallet_policy(program)
    rules = tuple(
        rule
        for rule in commission_rules_of(channel=program.channel)
        if rule.level <= program.commission_depth
        and not (rule.product_id or rule.category_id or rule.distributor_kind)
    )
    return ProgramTerms(program=program, rules=rules, minimum=policy.minimum, daily_limit=policy.daily_limit)


@dataclass(frozen=True)
class ApplicationState:
    distributor: Distributor | None
    reject_reason: str
    #: the active distributor the customer is bound to in the channel (its code prefills the form)
    bound_to: Distributor | None


def application_state(*, user_id: int, channel: str, now: datetime | None = None) -> ApplicationState:
    distributor = Distributor.objects.filter(user_id=user_id).first()
    reason = ""
    if distributor is not None and distributor.status == DistributorStatus.REJECTED:
        event = (
            DistributorEvent.objects.filter(distributor=distributor, type=DistributorEvent.Type.REJECTED)
            .order_by("-pk")
            .first()
        )
        reason = str((event.data or {}).get("reason") or "") if event else ""
    binding = current_binding(channel=channel, keys=customer_keys(user_id=user_id), now=now or timezone.now())
    bound_to = None
    if binding is not None:
        bound_to = Distributor.objects.filter(
            pk=binding.distributor_id, status=DistributorStatus.ACTIVE
        ).first()
    return ApplicationState(distributor=distributor, reject_reason=reason, bound_to=bound_to)
