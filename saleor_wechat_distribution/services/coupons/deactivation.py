"""使券失效: coupons still in card packs made invalid when their voucher (or code) goes away."""

from __future__ import annotations

import logging

from django.utils import timezone

from ...domain.coupons import (
    CouponApiError,
    CouponStockKind,
    CouponSyncStatus,
    CouponTemporaryError,
    IssuedCouponState,
    request_no,
)
from ...models import CouponStock, DistributorVoucherCode, IssuedCoupon
from .stocks import stock_gateway

logger = logging.getLogger(__name__)


def coupon_voucher_deactivate(*, voucher_id: str, deleted: bool = False) -> int:
    """Voucher deactivated or deleted: every coupon still in a card pack is made invalid (使券失效), and the
    stocks show ``deactivated`` (the storefront issues no more)."""
    stocks = list(CouponStock.objects.filter(voucher_id=voucher_id))
    count = 0
    for stock in stocks:
        for coupon in IssuedCoupon.objects.select_related("stock").filter(
            stock=stock, state=IssuedCouponState.ISSUED
        ):
            count += issued_coupon_deactivate(
                coupon, reason="voucher deleted" if deleted else "voucher deactivated"
            )
    CouponStock.objects.filter(voucher_id=voucher_id).update(
        status=CouponSyncStatus.DEACTIVATED, updated_at=timezone.now()
    )
    DistributorVoucherCode.objects.filter(voucher_id=voucher_id).delete()
    return count


def issued_coupon_deactivate(coupon: IssuedCoupon, *, reason: str) -> int:
    if coupon.stock.kind == CouponStockKind.BUSIFAVOR:
        try:
            stock_gateway(coupon.stock).coupon_deactivate(
                stock_id=coupon.stock.stock_id,
                code=coupon.code,
                request_no=request_no("WDDEA", coupon.stock.stock_id, coupon.code),
                reason=reason,
            )
        except CouponTemporaryError:
            raise
        except CouponApiError as error:  # e.g. already used or expired in WeChat
            logger.warning("WeChat refused to deactivate coupon %s: %s", coupon.code, error)
            return 0
    IssuedCoupon.objects.filter(pk=coupon.pk).update(
        state=IssuedCouponState.DEACTIVATED, updated_at=timezone.now()
    )
    return 1
