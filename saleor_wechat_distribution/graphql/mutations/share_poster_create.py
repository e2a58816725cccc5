"""Prepare a share poster (fetch the product's picture, draw, store once): ``Storefront.sharePoster`` then
reads its URL. Queries never draw or write."""

from __future__ import annotations

from typing import Any

import graphene

from ...domain.errors import StorefrontErrorCode
from ...domain.miniprogram import MiniProgramErrorCode
from ...services.posters.share_posters import share_poster_create
from ..core.mutations import BaseMutation, mutation_error_type

#: a poster can fail as a storefront's (product, distributor) or, carrying the Mini Program code, as the
#: Mini Program's code does (not configured, rate limited, page not published...): both sets of codes
SharePosterErrorCode = graphene.Enum(
    "SharePosterErrorCode",
    list({code.name: code.value for code in (*StorefrontErrorCode, *MiniProgramErrorCode)}.items()),
)
SharePosterCreateError = mutation_error_type("SharePosterCreateError", SharePosterErrorCode)


class SharePosterCreate(BaseMutation):
    """A share poster (PNG) of a product of the storefront, with the distributor's name and the QR code of
    their referral link to the product. Drawn once per content: asking again returns the same poster."""

    login_required = True
    error_type = SharePosterCreateError
    invalid_code = StorefrontErrorCode.INVALID

    url = graphene.String(description="Absolute URL of the poster.")
    errors = graphene.List(graphene.NonNull(SharePosterCreateError), required=True)

    class Arguments:
        id = graphene.ID(
            description="Global id of the storefront (owner or MANAGE_USERS); omitted: your own."
        )
        product_id = graphene.ID(required=True, description="A product the storefront sells.")
        mini_program = graphene.Boolean(
            default_value=False, description="Carry the channel's Mini Program code instead of the link's QR."
        )

    @classmethod
    def perform_mutation(
        cls, root: Any, info: Any, *, product_id: str, id: str | None = None, mini_program: bool = False
    ) -> Any:
        url = share_poster_create(
            principal=info.context.principal,
            storefront_id=cls.decode_id(id, type_name="Storefront", field="id"),
            product_id=product_id,
            mini_program=mini_program,
        )
        request = info.context.request
        return cls(url=request.build_absolute_uri(url) if request is not None else url, errors=[])
