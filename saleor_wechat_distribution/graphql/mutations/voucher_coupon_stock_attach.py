from __future__ import annotations

from typing import Any

import graphene

from ...domain.errors import CouponStockAttachErrorCode
from ...domain.permissions import Permission
from ...selectors.coupons import coupon_stocks_for_voucher
from ...services.coupons.stock_attach import coupon_stock_attach
from ..core.mutations import BaseMutation, mutation_error_type
from ..coupons.types import VoucherCoupon, voucher_coupon
from ..enums import CouponStockAttachErrorCodeEnum

VoucherCouponStockAttachError = mutation_error_type(
    "VoucherCouponStockAttachError", CouponStockAttachErrorCodeEnum
)


class VoucherCouponStockAttach(BaseMutation):
    """Staff: give a voucher whose stock failed with STOCK_EXISTS (WeChat Pay has it but did not say its
    id) that stock's id, found in the merchant platform. The stock is fetched from WeChat Pay and taken only
    if it is this merchant's and matches the voucher's request; the sync then resumes (codes upload).
    Requires MANAGE_DISCOUNTS."""

    permissions = (Permission.MANAGE_DISCOUNTS,)
    error_type = VoucherCouponStockAttachError
    invalid_code = CouponStockAttachErrorCode.INVALID

    voucher_coupon = graphene.Field(VoucherCoupon)
    errors = graphene.List(graphene.NonNull(VoucherCouponStockAttachError), required=True)

    class Arguments:
        voucher_id = graphene.ID(required=True, description="The Saleor voucher's id.")
        stock_id = graphene.String(required=True, description="WeChat Pay's stock id (批次号).")

    @classmethod
    def perform_mutation(cls, root: Any, info: Any, *, voucher_id: str, stock_id: str) -> Any:
        row = coupon_stock_attach(voucher_id=voucher_id, stock_id=stock_id)
        stocks = list(coupon_stocks_for_voucher(voucher_id=row.voucher_id))
        return cls(voucher_coupon=voucher_coupon(row.voucher_id, stocks), errors=[])
