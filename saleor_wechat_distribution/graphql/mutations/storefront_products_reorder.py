from __future__ import annotations

from typing import Any

import graphene
from django.utils.translation import gettext_lazy as _

from ...domain.errors import DistributionError, StorefrontErrorCode
from ...domain.storefronts import PRODUCTS_MAX
from ...services.storefront_curation import storefront_products_reorder
from ..core.mutations import BaseMutation, mutation_error_type
from ..enums import StorefrontErrorCodeEnum
from ..storefronts.types import Storefront

StorefrontProductsReorderError = mutation_error_type(
    "StorefrontProductsReorderError", StorefrontErrorCodeEnum
)


class StorefrontProductsReorder(BaseMutation):
    """Put your curated products in this order (each of them exactly once): the order customers see."""

    login_required = True
    error_type = StorefrontProductsReorderError
    invalid_code = StorefrontErrorCode.INVALID

    storefront = graphene.Field(Storefront)
    errors = graphene.List(graphene.NonNull(StorefrontProductsReorderError), required=True)

    class Arguments:
        product_ids = graphene.List(graphene.NonNull(graphene.ID), required=True, description="Max 500.")
        id = graphene.ID(description="Staff: a storefront's global id; omitted: your own.")

    @classmethod
    def perform_mutation(cls, root: Any, info: Any, *, product_ids: list[str], id: str | None = None) -> Any:
        if len(product_ids) > PRODUCTS_MAX:
            raise DistributionError(
                StorefrontErrorCode.TOO_LONG,
                _("At most %(max)d products.") % {"max": PRODUCTS_MAX},
                field="productIds",
            )
        node = storefront_products_reorder(
            principal=info.context.principal,
            product_ids=list(product_ids),
            storefront_id=cls.decode_id(id, type_name="Storefront", field="id"),
        )
        return cls(storefront=node, errors=[])
