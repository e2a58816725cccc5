"""Prepare a storefront's follow QR code (a WeChat call when none is stored): ``Storefront.qrCode`` then
reads it. Queries never call WeChat."""

from __future__ import annotations

from typing import Any

import graphene

from ...domain.errors import StorefrontErrorCode
from ...services.wechat_links import storefront_qr_code_create
from ..core.mutations import BaseMutation, mutation_error_type
from ..enums import StorefrontErrorCodeEnum
from ..storefronts.types import Storefront, StorefrontQrCode

StorefrontQrCodeCreateError = mutation_error_type("StorefrontQrCodeCreateError", StorefrontErrorCodeEnum)


class StorefrontQrCodeCreate(BaseMutation):
    """The distributor's parametric follow QR code on the account serving the storefront (its own, else
    the brand's): the stored one while valid, else a new one from WeChat (temporary: 30 days)."""

    login_required = True
    error_type = StorefrontQrCodeCreateError
    invalid_code = StorefrontErrorCode.INVALID

    storefront = graphene.Field(Storefront)
    qr_code = graphene.Field(StorefrontQrCode)
    errors = graphene.List(graphene.NonNull(StorefrontQrCodeCreateError), required=True)

    class Arguments:
        id = graphene.ID(
            description="Global id of the storefront (owner or MANAGE_USERS); omitted: your own."
        )
        permanent = graphene.Boolean(
            default_value=False, description="Permanent codes are limited (100,000 per account): ask rarely."
        )

    @classmethod
    def perform_mutation(cls, root: Any, info: Any, *, id: str | None = None, permanent: bool = False) -> Any:
        storefront, code = storefront_qr_code_create(
            principal=info.context.principal,
            storefront_id=cls.decode_id(id, type_name="Storefront", field="id"),
            permanent=bool(permanent),
        )
        return cls(storefront=storefront, qr_code=code, errors=[])
