from __future__ import annotations

from typing import Any

import graphene

from ...domain.errors import DisputeErrorCode
from ...domain.permissions import Permission
from ...services.disputes import order_dispute_resolve
from ..core.money import parse_decimal
from ..core.mutations import BaseMutation, mutation_error_type
from ..network.types import DisputeErrorCodeEnum, DisputeResolutionEnum, OrderDispute

OrderDisputeResolveError = mutation_error_type("OrderDisputeResolveError", DisputeErrorCodeEnum)


class OrderDisputeResolveInput(graphene.InputObjectType):
    resolution = DisputeResolutionEnum(required=True)
    note = graphene.String(description="Why (kept in the audit trail).")
    refund_id = graphene.String(
        description="REVERSE: the host's refund id, so its own refund event is a no-op."
    )
    amount = graphene.String(description="REVERSE: the refunded amount as a decimal string; default: all.")


class OrderDisputeResolve(BaseMutation):
    """Staff: resolve a dispute, releasing the held commissions or reversing them with the refund.
    Requires MANAGE_ORDERS."""

    permissions = (Permission.MANAGE_ORDERS,)
    error_type = OrderDisputeResolveError
    invalid_code = DisputeErrorCode.INVALID

    dispute = graphene.Field(OrderDispute)
    errors = graphene.List(graphene.NonNull(OrderDisputeResolveError), required=True)

    class Arguments:
        id = graphene.ID(required=True, description="Global id of the dispute.")
        input = OrderDisputeResolveInput(required=True)

    @classmethod
    def perform_mutation(cls, root: Any, info: Any, *, id: str, input: dict) -> Any:
        amount = parse_decimal(input.get("amount"), field="amount", code=DisputeErrorCode.AMOUNT_INVALID)
        dispute = order_dispute_resolve(
            actor=info.context.principal,
            dispute_id=cls.decode_id(id, type_name="OrderDispute", field="id"),
            resolution=input["resolution"],
            note=input.get("note") or "",
            refund_id=input.get("refund_id") or "",
            amount=amount,
        )
        return cls(dispute=dispute, errors=[])
