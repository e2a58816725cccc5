from __future__ import annotations

from typing import Any

import graphene

from ...domain.errors import StorefrontErrorCode
from ...services.storefronts import storefront_update
from ..core.mutations import BaseMutation, mutation_error_type
from ..enums import StorefrontErrorCodeEnum
from ..storefronts.types import Storefront

StorefrontUpdateError = mutation_error_type("StorefrontUpdateError", StorefrontErrorCodeEnum)
PRODUCT_IDS_INPUT_MAX = 500


class StorefrontInput(graphene.InputObjectType):
    slug = graphene.String(description="Lower-case letters, digits and hyphens; unique; not a reserved word.")
    title = graphene.String()
    logo_url = graphene.String()
    welcome_text = graphene.String(description="Sent to followers who arrive through the distributor's code.")
    channel = graphene.String(description="Channel slug (set on creation; staff only afterwards).")
    all_products = graphene.Boolean(description="Everything the brand offers, instead of productIds.")
    product_ids = graphene.List(graphene.NonNull(graphene.String), description="Curated products (max 500).")
    is_active = graphene.Boolean()


class StorefrontUpdate(BaseMutation):
    """Create or change a storefront: your own (no id), one you own or, for staff with MANAGE_USERS, any
    (id), or the brand's of a channel (brandChannel, staff)."""

    login_required = True
    error_type = StorefrontUpdateError
    invalid_code = StorefrontErrorCode.INVALID

    storefront = graphene.Field(Storefront)
    errors = graphene.List(graphene.NonNull(StorefrontUpdateError), required=True)

    class Arguments:
        id = graphene.ID(description="Global id of the storefront; omitted: your own.")
        brand_channel = graphene.String(description="Staff: the brand's storefront of this channel.")
        input = StorefrontInput(required=True)

    @classmethod
    def perform_mutation(
        cls, root: Any, info: Any, *, input: dict, id: str | None = None, brand_channel: str | None = None
    ) -> Any:
        storefront_id = cls.decode_id(id, type_name="Storefront", field="id")
        node = storefront_update(
            principal=info.context.principal,
            storefront_id=storefront_id,
            brand_channel=brand_channel,
            values=dict(input),
        )
        return cls(storefront=node, errors=[])
