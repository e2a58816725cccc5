from __future__ import annotations

from typing import Any

import graphene

from ...domain.errors import StorefrontErrorCode
from ...services.storefront_curation import storefront_product_remove
from ..core.mutations import BaseMutation, mutation_error_type
from ..enums import StorefrontErrorCodeEnum
from ..storefronts.types import Storefront

StorefrontProductRemoveError = mutation_error_type("StorefrontProductRemoveError", StorefrontErrorCodeEnum)


class StorefrontProductRemove(BaseMutation):
    """Take a product out of your curated storefront."""

    login_required = True
    error_type = StorefrontProductRemoveError
    invalid_code = StorefrontErrorCode.INVALID

    storefront = graphene.Field(Storefront)
    errors = graphene.List(graphene.NonNull(StorefrontProductRemoveError), required=True)

    class Arguments:
        product_id = graphene.ID(required=True, description="The host's product id.")
        id = graphene.ID(description="Staff: a storefront's global id; omitted: your own.")

    @classmethod
    def perform_mutation(cls, root: Any, info: Any, *, product_id: str, id: str | None = None) -> Any:
        node = storefront_product_remove(
            principal=info.context.principal,
            product_id=product_id,
            storefront_id=cls.decode_id(id, type_name="Storefront", field="id"),
        )
        return cls(storefront=node, errors=[])
