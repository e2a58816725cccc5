from __future__ import annotations

from typing import Any

import graphene

from ...domain.errors import StorefrontErrorCode
from ...domain.permissions import Permission
from ...services.storefronts import storefront_update
from ..core.mutations import BaseMutation, mutation_error_type
from ..enums import StorefrontErrorCodeEnum
from ..storefronts.types import Storefront
from .storefront_update import StorefrontInput

StorefrontCreateError = mutation_error_type("StorefrontCreateError", StorefrontErrorCodeEnum)


class StorefrontCreate(BaseMutation):
    """Staff: create the storefront of a distributor (an active one, which has none yet). Requires
    MANAGE_USERS. The distributor changes it afterwards with storefrontUpdate."""

    permissions = (Permission.MANAGE_USERS,)
    error_type = StorefrontCreateError
    invalid_code = StorefrontErrorCode.INVALID

    storefront = graphene.Field(Storefront)
    errors = graphene.List(graphene.NonNull(StorefrontCreateError), required=True)

    class Arguments:
        distributor_id = graphene.ID(required=True, description="Global id of the distributor.")
        input = StorefrontInput(required=True, description="slug, title and channel are required.")

    @classmethod
    def perform_mutation(cls, root: Any, info: Any, *, distributor_id: str, input: dict) -> Any:
        node = storefront_update(
            principal=info.context.principal,
            distributor_id=cls.decode_id(distributor_id, type_name="Distributor", field="distributorId"),
            values=dict(input),
        )
        return cls(storefront=node, errors=[])
