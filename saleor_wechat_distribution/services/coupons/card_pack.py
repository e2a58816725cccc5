"""Coupons in users' card packs: the coupon-received callback, legacy 卡券 cards linked to vouchers and their
events, and coupons redeemed in a store (the host marks the voucher code used)."""

from __future__ import annotations

import logging

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ... import conf, jobs
from ...domain.coupons import CouponStockKind, CouponSyncStatus, IssuedCouponState, request_no
from ...domain.errors import CouponErrorCode, DistributionError
from ...models import CouponStock, IssuedCoupon
from ...ports import CouponReceived
from ...task_names import COUPON_WITHDRAW
from ..inputs import clean_text
from .deactivation import issued_coupon_deactivate
from .stocks import DISTRIBUTOR_CODES_CHUNK, chunks, staff_voucher_get

logger = logging.getLogger(__name__)

CARD_MCHID = "card"


def coupon_received(*, mchid: str, received: CouponReceived) -> IssuedCoupon | None:
    """A verified ``COUPON.SEND``: record which (app id, openid) holds which code. Idempotent."""
    stock = CouponStock.objects.filter(
        mchid=mchid, stock_id=received.stock_id, kind=CouponStockKind.BUSIFAVOR
    ).first()
    if stock is None:
        logger.warning("coupon notification for unknown stock %s of %s", received.stock_id, mchid)
        return None
    with transaction.atomic():
        coupon, created = IssuedCoupon.objects.select_for_update().get_or_create(
            stock=stock,
            code=received.code,
            defaults={"app_id": stock.app_id, "openid": received.openid, "unionid": received.unionid},
        )
        withdrawn = not created and not coupon.openid  # the code was deleted while still in WeChat's pool
        if withdrawn:
            coupon.openid, coupon.unionid, coupon.state = (
                received.openid,
                received.unionid,
                IssuedCouponState.ISSUED,
            )
            coupon.save(update_fields=["openid", "unionid", "state", "updated_at"])
        if withdrawn or stock.status == CouponSyncStatus.DEACTIVATED:
            # handed out from the pool after the code or the voucher went away: made invalid right away
            jobs.enqueue(COUPON_WITHDRAW, coupon_id=coupon.pk)
    return coupon


def coupon_withdraw(*, coupon_id: int) -> int:
    """Make one handed-out coupon invalid (its voucher or code no longer exists in the host)."""
    coupon = IssuedCoupon.objects.select_related("stock").filter(pk=coupon_id).first()
    if coupon is None or coupon.state != IssuedCouponState.ISSUED:
        return 0
    return issued_coupon_deactivate(coupon, reason="voucher code no longer valid")


def coupon_card_link(
    *, voucher_id: str, app_id: str, card_id: str, channel: str | None = None
) -> CouponStock:
    """Link a legacy 卡券 card (created before 2021-04-01) to a voucher by its card id; the card's events
    then move the voucher's codes (``coupon_card_event``). Linking again updates the link."""
    voucher_id = clean_text(voucher_id, field="voucherId", code=CouponErrorCode.INVALID, max_length=64,
                            required=True)  # fmt: skip
    app_id = clean_text(app_id, field="appId", code=CouponErrorCode.INVALID, max_length=32, required=True)
    card_id = clean_text(card_id, field="cardId", code=CouponErrorCode.INVALID, max_length=64, required=True)
    voucher = staff_voucher_get(voucher_id, unavailable=CouponErrorCode.HOST_UNAVAILABLE)
    if voucher is None:
        raise DistributionError(CouponErrorCode.NOT_FOUND, _("No such voucher."), field="voucherId")
    row, _created = CouponStock.objects.update_or_create(
        voucher_id=voucher_id,
        mchid=CARD_MCHID,
        app_id=app_id,
        defaults={
            "channel": channel or voucher.channel,
            "kind": CouponStockKind.CARD,
            "stock_id": card_id,
            "status": CouponSyncStatus.SYNCED,
            "out_request_no": request_no("WDC", voucher_id, app_id, card_id),
        },
    )
    card_codes_register(row)
    return row


def card_codes_register(row: CouponStock) -> None:
    """A linked card's codes were handed out before the link (cards made before 2021-04-01), so no
    ``user_get_card`` may ever name them: every voucher code is recorded as the card's (holder unknown
    until an event names it), streamed in chunks, so an order using one finds the card to consume."""
    fresh = conf.get_voucher_source().voucher_get(row.voucher_id)
    if fresh is None:
        return
    for chunk in chunks(fresh.codes, DISTRIBUTOR_CODES_CHUNK):
        IssuedCoupon.objects.bulk_create(
            [IssuedCoupon(stock=row, code=code, app_id=row.app_id, openid="") for code in chunk],
            ignore_conflicts=True,
        )


def coupon_card_event(
    *, app_id: str, openid: str, event: str, card_id: str, code: str
) -> IssuedCoupon | None:
    """A legacy 卡券 event from the Official Account callback (wired by the callback view's registry):
    ``user_get_card`` records the holder, ``user_del_card`` marks it gone from the card pack,
    ``user_consume_card`` (redeemed in a store) marks the voucher code used in the host. Idempotent."""
    stock = CouponStock.objects.filter(kind=CouponStockKind.CARD, stock_id=card_id, app_id=app_id).first()
    if stock is None or not code:
        return None
    with transaction.atomic():
        coupon, _created = IssuedCoupon.objects.select_for_update().get_or_create(
            stock=stock, code=code, defaults={"app_id": app_id, "openid": openid}
        )
        if openid and not coupon.openid:  # a registered code: the event names its holder
            coupon.openid = openid
            coupon.save(update_fields=["openid", "updated_at"])
        if event == "user_del_card" and coupon.state == IssuedCouponState.ISSUED:
            coupon.state = IssuedCouponState.DEACTIVATED
            coupon.save(update_fields=["state", "updated_at"])
        elif event == "user_consume_card" and coupon.state != IssuedCouponState.USED:
            _store_redeemed(coupon, reference=request_no("WDCARD", card_id, code))
    return coupon


def coupon_store_redeemed(*, mchid: str, stock_id: str, code: str, reference: str) -> IssuedCoupon | None:
    """A coupon redeemed in a physical store (through WeChat, not a Saleor order): the host marks the
    voucher code used. Idempotent on ``reference``."""
    with transaction.atomic():
        coupon = (
            IssuedCoupon.objects.select_for_update()
            .select_related("stock")
            .filter(stock__mchid=mchid, stock__stock_id=stock_id, code=code)
            .first()
        )
        if coupon is None or coupon.state == IssuedCouponState.USED:
            return coupon
        _store_redeemed(coupon, reference=reference)
    return coupon


def _store_redeemed(coupon: IssuedCoupon, *, reference: str) -> None:
    conf.get_voucher_source().voucher_code_mark_used(
        voucher_id=coupon.stock.voucher_id, code=coupon.code, reference=reference
    )
    coupon.state = IssuedCouponState.USED
    coupon.used_at = timezone.now()
    coupon.save(update_fields=["state", "used_at", "updated_at"])
