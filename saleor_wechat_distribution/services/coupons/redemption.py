"""Redemption from the host's orders: a voucher code used in an order is 核销 in WeChat (a linked legacy 卡券:
``card/code/consume``); the order cancelled gives 商家券 back (退券) when the host says the code can be used
again (Saleor is the source of truth: its cancellation gives no use back, so a single-use code or one of
a voucher whose usage limit is reached stays used on both sides)."""

from __future__ import annotations

import logging

from django.utils import timezone

from ... import conf
from ...domain.coupons import (
    CouponApiError,
    CouponNotFound,
    CouponStockKind,
    CouponTemporaryError,
    IssuedCouponState,
    StockIssue,
    request_no,
)
from ...models import IssuedCoupon, OfficialAccount
from ...ports import VoucherCodeUsability, WeChatApiError
from ..official_accounts import account_credentials
from .stocks import stock_gateway

logger = logging.getLogger(__name__)


def coupon_order_used(*, order_id: str, channel: str, voucher_code: str) -> IssuedCoupon | None:
    """A voucher code used in a Saleor order: the coupon holding it is 核销 in WeChat and leaves the card
    pack. A 商家券 through ``coupon_use`` (``use_request_no`` derived from the order, so retries are the
    same request); a linked legacy 卡券 through ``card/code/consume`` (see ``_card_consume``)."""
    candidates = list(
        IssuedCoupon.objects.select_related("stock")
        .filter(stock__channel=channel, code=voucher_code)
        .exclude(state=IssuedCouponState.DEACTIVATED)
        .order_by("pk")[:5]
    )
    if not candidates:
        return None
    coupon = next((c for c in candidates if c.openid), candidates[0])  # the one a user is known to hold
    if coupon.state == IssuedCouponState.USED and coupon.order_id == order_id:
        return coupon
    if coupon.state == IssuedCouponState.USED:
        logger.warning("voucher code %s used by order %s was already used", voucher_code, order_id)
        return coupon
    if coupon.stock.kind == CouponStockKind.CARD:
        return _card_consume(coupon, order_id=order_id)
    stock_gateway(coupon.stock).coupon_use(
        stock_id=coupon.stock.stock_id,
        code=coupon.code,
        openid=coupon.openid,
        use_request_no=request_no("WDUSE", order_id, coupon.code),
    )
    _mark_used(coupon, order_id=order_id)
    return coupon


#: card/code/consume errcodes a retry cannot change (卡券错误码: invalid appid, invalid code, invalid card
#: status or time, deleted or being gifted, missing card id, no API permission for the card)
CARD_FINAL_ERRCODES = frozenset({40013, 40056, 40078, 40079, 40116, 40127, 41012, 45030})


#: "卡券已被核销": an earlier attempt whose answer was lost, or a store, consumed it already
CARD_CONSUMED = 40099


def _card_consume(coupon: IssuedCoupon, *, order_id: str) -> IssuedCoupon:
    """核销 a linked legacy card's code (``card/code/consume`` through wechatpy's WeChatCard, with the
    Official Account that owns the card). Idempotent: a code already consumed (40099, e.g. the answer to
    an earlier attempt was lost) counts as consumed for this order. A refusal a retry cannot change is
    recorded on the coupon (``CARD_CONSUME_REFUSED`` with the errcode); anything else (network, -1 busy,
    tokens) is ``CouponTemporaryError``: the Celery task retries with backoff."""
    stock = coupon.stock
    account = OfficialAccount.objects.filter(app_id=stock.app_id).first()
    if account is None:
        _note(coupon, f"{StockIssue.CARD_CONSUME_REFUSED}: no Official Account {stock.app_id} is bound")
        return coupon
    try:
        conf.get_official_account_gateway().card_code_consume(
            account_credentials(account), card_id=stock.stock_id, code=coupon.code
        )
    except WeChatApiError as error:
        if error.errcode in CARD_FINAL_ERRCODES:
            _note(coupon, f"{StockIssue.CARD_CONSUME_REFUSED}: errcode {error.errcode} {error.errmsg}")
            return coupon
        if error.errcode != CARD_CONSUMED:
            raise CouponTemporaryError(f"WECHAT_{error.errcode}", error.errmsg[:200]) from None
    _mark_used(coupon, order_id=order_id)
    return coupon


def _mark_used(coupon: IssuedCoupon, *, order_id: str) -> None:
    now = timezone.now()
    IssuedCoupon.objects.filter(pk=coupon.pk).update(
        state=IssuedCouponState.USED, order_id=order_id, used_at=now, note="", updated_at=now
    )
    coupon.refresh_from_db()


def _note(coupon: IssuedCoupon, note: str) -> None:
    IssuedCoupon.objects.filter(pk=coupon.pk).update(note=note[:255], updated_at=timezone.now())
    coupon.refresh_from_db()


def coupon_order_use_give_up(*, order_id: str, channel: str, voucher_code: str, error: Exception) -> None:
    """Retries ran out marking a coupon used for an order: the coupon says so (``USE_FAILED``)."""
    coupon = (
        IssuedCoupon.objects.filter(stock__channel=channel, code=voucher_code)
        .exclude(state__in=[IssuedCouponState.DEACTIVATED, IssuedCouponState.USED])
        .first()
    )
    if coupon is not None:
        _note(coupon, f"{StockIssue.USE_FAILED}: order {order_id}: {error}")


def coupon_order_cancelled(*, order_id: str) -> int:
    """The order was cancelled: its 商家券 go back to the users' card packs (退券) when Saleor says the code
    can be used again (``VoucherSource.voucher_code_usable``: the code active, the voucher's usage limit
    not reached). Saleor's ``cancel_order`` gives no use back (it releases a code only for draft orders
    and failed checkouts): a single-use code (deactivated when used) or a voucher whose usage limit is
    reached stays used, so the coupon stays USED here and in WeChat and records ``CODE_USED_IN_SALEOR``;
    a coupon given back would look usable in the card pack while Saleor's checkout refuses its code.
    Saleor unreachable: ``CouponTemporaryError`` before anything is written (the task retries).
    Only a USED coupon can be returned; one WeChat refuses stays used and is logged. A consumed legacy
    卡券 cannot come back: the 卡券 API consumes a code (card/code/consume) or makes it unavailable, but has
    no call that restores a consumed code; the coupon stays used and records ``CARD_NOT_RETURNABLE``
    (the voucher code may be usable again in Saleor while the card is gone from the card pack)."""
    for card in IssuedCoupon.objects.filter(
        order_id=order_id, state=IssuedCouponState.USED, stock__kind=CouponStockKind.CARD
    ):
        logger.warning(
            "order %s cancelled: legacy card code %s stays consumed in WeChat", order_id, card.code
        )
        _note(card, f"{StockIssue.CARD_NOT_RETURNABLE}: order {order_id} was cancelled; WeChat cannot "
                    "give back a consumed legacy card")  # fmt: skip
    returned = 0
    source = conf.get_voucher_source()
    usable: dict[tuple[str, str], VoucherCodeUsability] = {}  # one read per code, whatever its stocks
    for coupon in IssuedCoupon.objects.select_related("stock").filter(
        order_id=order_id, state=IssuedCouponState.USED, stock__kind=CouponStockKind.BUSIFAVOR
    ):
        key = (coupon.stock.voucher_id, coupon.code)
        if key not in usable:
            usable[key] = source.voucher_code_usable(voucher_id=coupon.stock.voucher_id, code=coupon.code)
        if not usable[key].usable:
            logger.info(
                "order %s cancelled: coupon %s stays used, Saleor will not take its code again: %s",
                order_id, coupon.code, usable[key].reason,
            )  # fmt: skip
            _note(coupon, f"{StockIssue.CODE_USED_IN_SALEOR}: order {order_id} was cancelled; "
                          f"{usable[key].reason}")  # fmt: skip
            continue
        try:
            stock_gateway(coupon.stock).coupon_return(
                stock_id=coupon.stock.stock_id,
                code=coupon.code,
                return_request_no=request_no("WDRET", order_id, coupon.code),
                openid=coupon.openid,
            )
        except (CouponNotFound, CouponApiError) as error:
            if isinstance(error, CouponTemporaryError):
                raise
            logger.warning("WeChat refused to return coupon %s of order %s: %s", coupon.code, order_id, error)
            continue
        IssuedCoupon.objects.filter(pk=coupon.pk).update(
            state=IssuedCouponState.ISSUED, order_id="", used_at=None, note="", updated_at=timezone.now()
        )
        returned += 1
    return returned
