from __future__ import annotations

from typing import Any

import graphene

from ...domain.errors import CommissionErrorCode
from ...domain.permissions import Permission
from ...services.payouts import withdrawal_retry
from ..commissions.types import Withdrawal
from ..core.mutations import BaseMutation, mutation_error_type
from ..enums import CommissionErrorCodeEnum

WithdrawalRetryError = mutation_error_type("WithdrawalRetryError", CommissionErrorCodeEnum)


class WithdrawalRetry(BaseMutation):
    """Staff: move a stuck payout on (status APPROVED, PROCESSING or WAIT_USER_CONFIRM). WeChat Pay is
    asked for the bill under the withdrawal's number first: its state is applied; a bill WeChat Pay never
    saw is sent again under the same number, so nothing is paid twice. Requires MANAGE_ORDERS.

    Refused: PAYOUT_NOT_CONFIGURED (no merchant to ask), WECHAT_UNAVAILABLE (WeChat Pay did not answer;
    the automatic retries go on), PAYOUT_FAILED (WeChat Pay refused the query), INVALID_STATUS.
    """

    permissions = (Permission.MANAGE_ORDERS,)
    error_type = WithdrawalRetryError
    invalid_code = CommissionErrorCode.INVALID

    withdrawal = graphene.Field(Withdrawal)
    errors = graphene.List(graphene.NonNull(WithdrawalRetryError), required=True)

    class Arguments:
        id = graphene.ID(required=True, description="Global id of the withdrawal.")

    @classmethod
    def perform_mutation(cls, root: Any, info: Any, *, id: str) -> Any:
        node = withdrawal_retry(
            actor=info.context.principal,
            withdrawal_id=cls.decode_id(id, type_name="Withdrawal", field="id"),
        )
        return cls(withdrawal=node, errors=[])
