"""Sign in from the Mini Program with wx.login()'s code."""

from __future__ import annotations

from typing import Any

import graphene

from ...domain.miniprogram import MiniProgramErrorCode
from ...services.miniprogram.sign_in import mini_program_sign_in
from ..core.channels import channel_argument
from ..core.mutations import BaseMutation, mutation_error_type
from ..miniprogram.enums import MiniProgramErrorCodeEnum

MiniProgramSignInError = mutation_error_type("MiniProgramSignInError", MiniProgramErrorCodeEnum)


class MiniProgramSignIn(BaseMutation):
    """The Mini Program sends wx.login()'s `code`; we exchange it with WeChat (jscode2session) and sign the
    user in as the shop's customer: the identity's own customer, the signed-in caller, the customer of the
    same person's Official Account identity (same unionid), else a new one. The WeChat session key stays
    on the server. Send the token as `Authorization: Bearer <token>`."""

    error_type = MiniProgramSignInError
    invalid_code = MiniProgramErrorCode.INVALID

    token = graphene.String(description="The shop's customer token (Saleor: its JWT).")
    expires_in = graphene.Int(description="Seconds the token stays valid.")
    openid = graphene.String(description="Your openid in this Mini Program.")
    has_union_id = graphene.Boolean(description="WeChat gave a unionid (Official Account identities merge).")
    errors = graphene.List(graphene.NonNull(MiniProgramSignInError), required=True)

    class Arguments:
        channel = graphene.String(required=True, description="Channel slug whose Mini Program this is.")
        code = graphene.String(required=True, description="wx.login()'s code.")

    @classmethod
    def perform_mutation(cls, root: Any, info: Any, *, channel: str, code: str) -> Any:
        result = mini_program_sign_in(
            principal=info.context.principal, channel=channel_argument(info, channel), code=code
        )
        return cls(
            token=result.session.token,
            expires_in=result.session.expires_in,
            openid=result.identity.openid,
            has_union_id=bool(result.identity.unionid),
            errors=[],
        )
