"""Enums of the distributor center's API (their values live in ``domain``)."""

import graphene

from ...domain.center import CommissionReason, ReversalCause
from ...domain.errors import CenterErrorCode
from ...domain.storefronts import OAuthScope

CenterErrorCodeEnum = graphene.Enum.from_enum(CenterErrorCode)
CommissionReasonEnum = graphene.Enum.from_enum(
    CommissionReason,
    description="Why a commission is where it is: AWAITING_PAYMENT (the order is not paid), "
    "AWAITING_FULFILMENT (paid, not delivered: the after-sales window starts at delivery), FROZEN_UNTIL "
    "(inside the after-sales window until `at`), HELD_BY_DISPUTE / HELD_BY_REFUND_REQUEST (an open case "
    "on the order stops the clock), AVAILABLE (credited to the balance at `at`), REVERSED_BY_REFUND (the "
    "line was refunded in full), ORDER_CANCELLED, REASSIGNED (staff gave the order to another "
    "distributor).",
)
ReversalCauseEnum = graphene.Enum.from_enum(
    ReversalCause, description="What took (part of) a commission back."
)


class OAuthScopeEnum(graphene.Enum):
    BASE = OAuthScope.BASE.value
    USERINFO = OAuthScope.USERINFO.value

    class Meta:
        description = (
            "BASE: silent, the visitor's openid only; USERINFO: WeChat asks the visitor once and the "
            "nickname and avatar come back too."
        )
