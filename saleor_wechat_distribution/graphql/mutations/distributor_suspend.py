from __future__ import annotations

import graphene

from ...services.distributors import distributor_suspend
from ..core.mutations import mutation_error_type
from ..distributors.types import Distributor
from ..enums import DistributorErrorCodeEnum
from .status_changes import DistributorStatusMutation

DistributorSuspendError = mutation_error_type("DistributorSuspendError", DistributorErrorCodeEnum)


class DistributorSuspend(DistributorStatusMutation):
    """Staff: suspend a distributor. Requires MANAGE_USERS."""

    error_type = DistributorSuspendError
    service = staticmethod(distributor_suspend)
    takes_reason = True

    distributor = graphene.Field(Distributor)
    errors = graphene.List(graphene.NonNull(DistributorSuspendError), required=True)

    class Arguments:
        id = graphene.ID(required=True, description="Global id of the distributor.")
        reason = graphene.String(description="Shown in the audit trail.")
