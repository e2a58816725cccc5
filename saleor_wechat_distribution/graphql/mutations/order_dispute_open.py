from __future__ import annotations

from typing import Any

import graphene

from ...domain.errors import DisputeErrorCode
from ...domain.permissions import Permission
from ...services.disputes import order_dispute_open
from ..core.mutations import BaseMutation, mutation_error_type
from ..network.types import DisputeErrorCodeEnum, OrderDispute

OrderDisputeOpenError = mutation_error_type("OrderDisputeOpenError", DisputeErrorCodeEnum)


class OrderDisputeOpenInput(graphene.InputObjectType):
    order_id = graphene.ID(required=True, description="The host's (Saleor's) order id.")
    reason = graphene.String(required=True, description="Why (kept in the audit trail).")


class OrderDisputeOpen(BaseMutation):
    """Staff: open a dispute on an order; its commissions are held until it is resolved. Requires
    MANAGE_ORDERS."""

    permissions = (Permission.MANAGE_ORDERS,)
    error_type = OrderDisputeOpenError
    invalid_code = DisputeErrorCode.INVALID

    dispute = graphene.Field(OrderDispute)
    errors = graphene.List(graphene.NonNull(OrderDisputeOpenError), required=True)

    class Arguments:
        input = OrderDisputeOpenInput(required=True)

    @classmethod
    def perform_mutation(cls, root: Any, info: Any, *, input: dict) -> Any:
        dispute = order_dispute_open(
            actor=info.context.principal, order_id=input["order_id"], reason=input["reason"]
        )
        return cls(dispute=dispute, errors=[])
