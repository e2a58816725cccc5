from __future__ import annotations

import graphene

from ...services.distributors import distributor_reject
from ..core.mutations import mutation_error_type
from ..distributors.types import Distributor
from ..enums import DistributorErrorCodeEnum
from .status_changes import DistributorStatusMutation

DistributorRejectError = mutation_error_type("DistributorRejectError", DistributorErrorCodeEnum)


class DistributorReject(DistributorStatusMutation):
    """Staff: reject a distributor. Requires MANAGE_USERS."""

    error_type = DistributorRejectError
    service = staticmethod(distributor_reject)
    takes_reason = True

    distributor = graphene.Field(Distributor)
    errors = graphene.List(graphene.NonNull(DistributorRejectError), required=True)

    class Arguments:
        id = graphene.ID(required=True, description="Global id of the distributor.")
        reason = graphene.String(description="Shown in the audit trail.")
