"""A Mini Program page opened from a scanned code asks what its scene means."""

from __future__ import annotations

from typing import Any

import graphene

from ...domain.miniprogram import MiniProgramErrorCode
from ...services.miniprogram.scenes import referral_scene_resolve
from ..core.mutations import BaseMutation, mutation_error_type
from ..miniprogram.enums import MiniProgramErrorCodeEnum

ReferralSceneResolveError = mutation_error_type("ReferralSceneResolveError", MiniProgramErrorCodeEnum)


class ReferralSceneResolve(BaseMutation):
    """`scene` (the page's options.scene, as WeChat handed it) names a distributor's code: the scan is
    counted, and a signed-in customer is bound to the distributor like an Official Account QR scan (the
    channel's binding policy decides). Returns the referral code to carry into the checkout."""

    error_type = ReferralSceneResolveError
    invalid_code = MiniProgramErrorCode.INVALID

    referral_code = graphene.String(description="The distributor's code (checkoutAttribute's `code`).")
    channel = graphene.String()
    page = graphene.String()
    product_id = graphene.String()
    bound = graphene.Boolean(description="You were bound to the distributor now.")
    errors = graphene.List(graphene.NonNull(ReferralSceneResolveError), required=True)

    class Arguments:
        scene = graphene.String(required=True)

    @classmethod
    def perform_mutation(cls, root: Any, info: Any, *, scene: str) -> Any:
        result = referral_scene_resolve(principal=info.context.principal, scene=scene)
        code = result.code
        return cls(
            referral_code=code.distributor.referral_code,
            channel=code.channel,
            page=code.page,
            product_id=code.product_id or None,
            bound=result.bound,
            errors=[],
        )
