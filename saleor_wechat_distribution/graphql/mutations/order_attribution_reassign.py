from __future__ import annotations

from typing import Any

import graphene
from django.utils.translation import gettext as _

from ...domain.errors import CommissionErrorCode, DistributionError
from ...domain.permissions import Permission
from ...selectors.distributors import distributor_get_by_key
from ...services.referrals import order_attribution_reassign
from ..commissions.types import OrderAttribution
from ..core.inputs import HOST_ID_MAX_LENGTH, REASON_MAX_LENGTH, clean_text
from ..core.mutations import BaseMutation, mutation_error_type
from ..enums import CommissionErrorCodeEnum

OrderAttributionReassignError = mutation_error_type("OrderAttributionReassignError", CommissionErrorCodeEnum)


class OrderAttributionReassign(BaseMutation):
    """Staff: give an order to another distributor, or to nobody. Requires MANAGE_ORDERS.

    The history is kept (who, when, why). The old attribution's commissions are cancelled (taken back
    from the balance when already settled) and the new distributor's upline earns in their place.
    """

    permissions = (Permission.MANAGE_ORDERS,)
    error_type = OrderAttributionReassignError
    invalid_code = CommissionErrorCode.INVALID

    order_attribution = graphene.Field(OrderAttribution)
    errors = graphene.List(graphene.NonNull(OrderAttributionReassignError), required=True)

    class Arguments:
        order_id = graphene.ID(required=True, description="The host's (Saleor's) order id.")
        distributor_id = graphene.ID(description="Global id of the new distributor; null: nobody.")
        referral_code = graphene.String(
            description="The new distributor's referral code (or external id), instead of distributorId."
        )
        reason = graphene.String(
            required=True, description="Why; kept in the history. At most 500 characters."
        )

    @classmethod
    def perform_mutation(
        cls, root: Any, info: Any, *, order_id: str, reason: str, distributor_id: str | None = None,
        referral_code: str | None = None,
    ) -> Any:  # fmt: skip
        code = CommissionErrorCode
        order_id_ = clean_text(
            order_id, field="orderId", code=code.NOT_FOUND, max_length=HOST_ID_MAX_LENGTH, required=True
        )
        target = cls.decode_id(distributor_id, type_name="Distributor", field="distributorId")
        key = clean_text(referral_code, field="referralCode", code=code.INVALID, max_length=64)
        if key is not None:
            if target is not None:
                raise DistributionError(
                    code.INVALID, _("Give distributorId or referralCode, not both."), field="referralCode"
                )
            found = distributor_get_by_key(key=key)
            if found is None:
                raise DistributionError(
                    code.NOT_FOUND, _("No distributor has this referral code."), field="referralCode"
                )
            target = found.pk
        reason_ = clean_text(reason, field="reason", code=code.INVALID, max_length=REASON_MAX_LENGTH)
        node = order_attribution_reassign(
            actor=info.context.principal, order_id=order_id_, distributor_id=target, reason=reason_ or ""
        )
        return cls(order_attribution=node, errors=[])
