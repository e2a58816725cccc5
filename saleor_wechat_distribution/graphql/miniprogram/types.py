"""Object types of the Mini Program API."""

from __future__ import annotations

from typing import Any

import graphene

from ...models import MiniProgramCode as MiniProgramCodeModel
from ...services.miniprogram.codes import mini_program_code_url


class MiniProgramCode(graphene.ObjectType):
    scene = graphene.String(required=True, description="What a scan hands the page (options.scene).")
    page = graphene.String(required=True)
    product_id = graphene.String(description="The product the code opens, if any.")
    image_url = graphene.String(required=True, description="The code as a PNG.")
    scans = graphene.Int(required=True)
    bindings = graphene.Int(required=True)

    class Meta:
        description = "A distributor's Mini Program code (小程序码, wxacode.getUnlimited)."

    @staticmethod
    def resolve_product_id(root: MiniProgramCodeModel, info: Any) -> str | None:
        return root.product_id or None

    @staticmethod
    def resolve_image_url(root: MiniProgramCodeModel, info: Any) -> str:
        url = mini_program_code_url(root)
        request = info.context.request
        return request.build_absolute_uri(url) if request is not None else url


class MiniProgramTransferPackage(graphene.ObjectType):
    mch_id = graphene.String(required=True)
    app_id = graphene.String(required=True, description="The Mini Program's app id.")
    package = graphene.String(required=True)

    class Meta:
        description = "wx.requestMerchantTransfer's parameters in the Mini Program."


class SubscribeAnswerInput(graphene.InputObjectType):
    template_id = graphene.String(required=True)
    answer = graphene.String(required=True, description="accept, reject, ban or filter.")
