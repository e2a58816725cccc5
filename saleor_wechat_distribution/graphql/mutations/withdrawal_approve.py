from __future__ import annotations

from typing import Any

import graphene

from ...domain.errors import CommissionErrorCode
from ...domain.permissions import Permission
from ...services.withdrawals import withdrawal_approve
from ..commissions.types import Withdrawal
from ..core.mutations import BaseMutation, mutation_error_type
from ..enums import CommissionErrorCodeEnum

WithdrawalApproveError = mutation_error_type("WithdrawalApproveError", CommissionErrorCodeEnum)


class WithdrawalApprove(BaseMutation):
    """Staff: approve a requested withdrawal; the payout is queued. Requires MANAGE_ORDERS."""

    permissions = (Permission.MANAGE_ORDERS,)
    error_type = WithdrawalApproveError
    invalid_code = CommissionErrorCode.INVALID

    withdrawal = graphene.Field(Withdrawal)
    errors = graphene.List(graphene.NonNull(WithdrawalApproveError), required=True)

    class Arguments:
        id = graphene.ID(required=True, description="Global id of the withdrawal (status REQUESTED).")

    @classmethod
    def perform_mutation(cls, root: Any, info: Any, *, id: str) -> Any:
        node = withdrawal_approve(
            actor=info.context.principal,
            withdrawal_id=cls.decode_id(id, type_name="Withdrawal", field="id"),
        )
        return cls(withdrawal=node, errors=[])
