from __future__ import annotations

from typing import Any

import graphene

from ...domain.errors import CommissionErrorCode
from ...services.referrals import CODE_MAX_LENGTH, checkout_attribute
from ..core.inputs import HOST_ID_MAX_LENGTH, clean_text
from ..core.mutations import BaseMutation, mutation_error_type
from ..enums import CommissionErrorCodeEnum

CheckoutAttributeError = mutation_error_type("CheckoutAttributeError", CommissionErrorCodeEnum)


class CheckoutAttribute(BaseMutation):
    """Put a distributor's referral code on a checkout, so that the order it becomes is attributed to
    that distributor (Saleor's checkout metadata is the other way). Any caller, signed in or not:
    storefronts call it. A signed-in customer is also bound to the distributor at once, as the channel's
    binding policy says, when the checkout is theirs or a guest's; an anonymous call, or one on another
    customer's checkout, only keeps the code.
    """

    error_type = CheckoutAttributeError
    invalid_code = CommissionErrorCode.INVALID

    checkout_id = graphene.ID(description="The checkout the code is on (the id as given).")
    channel = graphene.String(description="Slug of the checkout's channel.")
    errors = graphene.List(graphene.NonNull(CheckoutAttributeError), required=True)

    class Arguments:
        checkout_id = graphene.ID(
            required=True,
            description=(
                "The host's checkout id. In Saleor: the checkout's global id (`checkout.id`, "
                "`Q2hlY2tvdXQ6…`; tried first) or its `token`."
            ),
        )
        code = graphene.String(required=True, description="A distributor's referral code (any case).")

    @classmethod
    def perform_mutation(cls, root: Any, info: Any, *, checkout_id: str, code: str) -> Any:
        codes = CommissionErrorCode
        checkout_id_ = clean_text(
            checkout_id,
            field="checkoutId",
            code=codes.NOT_FOUND,
            max_length=HOST_ID_MAX_LENGTH,
            required=True,
        )
        code_ = clean_text(code, field="code", code=codes.CODE_NOT_FOUND, max_length=CODE_MAX_LENGTH)
        channel = checkout_attribute(
            principal=info.context.principal, checkout_id=checkout_id_, code=code_ or ""
        )
        return cls(checkout_id=checkout_id_, channel=channel, errors=[])
