from __future__ import annotations

from typing import Any

import graphene

from ...domain.errors import CommissionErrorCode
from ...services.withdrawals import withdrawal_request
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

    @classmethod
    def perform_mutation(
        cls, root: Any, info: Any, *, channel: str, amount: str, currency: str | None = None
    ) -> Any:
        code = CommissionErrorCode
        node = withdrawal_request(
            principal=info.context.principal,
            channel=channel_argument(info, channel),
            amount=parse_decimal(amount, field="amount", code=code.AMOUNT_INVALID),
            currency=(currency or "").strip() or None,
        )
        return cls(withdrawal=node, errors=[])
