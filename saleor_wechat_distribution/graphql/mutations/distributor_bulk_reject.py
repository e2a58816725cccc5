from __future__ import annotations

import graphene

from ...services.distributors import distributor_reject
from ..core.mutations import mutation_error_type
from ..enums import DistributorErrorCodeEnum
from .bulk_status_changes import MAX_BULK, DistributorBulkStatusMutation, bulk_result_type

DistributorBulkRejectError = mutation_error_type("DistributorBulkRejectError", DistributorErrorCodeEnum)
DistributorBulkRejectResult = bulk_result_type("DistributorBulkRejectResult", DistributorBulkRejectError)


class DistributorBulkReject(DistributorBulkStatusMutation):
    """Staff: reject several applicants at once with one reason, each on its own (see ``results``).
    Requires MANAGE_USERS."""

    error_type = DistributorBulkRejectError
    result_type = DistributorBulkRejectResult
    service = staticmethod(distributor_reject)
    takes_reason = True

    count = graphene.Int(required=True, description="How many were rejected.")
    results = graphene.List(graphene.NonNull(DistributorBulkRejectResult), required=True)
    errors = graphene.List(
        graphene.NonNull(DistributorBulkRejectError),
        required=True,
        description="Errors of the input as a whole; when there are any, nothing was changed.",
    )

    class Arguments:
        ids = graphene.List(
            graphene.NonNull(graphene.ID), required=True, description=f"Global ids, at most {MAX_BULK}."
        )
        reason = graphene.String(required=True, description="Shown to the applicants and in the audit trail.")
