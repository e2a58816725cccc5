"""Queries of the console's money page and order widget, mixed into the schema's root."""

from __future__ import annotations

from typing import Any

import graphene
from django.utils.translation import gettext_lazy as _

from ...domain.permissions import Permission
from ...models import OrderAttribution as OrderAttributionModel
from ...selectors.money_console import WithdrawalTotal as WithdrawalTotalData
from ...selectors.money_console import withdrawal_totals
from ..commissions.types import OrderAttribution
from ..core.errors import QueryError
from ..core.inputs import HOST_ID_MAX_LENGTH
from ..core.permissions import permission_required
from ..dataloaders import loader
from .dataloaders import AttributionByOrderLoader
from .types import WithdrawalTotal


class MoneyQueries(graphene.ObjectType):
    withdrawal_totals = graphene.List(
        graphene.NonNull(WithdrawalTotal),
        required=True,
        description="Staff: withdrawals waiting for a decision, on their way and failed: how many and how "
        "much per status and currency. Requires MANAGE_ORDERS.",
    )
    order_attribution = graphene.Field(
        OrderAttribution,
        order_id=graphene.ID(required=True, description="The host's (Saleor's) order id."),
        description="Staff: the distributor an order belongs to, with its evidence, policy, history, "
        "commissions and dispute; null when the order was never attributed. Requires MANAGE_ORDERS.",
    )

    @staticmethod
    @permission_required(Permission.MANAGE_ORDERS)
    def resolve_withdrawal_totals(root: Any, info: Any) -> list[WithdrawalTotalData]:
        return withdrawal_totals()

    @staticmethod
    @permission_required(Permission.MANAGE_ORDERS)
    def resolve_order_attribution(root: Any, info: Any, *, order_id: str) -> OrderAttributionModel | None:
        if not order_id or "\x00" in order_id or len(order_id) > HOST_ID_MAX_LENGTH:
            raise QueryError(_("'orderId' is not a valid order id."), code="INVALID", field="orderId")
        return loader(info.context, AttributionByOrderLoader).load(order_id)
