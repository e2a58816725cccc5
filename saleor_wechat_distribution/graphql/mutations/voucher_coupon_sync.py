from __future__ import annotations

from typing import Any

import graphene

from ...domain.errors import CouponErrorCode
from ...domain.permissions import Permission
from ...services.coupons.stock_sync import coupon_sync_request
from ..core.mutations import BaseMutation, mutation_error_type
from ..coupons.types import VoucherCoupon, voucher_coupon
from ..enums import CouponErrorCodeEnum

VoucherCouponSyncError = mutation_error_type("VoucherCouponSyncError", CouponErrorCodeEnum)


class VoucherCouponSync(BaseMutation):
    """Staff: (re)sync a voucher with WeChat Pay merchant coupons; failed stocks are retried. Requires
    MANAGE_DISCOUNTS."""

    permissions = (Permission.MANAGE_DISCOUNTS,)
    error_type = VoucherCouponSyncError
    invalid_code = CouponErrorCode.INVALID

    voucher_coupon = graphene.Field(VoucherCoupon)
    errors = graphene.List(graphene.NonNull(VoucherCouponSyncError), required=True)

    class Arguments:
        voucher_id = graphene.ID(required=True, description="The Saleor voucher's id.")

    @classmethod
    def perform_mutation(cls, root: Any, info: Any, *, voucher_id: str) -> Any:
        stocks = coupon_sync_request(voucher_id=str(voucher_id).strip())
        return cls(voucher_coupon=voucher_coupon(voucher_id, stocks), errors=[])
