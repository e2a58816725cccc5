"""A distributor's Mini Program code (小程序码) for a page and a product."""

from __future__ import annotations

from typing import Any

import graphene
from django.utils.translation import gettext_lazy as _

from ...domain.errors import DistributionError
from ...domain.miniprogram import MiniProgramErrorCode
from ...models import Distributor
from ...services.miniprogram.codes import mini_program_code_for
from ..core.channels import channel_argument
from ..core.mutations import BaseMutation, mutation_error_type
from ..miniprogram.enums import MiniProgramErrorCodeEnum
from ..miniprogram.types import MiniProgramCode

MiniProgramCodeCreateError = mutation_error_type("MiniProgramCodeCreateError", MiniProgramErrorCodeEnum)


class MiniProgramCodeCreate(BaseMutation):
    """Your Mini Program code for `page` (the channel's configured page by default) and `productId`: made
    once through wxacode.getUnlimited with a short scene, then the same code is returned."""

    login_required = True
    error_type = MiniProgramCodeCreateError
    invalid_code = MiniProgramErrorCode.INVALID

    code = graphene.Field(MiniProgramCode)
    errors = graphene.List(graphene.NonNull(MiniProgramCodeCreateError), required=True)

    class Arguments:
        channel = graphene.String(required=True)
        page = graphene.String(description="A page path such as pages/product/index.")
        product_id = graphene.String(description="The product the page shows.")

    @classmethod
    def perform_mutation(
        cls, root: Any, info: Any, *, channel: str, page: str | None = None, product_id: str | None = None
    ) -> Any:
        distributor = Distributor.objects.filter(user_id=info.context.principal.user_id).first()
        if distributor is None:
            raise DistributionError(MiniProgramErrorCode.NOT_A_DISTRIBUTOR, _("You are not a distributor."))
        code = mini_program_code_for(
            distributor=distributor, channel=channel_argument(info, channel), page=page, product_id=product_id
        )
        return cls(code=code, errors=[])
