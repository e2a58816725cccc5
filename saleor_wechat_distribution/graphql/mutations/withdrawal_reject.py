from __future__ import annotations

from typing import Any

import graphene

from ...domain.errors import CommissionErrorCode
from ...domain.permissions import Permission
from ...services.withdrawals import withdrawal_reject
from ..commissions.types import Withdrawal
from ..core.inputs import REASON_MAX_LENGTH, clean_text
from ..core.mutations import BaseMutation, mutation_error_type
from ..enums import CommissionErrorCodeEnum

WithdrawalRejectError = mutation_error_type("WithdrawalRejectError", CommissionErrorCodeEnum)


class WithdrawalReject(BaseMutation):
    """Staff: reject a requested withdrawal; the amount returns to the balance. Requires MANAGE_ORDERS."""

    permissions = (Permission.MANAGE_ORDERS,)
    error_type = WithdrawalRejectError
    invalid_code = CommissionErrorCode.INVALID

    withdrawal = graphene.Field(Withdrawal)
    errors = graphene.List(graphene.NonNull(WithdrawalRejectError), required=True)

    class Arguments:
        id = graphene.ID(required=True, description="Global id of the withdrawal (status REQUESTED).")
        reason = graphene.String(description="Shown to the distributor; at most 500 characters.")

    @classmethod
    def perform_mutation(cls, root: Any, info: Any, *, id: str, reason: str | None = None) -> Any:
        withdrawal_id = cls.decode_id(id, type_name="Withdrawal", field="id")
        reason = clean_text(
            reason, field="reason", code=CommissionErrorCode.INVALID, max_length=REASON_MAX_LENGTH
        )
        node = withdrawal_reject(
            actor=info.context.principal, withdrawal_id=withdrawal_id, reason=reason or ""
        )
        return cls(withdrawal=node, errors=[])
