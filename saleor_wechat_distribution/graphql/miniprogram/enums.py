"""Enums of the Mini Program API (their values live in ``domain.miniprogram``)."""

import graphene

from ...domain.miniprogram import MiniProgramErrorCode

MiniProgramErrorCodeEnum = graphene.Enum.from_enum(MiniProgramErrorCode)


class SubscribeAnswerEnum(graphene.Enum):
    ACCEPT = "accept"
    REJECT = "reject"
    BAN = "ban"
    FILTER = "filter"

    class Meta:
        description = "wx.requestSubscribeMessage's answer for one template id."
