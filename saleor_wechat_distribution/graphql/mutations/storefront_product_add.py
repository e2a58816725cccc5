from __future__ import annotations

from typing import Any

import graphene

from ...domain.errors import StorefrontErrorCode
from ...services.storefront_curation import storefront_product_add
from ..core.mutations import BaseMutation, mutation_error_type
from ..enums import StorefrontErrorCodeEnum
from ..storefronts.types import Storefront

StorefrontProductAddError = mutation_error_type("StorefrontProductAddError", StorefrontErrorCodeEnum)


class StorefrontProductAdd(BaseMutation):
    """Add a product of the brand's catalog to your storefront (at `position`, else last; one already there
    moves to `position`). A storefront showing everything the brand offers becomes a curated one."""

    login_required = True
    error_type = StorefrontProductAddError
    invalid_code = StorefrontErrorCode.INVALID

    storefront = graphene.Field(Storefront)
    errors = graphene.List(graphene.NonNull(StorefrontProductAddError), required=True)

    class Arguments:
        product_id = graphene.ID(required=True, description="The host's product id.")
        position = graphene.Int(description="0 = first; omitted: last.")
        id = graphene.ID(description="Staff: a storefront's global id; omitted: your own.")

    @classmethod
    def perform_mutation(
        cls, root: Any, info: Any, *, product_id: str, position: int | None = None, id: str | None = None
    ) -> Any:
        node = storefront_product_add(
            principal=info.context.principal,
            product_id=product_id,
            position=position,
            storefront_id=cls.decode_id(id, type_name="Storefront", field="id"),
        )
        return cls(storefront=node, errors=[])
