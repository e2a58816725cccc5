from __future__ import annotations

import graphene

from ...services.distributors import distributor_reactivate
from ..core.mutations import mutation_error_type
from ..distributors.types import Distributor
from ..enums import DistributorErrorCodeEnum
from .status_changes import DistributorStatusMutation

DistributorReactivateError = mutation_error_type("DistributorReactivateError", DistributorErrorCodeEnum)


class DistributorReactivate(DistributorStatusMutation):
    """Staff: reactivate a distributor. Requires MANAGE_USERS."""

    error_type = DistributorReactivateError
    service = staticmethod(distributor_reactivate)

    distributor = graphene.Field(Distributor)
    errors = graphene.List(graphene.NonNull(DistributorReactivateError), required=True)

    class Arguments:
        id = graphene.ID(required=True, description="Global id of the distributor.")
