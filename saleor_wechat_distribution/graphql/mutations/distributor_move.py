from __future__ import annotations

from typing import Any

import graphene

from ...domain.errors import DistributorErrorCode
from ...domain.permissions import Permission
from ...services.distributors import distributor_move
from ..core.mutations import BaseMutation, mutation_error_type
from ..distributors.types import Distributor
from ..enums import DistributorErrorCodeEnum

DistributorMoveError = mutation_error_type("DistributorMoveError", DistributorErrorCodeEnum)


class DistributorMove(BaseMutation):
    """Staff: move a distributor with its whole team under another upline. Requires MANAGE_USERS."""

    permissions = (Permission.MANAGE_USERS,)
    error_type = DistributorMoveError
    invalid_code = DistributorErrorCode.INVALID

    distributor = graphene.Field(Distributor)
    errors = graphene.List(graphene.NonNull(DistributorMoveError), required=True)

    class Arguments:
        id = graphene.ID(required=True, description="Global id of the distributor to move.")
        new_parent_id = graphene.ID(
            description="Global id of the new upline; null = directly under the brand."
        )

    @classmethod
    def perform_mutation(cls, root: Any, info: Any, *, id: str, new_parent_id: str | None = None) -> Any:
        node = distributor_move(
            actor=info.context.principal,
            distributor_id=cls.decode_id(id, type_name="Distributor", field="id"),
            new_parent_id=cls.decode_id(new_parent_id, type_name="Distributor", field="newParentId"),
        )
        return cls(distributor=node, errors=[])
