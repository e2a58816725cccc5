from __future__ import annotations

from typing import Any

import graphene

from ...domain.errors import CommissionErrorCode
from ...domain.permissions import Permission
from ...services.payouts import FAIL_REASON_MAX_LENGTH, withdrawal_fail
from ..commissions.types import Withdrawal
from ..core.inputs import clean_text
from ..core.mutations import BaseMutation, mutation_error_type
from ..enums import CommissionErrorCodeEnum

WithdrawalFailError = mutation_error_type("WithdrawalFailError", CommissionErrorCodeEnum)


class WithdrawalFail(BaseMutation):
    """Staff: end a payout that will not happen (status APPROVED, PROCESSING or WAIT_USER_CONFIRM); the
    amount returns to the distributor's balance, once. A withdrawal that was sent is checked at WeChat
    Pay first: without a bill it fails; a paid bill is refused as paid; an open bill is cancelled (v3) and
    the withdrawal ends CANCELLED once WeChat Pay confirms. Requires MANAGE_ORDERS.

    Refused: PAYOUT_IN_PROGRESS (WeChat Pay may still pay: a bill not cancelled yet, or a request sent
    minutes ago), PAYOUT_NOT_CONFIGURED (no merchant to ask), WECHAT_UNAVAILABLE, PAYOUT_FAILED,
    INVALID_STATUS, INVALID (reason).
    """

    permissions = (Permission.MANAGE_ORDERS,)
    error_type = WithdrawalFailError
    invalid_code = CommissionErrorCode.INVALID

    withdrawal = graphene.Field(Withdrawal)
    errors = graphene.List(graphene.NonNull(WithdrawalFailError), required=True)

    class Arguments:
        id = graphene.ID(required=True, description="Global id of the withdrawal.")
        reason = graphene.String(
            required=True, description="Why (shown to the distributor as failReason); at most 255 characters."
        )

    @classmethod
    def perform_mutation(cls, root: Any, info: Any, *, id: str, reason: str) -> Any:
        withdrawal_id = cls.decode_id(id, type_name="Withdrawal", field="id")
        reason = clean_text(
            reason, field="reason", code=CommissionErrorCode.INVALID, max_length=FAIL_REASON_MAX_LENGTH,
            required=True,
        )  # fmt: skip
        node = withdrawal_fail(actor=info.context.principal, withdrawal_id=withdrawal_id, reason=reason or "")
        return cls(withdrawal=node, errors=[])
