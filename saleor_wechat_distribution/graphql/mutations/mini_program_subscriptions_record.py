"""The answers of wx.requestSubscribeMessage, so that subscribe messages go only where accepted."""

from __future__ import annotations

from typing import Any

import graphene

from ...domain.miniprogram import MiniProgramErrorCode
from ...services.miniprogram.subscriptions import subscriptions_record
from ..core.channels import channel_argument
from ..core.mutations import BaseMutation, mutation_error_type
from ..miniprogram.enums import MiniProgramErrorCodeEnum
from ..miniprogram.types import SubscribeAnswerInput

MiniProgramSubscriptionsRecordError = mutation_error_type(
    "MiniProgramSubscriptionsRecordError", MiniProgramErrorCodeEnum
)


class MiniProgramSubscriptionsRecord(BaseMutation):
    """Record what you answered to wx.requestSubscribeMessage (up to 3 templates): each "accept" allows one
    message of that kind (new commission, commission available, withdrawal paid)."""

    login_required = True
    error_type = MiniProgramSubscriptionsRecordError
    invalid_code = MiniProgramErrorCode.INVALID

    accepted = graphene.Int(description="How many acceptances were recorded.")
    errors = graphene.List(graphene.NonNull(MiniProgramSubscriptionsRecordError), required=True)

    class Arguments:
        channel = graphene.String(required=True)
        answers = graphene.List(graphene.NonNull(SubscribeAnswerInput), required=True)

    @classmethod
    def perform_mutation(cls, root: Any, info: Any, *, channel: str, answers: list) -> Any:
        rows = subscriptions_record(
            principal=info.context.principal,
            channel=channel_argument(info, channel),
            answers=[(str(a.template_id), str(a.answer)) for a in answers[:4]],
        )
        return cls(accepted=len(rows), errors=[])
