from __future__ import annotations

from typing import Any

import graphene

from ...domain.errors import CouponErrorCode
from ...domain.permissions import Permission
from ...services.coupons.card_pack import coupon_card_link
from ..core.mutations import BaseMutation, mutation_error_type
from ..enums import CouponErrorCodeEnum

VoucherCardLinkError = mutation_error_type("VoucherCardLinkError", CouponErrorCodeEnum)


class VoucherCardLink(BaseMutation):
    """Staff: link a legacy 卡券 card (created before 2021-04-01) to a voucher by its card id, so the
    card's events (taken, deleted, used in a store) move the voucher's codes. Requires MANAGE_DISCOUNTS."""

    permissions = (Permission.MANAGE_DISCOUNTS,)
    error_type = VoucherCardLinkError
    invalid_code = CouponErrorCode.INVALID

    card_id = graphene.String()
    errors = graphene.List(graphene.NonNull(VoucherCardLinkError), required=True)

    class Arguments:
        voucher_id = graphene.ID(required=True, description="The Saleor voucher's id.")
        app_id = graphene.String(required=True, description="The Official Account the card belongs to.")
        card_id = graphene.String(required=True, description="The card's id (卡券 card_id).")

    @classmethod
    def perform_mutation(cls, root: Any, info: Any, *, voucher_id: str, app_id: str, card_id: str) -> Any:
        link = coupon_card_link(voucher_id=voucher_id, app_id=app_id, card_id=card_id)
        return cls(card_id=link.stock_id, errors=[])
