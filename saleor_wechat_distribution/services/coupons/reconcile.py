"""Coupons redeemed outside our orders: WeChat Pay sends no event when a 商家券 is redeemed in a store."""

from __future__ import annotations

from django.utils import timezone

from ... import conf
from ...domain.coupons import CouponNotFound, CouponStockKind, IssuedCouponState
from ...models import IssuedCoupon
from .card_pack import coupon_store_redeemed
from .stocks import stock_gateway

#: our own 核销 requests (coupon_order_used); any other use_request_no was a store / POS redemption
OWN_USE_PREFIX = "WDUSE"


def coupon_reconcile(*, limit: int = 500) -> int:
    """WeChat Pay sends no event when a 商家券 is redeemed in a store (the merchant's POS calls 核销 itself):
    look at the coupons still in card packs, oldest-checked first, and apply what WeChat says. A coupon
    used elsewhere marks the voucher code used in the host (idempotent: the reference is WeChat's use
    request); expired or invalidated ones leave the card pack. Returns the coupons that changed."""
    changed = 0
    batch = list(
        IssuedCoupon.objects.select_related("stock")
        .filter(state=IssuedCouponState.ISSUED, stock__kind=CouponStockKind.BUSIFAVOR)
        .order_by("updated_at", "pk")[:limit]
    )
    for coupon in batch:
        try:
            detail = stock_gateway(coupon.stock).coupon_query(code=coupon.code, openid=coupon.openid)
        except CouponNotFound:
            detail = {}
        except conf.CouponsNotConfigured:
            continue
        state = str(detail.get("coupon_state") or "")
        use_request_no = str(detail.get("use_request_no") or "")
        if state == "USED" and not use_request_no.startswith(OWN_USE_PREFIX):
            coupon_store_redeemed(
                mchid=coupon.stock.mchid,
                stock_id=coupon.stock.stock_id,
                code=coupon.code,
                reference=f"wx:{coupon.stock.stock_id}:{coupon.code}:{use_request_no}"[:128],
            )
            changed += 1
        elif state in ("EXPIRED", "DEACTIVATED"):
            IssuedCoupon.objects.filter(pk=coupon.pk).update(
                state=IssuedCouponState.DEACTIVATED, updated_at=timezone.now()
            )
            changed += 1
        else:
            IssuedCoupon.objects.filter(pk=coupon.pk).update(
                updated_at=timezone.now()
            )  # checked: to the back
    return changed
