"""Staff bulk mutations (the console's applications queue), mixed into the schema's root."""

from __future__ import annotations

import graphene

from .mutations.distributor_bulk_approve import DistributorBulkApprove
from .mutations.distributor_bulk_reject import DistributorBulkReject


class DistributorBulkMutations(graphene.ObjectType):
    distributor_bulk_approve = DistributorBulkApprove.Field()
    distributor_bulk_reject = DistributorBulkReject.Field()
