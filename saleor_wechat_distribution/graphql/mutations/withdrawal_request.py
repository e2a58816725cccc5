from __future__ import annotations

from typing import Any

import graphene

from ...domain.errors import CommissionErrorCode
from ...services.withdrawals import mini_program_payout_app, withdrawal_request
from ..commissions.types import Withdrawal
from ..core.channels import channel_argument
from ..core.money import parse_decimal
from ..core.mutations import BaseMutation, mutation_error_type
from ..enums import CommissionErrorCodeEnum

WithdrawalRequestError = mutation_error_type("WithdrawalRequestError", CommissionErrorCodeEnum)


class WithdrawalRequest(BaseMutation):
    """A distributor withdraws part of its available balance to its WeChat wallet.

    The amount is held at once; the payout follows staff approval (or at once below the channel's
    auto-approval threshold). Refused: amounts that are not positive, have more decimals than the
    currency, are below the channel's minimum, exceed the available balance or the daily limit, or are
    in another currency than the channel's.
    """

    login_required = True
    error_type = WithdrawalRequestError
    invalid_code = CommissionErrorCode.INVALID

    withdrawal = graphene.Field(Withdrawal)
    errors = graphene.List(graphene.NonNull(WithdrawalRequestError), required=True)

    class Arguments:
        channel = graphene.String(required=True, description="Channel slug whose program pays.")
        amount = graphene.String(
            required=True, description='A decimal string such as "100.00" (never a float).'
        )
        currency = graphene.String(description="ISO 4217 code; defaults to the channel's currency.")
        mini_program = graphene.Boolean(
            default_value=False,
            description="Pay your openid of the channel's Mini Program: you confirm the transfer there "
            "(wx.requestMerchantTransfer); otherwise the program's payout app (confirmed in H5).",
        )

    @classmethod
    def perform_mutation(
        cls,
        root: Any,
        info: Any,
        *,
        channel: str,
        amount: str,
        currency: str | None = None,
        mini_program: bool = False,
    ) -> Any:
        code = CommissionErrorCode
        channel = channel_argument(info, channel)
        node = withdrawal_request(
            principal=info.context.principal,
            channel=channel,
            payout_app_id=mini_program_payout_app(channel) if mini_program else None,
            amount=parse_decimal(amount, field="amount", code=code.AMOUNT_INVALID),
            currency=(currency or "").strip() or None,
        )
        return cls(withdrawal=node, errors=[])
