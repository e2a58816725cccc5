"""Queries and mutations of network imports and order disputes, mixed into the schema's roots."""

from __future__ import annotations

from typing import Any

import graphene
from django.utils.translation import gettext_lazy as _

from ...domain.permissions import Permission
from ...models import DistributorImportJob as ImportJobModel
from ...models import OrderDispute as OrderDisputeModel
from ...selectors.disputes import disputes_list
from ..core.connection import keyset_connection
from ..core.errors import QueryError
from ..core.ids import decode_id_argument
from ..core.permissions import permission_required
from ..mutations.distributor_import import DistributorImport
from ..mutations.order_dispute_open import OrderDisputeOpen
from ..mutations.order_dispute_resolve import OrderDisputeResolve
from .types import DistributorImportJob, OrderDisputeCountableConnection, OrderDisputeStatusEnum

ORDER_ID_MAX_LENGTH = 64


class OrderDisputeFilterInput(graphene.InputObjectType):
    status = OrderDisputeStatusEnum()
    order_id = graphene.ID(description="The host's (Saleor's) order id.")


class NetworkQueries(graphene.ObjectType):
    distributor_import_job = graphene.Field(
        DistributorImportJob,
        id=graphene.ID(required=True),
        description="Staff: progress and row report of an import. Requires MANAGE_USERS.",
    )
    disputes = graphene.Field(
        OrderDisputeCountableConnection,
        filter=OrderDisputeFilterInput(),
        first=graphene.Int(),
        after=graphene.String(),
        description="Staff: order disputes, newest first. Requires MANAGE_ORDERS.",
    )

    @staticmethod
    @permission_required(Permission.MANAGE_USERS)
    def resolve_distributor_import_job(root: Any, info: Any, *, id: str) -> ImportJobModel | None:
        return ImportJobModel.objects.filter(
            pk=decode_id_argument(id, expected_type="DistributorImportJob")
        ).first()

    @staticmethod
    @permission_required(Permission.MANAGE_ORDERS)
    def resolve_disputes(
        root: Any,
        info: Any,
        *,
        filter: dict | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> OrderDisputeCountableConnection:
        filter = filter or {}
        order_id = filter.get("order_id")
        if order_id is not None and ("\x00" in order_id or len(order_id) > ORDER_ID_MAX_LENGTH):
            raise QueryError(_("'orderId' is not a valid order id."), code="INVALID", field="orderId")
        queryset: Any = disputes_list(status=filter.get("status"), order_id=order_id)
        return keyset_connection(
            queryset, OrderDisputeCountableConnection, key="-pk", first=first, after=after
        )


class NetworkMutations(graphene.ObjectType):
    distributor_import = DistributorImport.Field()
    order_dispute_open = OrderDisputeOpen.Field()
    order_dispute_resolve = OrderDisputeResolve.Field()


__all__ = ["NetworkMutations", "NetworkQueries", "OrderDisputeModel"]
