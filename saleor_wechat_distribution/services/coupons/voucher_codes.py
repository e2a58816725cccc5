"""A voucher's codes outside WeChat: attribution sources when the voucher is a distributor's, and codes
deleted from the voucher."""

from __future__ import annotations

from collections.abc import Iterable

from ... import conf
from ...domain.coupons import CouponStockKind, IssuedCouponState
from ...models import CouponStock, DistributorVoucherCode, IssuedCoupon
from ...ports import VoucherSnapshot
from .deactivation import issued_coupon_deactivate
from .stocks import DISTRIBUTOR_CODES_CHUNK, chunks, in_part


def distributor_codes_sync(voucher: VoucherSnapshot) -> None:
    """A voucher assigned to a distributor is an attribution source: its codes are registered (streamed,
    in chunks) as that distributor's; codes no longer in the voucher are removed."""
    if voucher.distributor_id is None:
        DistributorVoucherCode.objects.filter(voucher_id=voucher.voucher_id).delete()
        return
    source = conf.get_voucher_source()
    fresh = source.voucher_get(voucher.voucher_id)
    if fresh is None:
        return
    DistributorVoucherCode.objects.filter(voucher_id=voucher.voucher_id).exclude(
        distributor_id=voucher.distributor_id
    ).delete()
    for chunk in chunks(fresh.codes, DISTRIBUTOR_CODES_CHUNK):
        DistributorVoucherCode.objects.bulk_create(
            [
                DistributorVoucherCode(
                    code=code,
                    channel=voucher.channel,
                    voucher_id=voucher.voucher_id,
                    distributor_id=voucher.distributor_id,
                )
                for code in chunk
            ],
            ignore_conflicts=True,
        )


def coupon_voucher_codes_deleted(*, voucher_id: str, codes: Iterable[str]) -> int:
    """Codes removed from a voucher: no longer attribution sources, and coupons holding them made
    invalid in WeChat. A code still in WeChat's pool cannot be taken back: it is recorded as withdrawn
    (a deactivated coupon without a holder), so that when WeChat hands it out later the coupon-received
    callback makes it invalid at once."""
    removed = 0
    stocks = list(CouponStock.objects.filter(voucher_id=voucher_id, kind=CouponStockKind.BUSIFAVOR))
    for chunk in chunks(iter(codes), DISTRIBUTOR_CODES_CHUNK):
        DistributorVoucherCode.objects.filter(voucher_id=voucher_id, code__in=chunk).delete()
        held = IssuedCoupon.objects.filter(
            stock__voucher_id=voucher_id, code__in=chunk, state=IssuedCouponState.ISSUED
        ).select_related("stock")
        for coupon in held:
            removed += issued_coupon_deactivate(coupon, reason="voucher code deleted")
        for stock in stocks:
            IssuedCoupon.objects.bulk_create(
                [
                    IssuedCoupon(stock=stock, code=code, app_id=stock.app_id, openid="",
                                 state=IssuedCouponState.DEACTIVATED)
                    for code in chunk
                    if in_part(stock, code)
                ],
                ignore_conflicts=True,
            )  # fmt: skip
    return removed
