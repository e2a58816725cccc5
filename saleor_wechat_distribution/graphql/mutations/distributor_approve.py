from __future__ import annotations

import graphene

from ...services.distributors import distributor_approve
from ..core.mutations import mutation_error_type
from ..distributors.types import Distributor
from ..enums import DistributorErrorCodeEnum
from .status_changes import DistributorStatusMutation

DistributorApproveError = mutation_error_type("DistributorApproveError", DistributorErrorCodeEnum)


class DistributorApprove(DistributorStatusMutation):
    """Staff: approve a distributor. Requires MANAGE_USERS."""

    error_type = DistributorApproveError
    service = staticmethod(distributor_approve)

    distributor = graphene.Field(Distributor)
    errors = graphene.List(graphene.NonNull(DistributorApproveError), required=True)

    class Arguments:
        id = graphene.ID(required=True, description="Global id of the distributor.")
