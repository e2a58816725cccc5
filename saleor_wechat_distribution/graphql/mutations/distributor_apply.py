from __future__ import annotations

from typing import Any

import graphene

from ...domain.distributors import DistributorKind
from ...domain.errors import DistributorErrorCode
from ...services.distributors import distributor_apply
from ..core.mutations import BaseMutation, mutation_error_type
from ..distributors.types import Distributor
from ..enums import DistributorErrorCodeEnum, DistributorKindEnum

DistributorApplyError = mutation_error_type("DistributorApplyError", DistributorErrorCodeEnum)


class DistributorApplyInput(graphene.InputObjectType):
    display_name = graphene.String(required=True, description="Shown to customers and the upline.")
    kind = DistributorKindEnum(description="Defaults to INDIVIDUAL.")
    inviter_code = graphene.String(description="Referral code of the distributor who invited you.")


class DistributorApply(BaseMutation):
    """A signed-in customer applies to become a distributor (pending until approved)."""

    login_required = True
    error_type = DistributorApplyError
    invalid_code = DistributorErrorCode.INVALID

    distributor = graphene.Field(Distributor)
    errors = graphene.List(graphene.NonNull(DistributorApplyError), required=True)

    class Arguments:
        input = DistributorApplyInput(required=True)
        channel = graphene.String(description="Channel slug whose program settings apply.")

    @classmethod
    def perform_mutation(cls, root: Any, info: Any, *, input: dict, channel: str | None = None) -> Any:
        node = distributor_apply(
            principal=info.context.principal,
            display_name=input["display_name"],
            kind=input.get("kind") or DistributorKind.INDIVIDUAL,
            inviter_code=input.get("inviter_code"),
            channel=channel,
        )
        return cls(distributor=node, errors=[])
