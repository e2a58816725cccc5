from __future__ import annotations

import graphene

from ...services.distributors import distributor_approve
from ..core.mutations import mutation_error_type
from ..enums import DistributorErrorCodeEnum
from .bulk_status_changes import MAX_BULK, DistributorBulkStatusMutation, bulk_result_type

DistributorBulkApproveError = mutation_error_type("DistributorBulkApproveError", DistributorErrorCodeEnum)
DistributorBulkApproveResult = bulk_result_type("DistributorBulkApproveResult", DistributorBulkApproveError)


class DistributorBulkApprove(DistributorBulkStatusMutation):
    """Staff: approve several applicants at once, each on its own (see ``results``). Requires MANAGE_USERS."""

    error_type = DistributorBulkApproveError
    result_type = DistributorBulkApproveResult
    service = staticmethod(distributor_approve)

    count = graphene.Int(required=True, description="How many were approved.")
    results = graphene.List(graphene.NonNull(DistributorBulkApproveResult), required=True)
    errors = graphene.List(
        graphene.NonNull(DistributorBulkApproveError),
        required=True,
        description="Errors of the input as a whole; when there are any, nothing was changed.",
    )

    class Arguments:
        ids = graphene.List(
            graphene.NonNull(graphene.ID), required=True, description=f"Global ids, at most {MAX_BULK}."
        )
